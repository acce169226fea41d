import { open } from "node:fs/promises";
import { AppError } from "../../../contracts/app-error.ts";
import { ChunkBuilder } from "../chunk-builder.ts";
import { emptyHeader, READER_DEFAULTS, type PointChunk, type PointCloudSource } from "../point-chunk.ts";
import { E57FieldStream } from "./e57-bitstream.ts";
import { E57PagedFile } from "./e57-paged-file.ts";
import { poseMatrix, sphericalToCartesian } from "./e57-pose.ts";
import { parseE57Xml, type E57Scan } from "./e57-xml.ts";

const DATA_PACKET = 1;

/** ASTM E57 reader: every data3D scan (Cartesian or spherical, pose applied), colour and intensity
 * scaled to 16 bits by their limits, invalid points skipped. */
export async function openE57Source(path: string, options: { chunkSize?: number } = {}): Promise<PointCloudSource> {
  const chunkSize = options.chunkSize ?? READER_DEFAULTS.chunkSize;
  const fh = await open(path, "r");
  try {
    const size = (await fh.stat()).size;
    const file = new E57PagedFile(fh, size);
    const head = await file.read(0, 48);
    if (new TextDecoder().decode(head.subarray(0, 8)) !== "ASTM-E57") throw new AppError("INPUT_CORRUPT", "Not an E57 file: missing ASTM-E57 signature");
    const v = new DataView(head.buffer);
    const physicalLength = Number(v.getBigUint64(16, true)),
      xmlOffset = Number(v.getBigUint64(24, true)),
      xmlLength = Number(v.getBigUint64(32, true));
    if (Number(v.getBigUint64(40, true)) !== 1024) throw new AppError("UNSUPPORTED_FORMAT", "E57 page size is not 1024 bytes");
    if (physicalLength > size) throw new AppError("INPUT_CORRUPT", `E57 header says ${physicalLength} bytes but the file has ${size}: truncated file`);
    const desc = parseE57Xml(new TextDecoder().decode(await file.read(xmlOffset, xmlLength)));
    const header = emptyHeader("e57");
    const names = new Set(desc.scans.flatMap((s) => s.fields.map((f) => f.name)));
    const hasInvalid = names.has("cartesianInvalidState") || names.has("sphericalInvalidState");
    header.pointCount = hasInvalid ? undefined : desc.scans.reduce((n, s) => n + s.recordCount, 0);
    header.attributes.color = names.has("colorRed");
    header.attributes.intensity = names.has("intensity");
    const only = desc.scans.length === 1 ? desc.scans[0] : undefined;
    if (only && !poseMatrix(only.pose)) header.bounds = only.bounds;
    if (desc.coordinateMetadata) header.crs = { wkt: desc.coordinateMetadata };
    return {
      header,
      async *points(signal?: AbortSignal): AsyncGenerator<PointChunk> {
        const b = new ChunkBuilder(chunkSize, { color: header.attributes.color, intensity: header.attributes.intensity });
        for (const scan of desc.scans) {
          for await (const _ of scanRecords(file, scan, b, signal)) yield b.take();
        }
        if (b.count > 0) yield b.take();
      },
      close: () => fh.close(),
    };
  } catch (error) {
    await fh.close().catch(() => undefined);
    throw error;
  }
}

