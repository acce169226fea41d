import { test } from "node:test";
import assert from "node:assert/strict";
import { contentTypeFor } from "../../src/storage-rules/content-type.ts";

test("formats and paths map to the MIME types browsers and the viewer need", () => {
  const cases: [string, string][] = [
    ["glb", "model/gltf-binary"],
    [".GLB", "model/gltf-binary"],
    ["lod/0/tile.glb", "model/gltf-binary"],
    ["tileset.json", "application/json"],
    ["photo.JPEG", "image/jpeg"],
    ["cog", "image/tiff"],
    ["out/dem.tif", "image/tiff"],
    ["web.mp4", "video/mp4"],
    ["hls/master.m3u8", "application/vnd.apple.mpegurl"],
    ["backup.tar.gz", "application/gzip"],
    ["tar.zst", "application/zstd"],
    ["scan.laz", "application/vnd.laszip"],
    ["a.7z", "application/x-7z-compressed"],
  ];
  for (const [input, type] of cases) assert.equal(contentTypeFor(input), type, input);
});

test("unknown or missing extensions fall back to application/octet-stream", () => {
  for (const input of ["data.qqq", "README", "dir.v2/file", ""]) assert.equal(contentTypeFor(input), "application/octet-stream", input);
});
