import { open } from "node:fs/promises";
import { AppError } from "../../../contracts/app-error.ts";
import { ChunkBuilder } from "../chunk-builder.ts";
import { emptyHeader, READER_DEFAULTS, type PointChunk, type PointCloudSource } from "../point-chunk.ts";
import { parseNumbers, readLines } from "./line-reader.ts";

export type TextKind = "xyz" | "pts" | "obj";

/** How many lines that are neither data, blank nor a comment a text cloud may hold (a header row
 * such as "X Y Z R G B", a stray footer) before it counts as damaged: at most `headerLines`, plus one
 * in `perDataLines` data lines. Past that the file is INPUT_CORRUPT instead of silently thinner. */
export const TEXT_TOLERANCE = { headerLines: 10, perDataLines: 1000 };

/** True for a line with content that is not a comment (what parseNumbers skips silently). */
const hasContent = (line: string) => {
  const t = line.trim();
  return t !== "" && !t.startsWith("#") && !t.startsWith("//");
};

/** Which column holds what; -1 = absent. */
interface Columns {
  intensity: number;
  rgb: number;
}

/** XYZ: x y z [i] [r g b] by column count; PTS: x y z i [r g b] after a count line. */
function columnsFor(kind: TextKind, n: number): Columns {
  if (kind === "obj") return { intensity: -1, rgb: n >= 6 ? 3 : -1 };
  if (n >= 7) return { intensity: 3, rgb: 4 };
  if (n === 6) return { intensity: -1, rgb: 3 };
  if (n >= 4) return { intensity: 3, rgb: -1 };
  return { intensity: -1, rgb: -1 };
}

/** Parses the data fields of one line; OBJ keeps only `v` lines. */
function fields(kind: TextKind, line: string): number[] | undefined {
  if (kind !== "obj") return parseNumbers(line);
  if (!line.startsWith("v ")) return undefined;
  return parseNumbers(line.slice(2));
}

export async function openTextSource(path: string, kind: TextKind, options: { chunkSize?: number } = {}): Promise<PointCloudSource> {
  const chunkSize = options.chunkSize ?? READER_DEFAULTS.chunkSize;
  const fh = await open(path, "r");
  const fileSize = (await fh.stat()).size;
  const header = emptyHeader(kind);
  let first: number[] | undefined;
  let announced: number | undefined;
  // Peek: the first data line fixes the columns, so writers know the attributes before any point.
  for await (const line of readLines(fh)) {
    const f = fields(kind, line);
    if (!f) continue;
    if (kind === "pts" && announced === undefined && f.length === 1) {
      announced = f[0];
      continue;
    }
    first = f;
    break;
  }
  if (first && first.length < 3) {
    await fh.close();
    throw new AppError("UNSUPPORTED_FORMAT", `${kind.toUpperCase()} line has ${first.length} columns; at least x y z are needed`);
  }
  const cols = columnsFor(kind, first?.length ?? 3);
  header.pointCount = announced;
  header.attributes.color = cols.rgb >= 0;
  header.attributes.intensity = cols.intensity >= 0;
  // OBJ colours are 0–1 floats; XYZ/PTS are 8-bit.
  const colorScale = kind === "obj" ? 65535 : 257;
  const state = { position: 0 };
  return {
    header,
    bytesRead: () => state.position,
    async *points(signal?: AbortSignal): AsyncGenerator<PointChunk> {
      const b = new ChunkBuilder(chunkSize, { color: header.attributes.color, intensity: header.attributes.intensity });
      let seenCount = kind !== "pts",
        lineNo = 0,
        total = 0,
        rejected = 0,
        firstRejected = 0;
      for await (const line of readLines(fh, 0, state)) {
        lineNo++;
        const f = fields(kind, line);
        if (!f) {
          // OBJ's other records (faces, normals, groups) are not points; any other kind's are junk.
          if ((kind !== "obj" || line.startsWith("v ")) && hasContent(line)) {
            rejected++;
            firstRejected ||= lineNo;
            if (rejected > TEXT_TOLERANCE.headerLines + Math.floor((total + b.count) / TEXT_TOLERANCE.perDataLines)) {
              throw new AppError(
                "INPUT_CORRUPT",
                `${kind.toUpperCase()} has ${rejected} lines that are not numbers (the first at line ${firstRejected}), more than ${TEXT_TOLERANCE.headerLines} plus 1 per ${TEXT_TOLERANCE.perDataLines} points`,
              );
            }
          }
          continue;
        }
        if (!seenCount && f.length === 1) {
          seenCount = true;
          continue;
        }
        if (f.length < 3) throw new AppError("INPUT_CORRUPT", `${kind.toUpperCase()} line ${lineNo} has ${f.length} columns, expected ${first?.length ?? 3}`);
        const i = cols.intensity >= 0 ? (f[cols.intensity] ?? 0) : 0;
        const c = cols.rgb;
        // Leica PTS intensity is −2048…2047: shift it to unsigned.
        b.push(
          f[0]!,
          f[1]!,
          f[2]!,
          kind === "pts" && i < 0 ? i + 2048 : i,
          c >= 0 ? (f[c] ?? 0) * colorScale : 0,
          c >= 0 ? (f[c + 1] ?? 0) * colorScale : 0,
          c >= 0 ? (f[c + 2] ?? 0) * colorScale : 0,
        );
        if (b.full) {
          signal?.throwIfAborted();
          total += b.count;
          yield b.take();
        }
      }
      total += b.count;
      if (b.count > 0) yield b.take();
      if (total === 0) throw new AppError("INPUT_EMPTY", `${kind.toUpperCase()} file holds no points${rejected ? ` (${rejected} lines that are not numbers)` : ""}`);
      if (rejected > TEXT_TOLERANCE.headerLines + Math.floor(total / TEXT_TOLERANCE.perDataLines)) {
        throw new AppError(
          "INPUT_CORRUPT",
          `${kind.toUpperCase()} has ${rejected} lines that are not numbers (the first at line ${firstRejected}), more than ${TEXT_TOLERANCE.headerLines} plus 1 per ${TEXT_TOLERANCE.perDataLines} points`,
        );
      }
      if (announced !== undefined && total < announced) {
        throw new AppError("INPUT_CORRUPT", `PTS announces ${announced} points but holds only ${total}: truncated file`);
      }
      state.position = fileSize;
    },
    close: () => fh.close(),
  };
}