/** Pushes a scan's points into `b`, yielding whenever it is full. */
async function* scanRecords(file: E57PagedFile, scan: E57Scan, b: ChunkBuilder, signal?: AbortSignal): AsyncGenerator<void> {
  const section = await file.read(scan.fileOffset, 32);
  const sv = new DataView(section.buffer);
  if (sv.getUint8(0) !== 1) throw new AppError("INPUT_CORRUPT", `E57 compressed vector section at ${scan.fileOffset} has a bad id`);
  let at = Number(sv.getBigUint64(16, true));
  const streams = scan.fields.map((f) => new E57FieldStream(f));
  const idx = (name: string): E57FieldStream | undefined => streams[scan.fields.findIndex((f) => f.name === name)];
  const [cx, cy, cz] = [idx("cartesianX"), idx("cartesianY"), idx("cartesianZ")];
  const [sr, sa, se] = [idx("sphericalRange"), idx("sphericalAzimuth"), idx("sphericalElevation")];
  const [red, green, blue, inten] = [idx("colorRed"), idx("colorGreen"), idx("colorBlue"), idx("intensity")];
  const invalid = idx("cartesianInvalidState") ?? idx("sphericalInvalidState");
  const spherical = !cx && sr !== undefined;
  if (!spherical && (!cx || !cy || !cz)) throw new AppError("UNSUPPORTED_FORMAT", "E57 scan has neither Cartesian nor spherical coordinates");
  const pose = poseMatrix(scan.pose);
  const [cMin, cMax] = scan.colorLimits ?? [0, 255];
  const iField = inten?.field;
  const [iMin, iMax] = scan.intensityLimits ?? (iField && iField.kind !== "float" ? [iField.minimum, iField.minimum + 2 ** iField.bits - 1] : [0, 1]);
  const cK = 65535 / (cMax - cMin || 1),
    iK = 65535 / (iMax - iMin || 1);
  let records = 0;
  while (records < scan.recordCount) {
    signal?.throwIfAborted();
    const ph = await file.read(at, 6);
    const pv = new DataView(ph.buffer);
    const type = pv.getUint8(0),
      length = pv.getUint16(2, true) + 1;
    if (type === DATA_PACKET) {
      const packet = await file.read(at, length);
      const count = pv.getUint16(4, true);
      if (count !== streams.length) throw new AppError("INPUT_CORRUPT", `E57 data packet has ${count} bytestreams, the prototype ${streams.length}`);
      const lv = new DataView(packet.buffer);
      let p = 6 + 2 * count;
      for (let s = 0; s < count; s++) {
        const n = lv.getUint16(6 + 2 * s, true);
        if (p + n > length) throw new AppError("INPUT_CORRUPT", "E57 data packet bytestreams overrun the packet");
        streams[s]!.push(packet.subarray(p, p + n));
        p += n;
      }
      let ready = Math.min(scan.recordCount - records, ...streams.map((s) => s.available));
      for (; ready > 0; ready--, records++) {
        let x: number, y: number, z: number;
        if (spherical) [x, y, z] = sphericalToCartesian(sr.shift(), sa?.shift() ?? 0, se?.shift() ?? 0);
        else [x, y, z] = [cx!.shift(), cy!.shift(), cz!.shift()];
        if (pose) {
          const m = pose.m;
          [x, y, z] = [m[0]! * x + m[1]! * y + m[2]! * z + pose.t[0], m[3]! * x + m[4]! * y + m[5]! * z + pose.t[1], m[6]! * x + m[7]! * y + m[8]! * z + pose.t[2]];
        }
        const i = inten ? (inten.shift() - iMin) * iK : 0;
        const r = red ? (red.shift() - cMin) * cK : 0,
          g = green ? (green.shift() - cMin) * cK : 0,
          bl = blue ? (blue.shift() - cMin) * cK : 0;
        // Drain every stream even for skipped points so the columns stay aligned.
        for (const s of streams) if (s !== cx && s !== cy && s !== cz && s !== sr && s !== sa && s !== se && s !== red && s !== green && s !== blue && s !== inten && s !== invalid) s.shift();
        if (invalid && invalid.shift() !== 0) continue;
        b.push(x, y, z, i, r, g, bl);
        if (b.full) yield;
      }
    } else if (type !== 0 && type !== 2) {
      throw new AppError("INPUT_CORRUPT", `E57 packet at ${at} has unknown type ${type}`);
    }
    at = E57PagedFile.advance(at, length);
  }
}
