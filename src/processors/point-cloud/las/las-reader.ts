import { open } from "node:fs/promises";
import { AppError } from "../../../contracts/app-error.ts";
import { READER_DEFAULTS, type PointChunk, type PointCloudSource } from "../point-chunk.ts";
import { openLazPerfSource } from "../lazperf/laz-perf-reader.ts";
import { decodeLasRecords } from "./las-record-decoder.ts";
import { readLasPreamble } from "./las-preamble.ts";

export interface LasReaderOptions {
  /** Default: READER_DEFAULTS.chunkSize. */
  chunkSize?: number;
}

/** Opens a LAS, LAZ or COPC file; compressed ones are decoded through laz-perf. */
export async function openLasSource(path: string, options: LasReaderOptions = {}): Promise<PointCloudSource> {
  const chunkSize = options.chunkSize ?? READER_DEFAULTS.chunkSize;
  const fh = await open(path, "r");
  try {
    const pre = await readLasPreamble(fh);
    if (pre.las.compressed) {
      await fh.close();
      return await openLazPerfSource(path, pre, chunkSize);
    }
    const { las, layout, header } = pre;
    const codec = { layout, recordLength: las.recordLength, scale: las.scale, offset: las.offset };
    return {
      header,
      async *points(signal?: AbortSignal): AsyncGenerator<PointChunk> {
        const buf = new Uint8Array(chunkSize * las.recordLength);
        for (let done = 0; done < las.pointCount;) {
          signal?.throwIfAborted();
          const n = Math.min(chunkSize, las.pointCount - done);
          const want = n * las.recordLength;
          const { bytesRead } = await fh.read(buf, 0, want, las.offsetToPointData + done * las.recordLength);
          if (bytesRead < want) throw new AppError("INPUT_CORRUPT", `LAS file ends after ${done + Math.floor(bytesRead / las.recordLength)} of ${las.pointCount} points`);
          yield decodeLasRecords(buf.subarray(0, want), n, codec);
          done += n;
        }
      },
      close: () => fh.close(),
    };
  } catch (error) {
    await fh.close().catch(() => undefined);
    throw error;
  }
}
