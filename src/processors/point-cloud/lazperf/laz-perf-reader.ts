import { open } from "node:fs/promises";
import { AppError } from "../../../contracts/app-error.ts";
import type { PointChunk, PointCloudSource } from "../point-chunk.ts";
import type { LasPreamble } from "../las/las-preamble.ts";
import { decodeLasRecords } from "../las/las-record-decoder.ts";
import { readLazChunkIndex } from "./laz-chunk-index.ts";
import { lazPerf } from "./laz-perf-module.ts";

/** Decodes LAZ and COPC (LAZ 1.4 with variable chunks) chunk by chunk with laz-perf's ChunkDecoder:
 * the chunk table says where each chunk lies, so memory is one compressed chunk plus one batch of
 * decoded records, whatever the file size. */
export async function openLazPerfSource(path: string, pre: LasPreamble, chunkSize: number): Promise<PointCloudSource> {
  const { las, layout, header } = pre;
  const fh = await open(path, "r");
  let index;
  try {
    index = await readLazChunkIndex(fh, pre);
  } catch (error) {
    await fh.close();
    throw error;
  }
  const { chunks } = index;
  const lp = await lazPerf();
  const codec = { layout, recordLength: las.recordLength, scale: las.scale, offset: las.offset };
  const inPtr = lp._malloc(Math.max(index.largestChunkBytes, 1));
  const outPtr = lp._malloc(chunkSize * las.recordLength);
  if (!inPtr || !outPtr) {
    await fh.close();
    throw new AppError("INPUT_TOO_LARGE", `A LAZ chunk of ${index.largestChunkBytes} bytes does not fit laz-perf's memory`);
  }
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    lp._free(inPtr);
    lp._free(outPtr);
    await fh.close();
  };
  return {
    header,
    async *points(signal?: AbortSignal): AsyncGenerator<PointChunk> {
      const compressed = new Uint8Array(index.largestChunkBytes);
      let done = 0;
      for (const chunk of chunks) {
        if (done >= las.pointCount) break;
        const { bytesRead } = await fh.read(compressed, 0, chunk.byteLength, chunk.offset);
        if (bytesRead < chunk.byteLength) throw new AppError("INPUT_CORRUPT", `LAZ chunk at ${chunk.offset} is cut off: truncated file`);
        lp.HEAPU8.set(compressed.subarray(0, chunk.byteLength), inPtr);
        const decoder = new lp.ChunkDecoder();
        try {
          decoder.open(las.pointFormat, las.recordLength, inPtr);
          for (let left = Math.min(chunk.points, las.pointCount - done); left > 0;) {
            signal?.throwIfAborted();
            const n = Math.min(chunkSize, left);
            try {
              for (let i = 0; i < n; i++) decoder.getPoint(outPtr + i * las.recordLength);
            } catch (cause) {
              throw new AppError("INPUT_CORRUPT", `LAZ chunk at ${chunk.offset} fails to decode after ${done} points`, { cause });
            }
            // The heap may have grown (and moved) since the last batch: read HEAPU8 afresh.
            yield decodeLasRecords(lp.HEAPU8.slice(outPtr, outPtr + n * las.recordLength), n, codec);
            left -= n;
            done += n;
          }
        } finally {
          decoder.delete();
        }
      }
    },
    close: release,
  };
}
