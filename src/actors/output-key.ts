import { posix } from "node:path";
import { AppError } from "../contracts/app-error.ts";

/** The object key of a stage output: `base_key + path`, refused if the path climbs out of the base
 * (a processor bug or a hostile archive entry must never write outside destination.base_key). */
export function outputKey(baseKey: string, relativePath: string): string {
  const normalized = posix.normalize(relativePath.replaceAll("\\", "/"));
  if (normalized.startsWith("/") || normalized === ".." || normalized.startsWith("../") || normalized.includes("\0") || normalized === ".") {
    throw new AppError("DESTINATION_OUTSIDE_PREFIX", `output path ${JSON.stringify(relativePath)} escapes destination.base_key`);
  }
  const key = baseKey + normalized;
  if (!key.startsWith(baseKey)) throw new AppError("DESTINATION_OUTSIDE_PREFIX", `output key ${key} escapes ${baseKey}`);
  return key;
}

const CONTENT_TYPES: Record<string, string> = {
  webp: "image/webp", avif: "image/avif", jpeg: "image/jpeg", jpg: "image/jpeg", png: "image/png", tiff: "image/tiff", tif: "image/tiff", gif: "image/gif",
  mp4: "video/mp4", m3u8: "application/vnd.apple.mpegurl", ts: "video/mp2t", m4s: "video/iso.segment",
  json: "application/json", glb: "model/gltf-binary", gltf: "model/gltf+json", zip: "application/zip", "tar.gz": "application/gzip",
  "tar.zst": "application/zstd", "7z": "application/x-7z-compressed", las: "application/vnd.las", laz: "application/vnd.laszip",
  cog: "image/tiff; application=geotiff; profile=cloud-optimized", geotiff: "image/tiff; application=geotiff",
  ply: "application/octet-stream", xyz: "text/plain", pts: "text/plain", txt: "text/plain",
};

export function contentTypeOf(format: string): string {
  return CONTENT_TYPES[format.toLowerCase()] ?? "application/octet-stream";
}
