import { LayeredChunkEncoder } from "./layered-chunk-encoder.ts";
import { isLayered, type LazPointFormat } from "./point-formats.ts";
import { PointwiseChunkEncoder } from "./pointwise-chunk-encoder.ts";

/** Compresses one chunk of raw records; the returned bytes stay valid until the next call. */
export interface ChunkEncoder {
  encodeChunk(records: Uint8Array): Uint8Array;
}

export function createChunkEncoder(format: LazPointFormat, recordLength: number): ChunkEncoder {
  return isLayered(format) ? new LayeredChunkEncoder(format, recordLength) : new PointwiseChunkEncoder(format, recordLength);
}

/** Encodes records into a single LAZ chunk (what sits between two chunk-table entries). */
export function encodeChunk(format: LazPointFormat, recordLength: number, records: Uint8Array): Uint8Array {
  return createChunkEncoder(format, recordLength).encodeChunk(records).slice();
}
