import { ArithmeticEncoder } from "../../point-cloud/laz/arithmetic-encoder.ts";
import { ByteSink } from "../../point-cloud/laz/byte-sink.ts";
import { IntegerCompressor } from "../../point-cloud/laz/integer-compressor.ts";

/** LASzip's chunk table for variable-size chunks (chunk_size 0xFFFFFFFF, as COPC requires):
 * version 0, the chunk count, then per chunk its point count (context 0) and byte size
 * (context 1), each coded against the previous chunk's. */
export function encodeVariableChunkTable(chunks: readonly { points: number; bytes: number }[]): Uint8Array {
  const sink = new ByteSink(64 + chunks.length * 8);
  sink.pushU32(0);
  sink.pushU32(chunks.length);
  if (chunks.length > 0) {
    const enc = new ArithmeticEncoder(sink);
    enc.init();
    const ic = new IntegerCompressor(32, 2);
    ic.init();
    let points = 0,
      bytes = 0;
    for (const c of chunks) {
      ic.compress(enc, points, c.points, 0);
      ic.compress(enc, bytes, c.bytes, 1);
      points = c.points;
      bytes = c.bytes;
    }
    enc.done();
  }
  return sink.view().slice();
}
