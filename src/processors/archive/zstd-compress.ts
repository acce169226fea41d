import { Transform } from "node:stream";
import { Zstd } from "@hpcc-js/wasm-zstd";

/** Default: 3, zstd's own default — fast, and far better than gzip's ratio at that speed. */
export const ZSTD_LEVEL_DEFAULT = 3;

/**
 * A zstd compressing stream over the WASM zstd (Node 20's zlib has none). The library keeps one
 * streaming context per loaded module, so only one such stream may run at a time in a process —
 * which holds here: a worker process runs one task.
 */
export async function createZstdCompressStream(level = ZSTD_LEVEL_DEFAULT): Promise<Transform> {
  const zstd = await Zstd.load();
  zstd.reset();
  zstd.setCompressionLevel(level);
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        // The WASM returns a view into its own memory; copy before the next call reuses it.
        cb(null, Buffer.from(zstd.compressChunk(chunk)));
      } catch (e) {
        cb(e as Error);
      }
    },
    flush(cb) {
      try {
        cb(null, Buffer.from(zstd.compressEnd()));
      } catch (e) {
        cb(e as Error);
      }
    },
  });
}
