import { extname } from "node:path";
import { AppError } from "../../contracts/app-error.ts";
import { readHead } from "../shared/read-bytes.ts";
import { openE57Source } from "./e57/e57-source.ts";
import { openLasSource } from "./las/las-reader.ts";
import type { PointCloudSource } from "./point-chunk.ts";
import { openPlySource } from "./ply/ply-source.ts";
import { openTextSource } from "./text/text-source.ts";

export type InputFormat = "las" | "e57" | "ply" | "xyz" | "pts" | "obj";

const BY_EXTENSION: Record<string, InputFormat> = {
  las: "las",
  laz: "las",
  copc: "las",
  e57: "e57",
  ply: "ply",
  xyz: "xyz",
  txt: "xyz",
  csv: "xyz",
  asc: "xyz",
  pts: "pts",
  obj: "obj",
};

/** Magic bytes first (a .las that is really a PLY is read as PLY), then the extension of the
 * declared format or the file name for the text formats that have no magic. */
export async function detectInputFormat(path: string, hints: (string | undefined)[] = []): Promise<InputFormat> {
  const magic = new TextDecoder("latin1").decode(await readHead(path, 16));
  if (magic.startsWith("LASF")) return "las";
  if (magic.startsWith("ASTM-E57")) return "e57";
  if (magic.startsWith("ply")) return "ply";
  if (magic.startsWith("glTF")) throw new AppError("UNSUPPORTED_FORMAT", "GLB is an output format only; it cannot be converted from");
  for (const hint of [...hints, path]) {
    if (!hint) continue;
    const ext = (hint.includes(".") ? extname(hint).slice(1) : hint).toLowerCase();
    const format = BY_EXTENSION[ext];
    if (format) return format;
  }
  throw new AppError("UNSUPPORTED_FORMAT", `Cannot tell the point cloud format of '${hints.find(Boolean) ?? path}' (LAS, LAZ, COPC, E57, PLY, XYZ/TXT, PTS, OBJ are read)`);
}

export async function openPointCloud(path: string, format: InputFormat, options: { chunkSize?: number } = {}): Promise<PointCloudSource> {
  switch (format) {
    case "las":
      return openLasSource(path, options);
    case "e57":
      return openE57Source(path, options);
    case "ply":
      return openPlySource(path, options);
    case "xyz":
    case "pts":
    case "obj":
      return openTextSource(path, format, options);
  }
}
