import { open, type FileHandle } from "node:fs/promises";
import { AppError } from "../../../contracts/app-error.ts";
import { ChunkBuilder } from "../chunk-builder.ts";
import { emptyHeader, READER_DEFAULTS, type PointChunk, type PointCloudSource } from "../point-chunk.ts";
import { parseNumbers, readLines } from "../text/line-reader.ts";
import { parsePlyHeader, PLY_TYPE_SIZE, readPlyScalar, type PlyElement, type PlyProperty, type PlyScalar } from "./ply-header.ts";

const NAMES = {
  x: ["x"],
  y: ["y"],
  z: ["z"],
  red: ["red", "r", "diffuse_red"],
  green: ["green", "g", "diffuse_green"],
  blue: ["blue", "b", "diffuse_blue"],
  intensity: ["intensity", "scalar_intensity"],
  classification: ["classification", "scalar_classification"],
} as const;
type Field = keyof typeof NAMES;

/** Factor to LAS 16-bit convention: 8-bit ×257, 16-bit as is, floats in 0–1 ×65535. */
const to16Factor = (t: PlyScalar): number => (t === "uint8" || t === "int8" ? 257 : t === "float32" || t === "float64" ? 65535 : 1);

function fieldIndex(el: PlyElement): Partial<Record<Field, number>> {
  const map: Partial<Record<Field, number>> = {};
  el.properties.forEach((p, i) => {
    for (const [field, names] of Object.entries(NAMES) as [Field, readonly string[]][]) if (names.includes(p.name.toLowerCase())) map[field] ??= i;
  });
  return map;
}

export async function openPlySource(path: string, options: { chunkSize?: number } = {}): Promise<PointCloudSource> {
  const chunkSize = options.chunkSize ?? READER_DEFAULTS.chunkSize;
  const fh = await open(path, "r");
  try {
    const fileSize = (await fh.stat()).size;
    const head = new Uint8Array(Math.min(fileSize, 64 << 10));
    await fh.read(head, 0, head.byteLength, 0);
    const ply = parsePlyHeader(head);
    const vi = ply.elements.findIndex((e) => e.name === "vertex");
    const vertex = ply.elements[vi];
    if (!vertex) throw new AppError("UNSUPPORTED_FORMAT", "PLY file has no vertex element");
    if (vertex.properties.some((p) => p.list)) throw new AppError("UNSUPPORTED_FORMAT", "PLY vertex element with list properties is not supported");
    const idx = fieldIndex(vertex);
    if (idx.x === undefined || idx.y === undefined || idx.z === undefined) throw new AppError("UNSUPPORTED_FORMAT", "PLY vertex element lacks x, y or z");
    const binary = ply.encoding !== "ascii";
    const before = ply.elements.slice(0, vi);
    const recordSize = vertex.properties.reduce((n, p) => n + PLY_TYPE_SIZE[p.type], 0);
    let dataStart = ply.length;
    if (binary) {
      if (before.some((e) => e.properties.some((p) => p.list))) throw new AppError("UNSUPPORTED_FORMAT", "PLY elements with lists before the vertex element are not supported");
      dataStart += before.reduce((n, e) => n + e.count * e.properties.reduce((m, p) => m + PLY_TYPE_SIZE[p.type], 0), 0);
      if (dataStart + vertex.count * recordSize > fileSize) {
        throw new AppError("INPUT_CORRUPT", `PLY header announces ${vertex.count} vertices (${vertex.count * recordSize} bytes) but the file ends at ${fileSize} bytes: truncated or lying header`);
      }
    }
    const header = emptyHeader("ply");
    header.pointCount = vertex.count;
    header.attributes.color = idx.red !== undefined && idx.green !== undefined && idx.blue !== undefined;
    header.attributes.intensity = idx.intensity !== undefined;
    header.attributes.classification = idx.classification !== undefined;
    const props = vertex.properties;
    const factor = (f: Field): number => (idx[f] === undefined ? 0 : to16Factor(props[idx[f]]!.type));
    const kr = factor("red"),
      kg = factor("green"),
      kb = factor("blue");
    const ki = idx.intensity === undefined ? 0 : props[idx.intensity]!.type === "uint8" ? 257 : 1;
    const emit = (b: ChunkBuilder, vals: ArrayLike<number>): void => {
      const at = (f: Field): number => (idx[f] === undefined ? 0 : vals[idx[f]]!);
      b.push(at("x"), at("y"), at("z"), at("intensity") * ki, at("red") * kr, at("green") * kg, at("blue") * kb, at("classification"));
    };
    const attrs = { color: header.attributes.color, intensity: header.attributes.intensity, classification: header.attributes.classification };
    return {
      header,
      async *points(signal?: AbortSignal): AsyncGenerator<PointChunk> {
        const b = new ChunkBuilder(chunkSize, attrs);
        if (binary) yield* binaryChunks(fh, props, recordSize, dataStart, vertex.count, ply.encoding === "binary_little_endian", b, emit, signal);
        else yield* asciiChunks(fh, ply.length, before, vertex.count, props.length, b, emit, signal);
      },
      close: () => fh.close(),
    };
  } catch (error) {
    await fh.close().catch(() => undefined);
    throw error;
  }
}

type Emit = (b: ChunkBuilder, vals: ArrayLike<number>) => void;

async function* binaryChunks(
  fh: FileHandle,
  props: PlyProperty[],
  recordSize: number,
  start: number,
  count: number,
  le: boolean,
  b: ChunkBuilder,
  emit: Emit,
  signal?: AbortSignal,
): AsyncGenerator<PointChunk> {
  const offsets = props.map((_, i) => props.slice(0, i).reduce((n, p) => n + PLY_TYPE_SIZE[p.type], 0));
  const buf = new Uint8Array(b.capacity * recordSize);
  const vals = new Float64Array(props.length);
  for (let done = 0; done < count;) {
    signal?.throwIfAborted();
    const n = Math.min(b.capacity, count - done);
    const { bytesRead } = await fh.read(buf, 0, n * recordSize, start + done * recordSize);
    if (bytesRead < n * recordSize) throw new AppError("INPUT_CORRUPT", `PLY data ends after ${done} of ${count} vertices`);
    const v = new DataView(buf.buffer, 0, bytesRead);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < props.length; k++) vals[k] = readPlyScalar(v, i * recordSize + offsets[k]!, props[k]!.type, le);
      emit(b, vals);
    }
    done += n;
    yield b.take();
  }
}

async function* asciiChunks(fh: FileHandle, start: number, before: PlyElement[], count: number, width: number, b: ChunkBuilder, emit: Emit, signal?: AbortSignal): AsyncGenerator<PointChunk> {
  let skip = before.reduce((n, e) => n + e.count, 0),
    done = 0;
  for await (const line of readLines(fh, start)) {
    if (done >= count) break;
    if (skip > 0) {
      skip--;
      continue;
    }
    const vals = parseNumbers(line);
    if (!vals) continue;
    if (vals.length < width) throw new AppError("INPUT_CORRUPT", `PLY vertex ${done} has ${vals.length} values, expected ${width}`);
    emit(b, vals);
    done++;
    if (b.full) {
      signal?.throwIfAborted();
      yield b.take();
    }
  }
  if (b.count > 0) yield b.take();
  if (done < count) throw new AppError("INPUT_CORRUPT", `PLY header announces ${count} vertices but the file holds ${done}`);
}
