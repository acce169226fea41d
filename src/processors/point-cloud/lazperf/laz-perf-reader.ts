import { open, type FileHandle } from "node:fs/promises";
import { AppError } from "../../../contracts/app-error.ts";
import type { PointChunk, PointCloudSource } from "../point-chunk.ts";
import type { LasPreamble } from "../las/las-preamble.ts";
import { decodeLasRecords } from "../las/las-record-decoder.ts";
import { lazPerf } from "./laz-perf-module.ts";

const COPY_BLOCK = 8 << 20;

/** Decodes LAZ (and COPC, which is LAZ 1.4 with variable chunks) through laz-perf's LASZip.
 * laz-perf wants the whole compressed file in WASM memory, so memory is the compressed size plus
 * one chunk of decoded records; the file is copied in blocks and never held twice in JS. */
export async function openLazPerfSource(path: string, pre: LasPreamble, chunkSize: number): Promise<PointCloudSource> {
  const { las, layout, header, fileSize } = pre;
  const fh = await open(path, "r");
  const lp = await lazPerf();
  let filePtr = 0, outPtr = 0;
  const zip = new lp.LASZip();
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    zip.delete();
    if (filePtr) lp._free(filePtr);
    if (outPtr) lp._free(outPtr);
    filePtr = outPtr = 0;
  };
  try {
    const tablePtr = new DataView(new ArrayBuffer(8));
    await fh.read(new Uint8Array(tablePtr.buffer), 0, 8, las.offsetToPointData);
    const chunkTable = Number(tablePtr.getBigInt64(0, true));
    if (chunkTable > fileSize || chunkTable < -1) {
      throw new AppError("INPUT_CORRUPT", `LAZ chunk table offset ${chunkTable} lies beyond the end of the file (${fileSize} bytes): truncated file`);
    }
    await checkChunkCount(fh, pre, chunkTable);
    filePtr = lp._malloc(fileSize);
    if (!filePtr) throw new AppError("INPUT_TOO_LARGE", `Cannot fit ${fileSize} bytes of LAZ into laz-perf's memory`);
    const block = new Uint8Array(Math.min(COPY_BLOCK, fileSize));
    for (let pos = 0; pos < fileSize; pos += block.byteLength) {
      const { bytesRead } = await fh.read(block, 0, Math.min(block.byteLength, fileSize - pos), pos);
      lp.HEAPU8.set(block.subarray(0, bytesRead), filePtr + pos);
    }
    await fh.close();
    try {
      zip.open(filePtr, fileSize);
    } catch (cause) {
      throw new AppError("INPUT_CORRUPT", `laz-perf cannot open the LAZ data: ${String(cause)}`, { cause });
    }
    if (zip.getPointLength() !== las.recordLength) {
      throw new AppError("INPUT_CORRUPT", `LAZ record length ${zip.getPointLength()} disagrees with the header's ${las.recordLength}`);
    }
  } catch (error) {
    release();
    await fh.close().catch(() => undefined);
    throw error;
  }
  const codec = { layout, recordLength: las.recordLength, scale: las.scale, offset: las.offset };
  return {
    header,
    async *points(signal?: AbortSignal): AsyncGenerator<PointChunk> {
      outPtr = lp._malloc(chunkSize * las.recordLength);
      for (let done = 0; done < las.pointCount; ) {
        signal?.throwIfAborted();
        const n = Math.min(chunkSize, las.pointCount - done);
        try {
          for (let i = 0; i < n; i++) zip.getPoint(outPtr + i * las.recordLength);
        } catch (cause) {
          throw new AppError("INPUT_CORRUPT", `LAZ data ends or breaks after about ${done} of ${las.pointCount} points`, { cause });
        }
        // The heap may have grown (and moved) since the last chunk: read HEAPU8 afresh.
        const records = lp.HEAPU8.slice(outPtr, outPtr + n * las.recordLength);
        yield decodeLasRecords(records, n, codec);
        done += n;
        await Promise.resolve();
      }
    },
    close: async () => release(),
  };
}

/** A header that claims more points than the chunks hold would make the decoder read garbage:
 * with fixed-size chunks, the (uncompressed) chunk count in the table bounds the real point count. */
async function checkChunkCount(fh: FileHandle, pre: LasPreamble, chunkTable: number): Promise<void> {
  const laszip = pre.vlrs.find((v) => v.userId === "laszip encoded" && v.recordId === 22204);
  if (!laszip || laszip.data.byteLength < 16) throw new AppError("INPUT_CORRUPT", "LAZ file has no laszip VLR");
  const chunkSize = new DataView(laszip.data.buffer, laszip.data.byteOffset).getUint32(12, true);
  if (chunkTable < 0 || chunkSize === 0xffffffff || chunkSize === 0) return;
  const head = new Uint8Array(8);
  const { bytesRead } = await fh.read(head, 0, 8, chunkTable);
  if (bytesRead < 8) throw new AppError("INPUT_CORRUPT", "LAZ chunk table is cut off: truncated file");
  const chunks = new DataView(head.buffer).getUint32(4, true);
  if (chunks * chunkSize < pre.las.pointCount) {
    throw new AppError("INPUT_CORRUPT", `LAZ header announces ${pre.las.pointCount} points but its ${chunks} chunks of ${chunkSize} hold at most ${chunks * chunkSize}`, {
      details: { pointCount: pre.las.pointCount, chunks, chunkSize },
    });
  }
}
