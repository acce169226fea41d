import { ArithmeticEncoder } from "./arithmetic-encoder.ts";
import { ByteSink } from "./byte-sink.ts";
import { IntegerCompressor } from "./integer-compressor.ts";

/** The chunk table LASzip puts after the last chunk: version 0, the chunk count, then each
 * chunk's byte size coded against the previous one. Point counts are implied by the fixed chunk
 * size (only variable-size chunking stores them), so they are not written. */
export function encodeChunkTable(chunkByteSizes: readonly number[]): Uint8Array {
  const sink = new ByteSink(64 + chunkByteSizes.length * 4);
  sink.pushU32(0);
  sink.pushU32(chunkByteSizes.length);
  if (chunkByteSizes.length > 0) {
    const enc = new ArithmeticEncoder(sink);
    enc.init();
    const ic = new IntegerCompressor(32, 2);
    ic.init();
    let previous = 0;
    for (const size of chunkByteSizes) {
      ic.compress(enc, previous, size, 1);
      previous = size;
    }
    enc.done();
  }
  return sink.view().slice();
}
