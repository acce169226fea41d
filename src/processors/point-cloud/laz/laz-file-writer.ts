import { open } from "node:fs/promises";
import { AppError } from "../../../contracts/app-error.ts";
import { encodeChunkTable } from "./chunk-table.ts";
import { createChunkEncoder, type ChunkEncoder } from "./chunk-encoder.ts";
import { buildLaszipVlr, toLazHeader } from "./laszip-vlr.ts";
import { baseRecordLength, isLayered, itemsFor, type LazPointFormat } from "./point-formats.ts";

export interface LazFileWriterOptions {
  /** The uncompressed LAS file's header block + VLRs, exactly as an uncompressed LAS writer would write them (point counts/bounds may be placeholders). */
  headerTemplate: Uint8Array;
  pointFormat: 0 | 1 | 2 | 3 | 6 | 7 | 8;
  /** Point record length in bytes (≥ the format's base size; the rest are extra bytes). */
  recordLength: number;
  /** Default: 50 000. */
  chunkSize?: number;
}

export const LAZ_FILE_WRITER_DEFAULTS = { chunkSize: 50_000 } as const;

export interface LazFileWriter {
  /** Raw LAS point records, count = records.byteLength / recordLength. Memory stays bounded by the chunk size. */
  write(records: Uint8Array): Promise<void>;
  /** finalHeader: the final LAS header block + VLRs (same length as the template) with counts and bounds. The writer sets the compressed bit on the point format id (bit 7), adds the laszip VLR (adjusting header size fields, number of VLRs and offset to point data), and writes the chunk table. */
  close(finalHeader: Uint8Array): Promise<void>;
}

/** Streams LAS point records into a LAZ file at `path`. Call write/close one at a time (await
 * each); the file is incomplete until close() resolves. */
export async function createLazFileWriter(path: string, options: LazFileWriterOptions): Promise<LazFileWriter> {
  const format = options.pointFormat;
  const chunkSize = options.chunkSize ?? LAZ_FILE_WRITER_DEFAULTS.chunkSize;
  validate(format, options.recordLength, chunkSize);
  const { recordLength, headerTemplate } = options;
  const vlr = buildLaszipVlr(itemsFor(format, recordLength), chunkSize, isLayered(format));
  const header = toLazHeader(headerTemplate, vlr);
  const encoder: ChunkEncoder = createChunkEncoder(format, recordLength);

  const file = await open(path, "w");
  const chunkBytes: number[] = [];
  const chunkLength = chunkSize * recordLength;
  // grows up to one chunk, so a huge chunk size on a small file does not allocate it all up front
  let pending = new Uint8Array(Math.min(chunkLength, 65_536 * recordLength));
  let pendingLength = 0;
  let position = header.length + 8; // the 8 bytes hold the chunk table offset, patched on close
  let closed = false;
  let handleOpen = true;
  const release = async (): Promise<void> => {
    if (!handleOpen) return;
    handleOpen = false;
    await file.close();
  };

  const append = async (bytes: Uint8Array): Promise<void> => {
    await file.write(bytes, 0, bytes.length, position).catch(async (error: unknown) => {
      // a failed write leaves a useless file: release the handle now, the caller cannot close()
      closed = true;
      await release().catch(() => undefined);
      throw writeError(error);
    });
    position += bytes.length;
  };
  const flushChunk = async (): Promise<void> => {
    if (pendingLength === 0) return;
    const bytes = encoder.encodeChunk(pending.subarray(0, pendingLength));
    chunkBytes.push(bytes.length);
    pendingLength = 0;
    await append(bytes);
  };

  try {
    await file.write(header, 0, header.length, 0);
  } catch (error) {
    await file.close();
    throw writeError(error);
  }

  return {
    async write(records) {
      if (closed) throw new AppError("INTERNAL", "LAZ writer: write() after close()", { stage: "laz-encode" });
      if (records.length % recordLength !== 0) {
        throw new AppError("INVALID_PARAMS", `LAZ writer: ${records.length} bytes is not a whole number of ${recordLength}-byte records`, { stage: "laz-encode" });
      }
      let offset = 0;
      while (offset < records.length) {
        if (pendingLength === pending.length && pending.length < chunkLength) {
          const grown = new Uint8Array(Math.min(chunkLength, pending.length * 2));
          grown.set(pending);
          pending = grown;
        }
        const take = Math.min(records.length - offset, pending.length - pendingLength);
        pending.set(records.subarray(offset, offset + take), pendingLength);
        pendingLength += take;
        offset += take;
        if (pendingLength === chunkLength) await flushChunk();
      }
    },

    async close(finalHeader) {
      if (closed) return;
      closed = true;
      try {
        if (finalHeader.length !== headerTemplate.length) {
          throw new AppError("INVALID_PARAMS", `LAZ writer: final header is ${finalHeader.length} bytes, the template was ${headerTemplate.length}`, { stage: "laz-encode" });
        }
        await flushChunk();
        const tableOffset = position;
        await append(encodeChunkTable(chunkBytes));
        const offsetBytes = new Uint8Array(8);
        new DataView(offsetBytes.buffer).setBigInt64(0, BigInt(tableOffset), true);
        await file.write(offsetBytes, 0, 8, header.length);
        const lazHeader = toLazHeader(finalHeader, vlr);
        await file.write(lazHeader, 0, lazHeader.length, 0);
      } catch (error) {
        throw writeError(error);
      } finally {
        await release();
      }
    },
  };
}

function writeError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = `LAZ writer: writing the file failed: ${error instanceof Error ? error.message : String(error)}`;
  return new AppError(code === "ENOSPC" ? "INSUFFICIENT_DISK" : "INTERNAL", message, { stage: "laz-encode", cause: error });
}

function validate(format: LazPointFormat, recordLength: number, chunkSize: number): void {
  if (![0, 1, 2, 3, 6, 7, 8].includes(format)) {
    throw new AppError("UNSUPPORTED_FORMAT", `LAZ writer: point format ${String(format)} is not supported (0–3, 6–8 are)`, { stage: "laz-encode" });
  }
  const base = baseRecordLength(format);
  if (!Number.isInteger(recordLength) || recordLength < base || recordLength > 0xffff) {
    throw new AppError("INVALID_PARAMS", `LAZ writer: record length ${recordLength} is invalid for point format ${format} (at least ${base})`, { stage: "laz-encode" });
  }
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize >= 0xffffffff) {
    throw new AppError("INVALID_PARAMS", `LAZ writer: chunk size ${chunkSize} must be an integer from 1 to 2^32 - 2`, { stage: "laz-encode" });
  }
}
