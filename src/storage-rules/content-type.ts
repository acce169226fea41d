/** MIME types for what the processors write and what the platform uploads. The viewer and browsers
 * rely on them (a GLB served as octet-stream downloads instead of rendering), so outputs always get one. */
const BY_FORMAT: Readonly<Record<string, string>> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  avif: "image/avif",
  gif: "image/gif",
  tif: "image/tiff",
  tiff: "image/tiff",
  geotiff: "image/tiff",
  cog: "image/tiff",
  glb: "model/gltf-binary",
  gltf: "model/gltf+json",
  obj: "model/obj",
  stl: "model/stl",
  ply: "application/octet-stream",
  las: "application/vnd.las",
  laz: "application/vnd.laszip",
  e57: "application/octet-stream",
  xyz: "text/plain",
  pts: "text/plain",
  txt: "text/plain",
  csv: "text/csv",
  json: "application/json",
  xml: "application/xml",
  html: "text/html",
  bin: "application/octet-stream",
  mp4: "video/mp4",
  m4s: "video/iso.segment",
  ts: "video/mp2t",
  webm: "video/webm",
  mov: "video/quicktime",
  m3u8: "application/vnd.apple.mpegurl",
  zip: "application/zip",
  tar: "application/x-tar",
  gz: "application/gzip",
  tgz: "application/gzip",
  "tar.gz": "application/gzip",
  zst: "application/zstd",
  "tar.zst": "application/zstd",
  "7z": "application/x-7z-compressed",
  rar: "application/vnd.rar",
};

export const DEFAULT_CONTENT_TYPE = "application/octet-stream";

/** The MIME type for a format name ("glb", ".GLB", "tar.gz") or a path/key ("lod/0/tile.glb"). */
export function contentTypeFor(formatOrPath: string): string {
  const lower = formatOrPath.toLowerCase();
  const name = lower.slice(lower.lastIndexOf("/") + 1).replace(/^\./, "");
  const parts = name.split(".");
  // A bare format ("glb") or a double extension ("x.tar.gz") before the last extension alone.
  const candidates = parts.length === 1 ? [name] : [parts.slice(-2).join("."), parts.at(-1) ?? ""];
  for (const c of candidates) {
    const type = BY_FORMAT[c];
    if (type !== undefined) return type;
  }
  return DEFAULT_CONTENT_TYPE;
}
