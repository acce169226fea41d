import { ArithmeticEncoder } from "./arithmetic-encoder.ts";
import { ByteSink } from "./byte-sink.ts";
import { ITEM_TYPE, itemsFor, type LazPointFormat } from "./point-formats.ts";
import { Point10V2Compressor } from "./point10-v2.ts";
import { ByteV2Compressor, GpsTime11V2Compressor, Rgb12V2Compressor, type PointwiseItemCompressor } from "./pointwise-items.ts";

/** Compresses whole chunks of LAS 1.0–1.3 style records (formats 0–3) with the LASzip
 * point-wise compressor: the first record raw, then every item of every record through one
 * arithmetic coder, whose models restart at every chunk. */
export class PointwiseChunkEncoder {
  readonly recordLength: number;
  private readonly items: PointwiseItemCompressor[];
  private readonly sink = new ByteSink();
  private readonly enc = new ArithmeticEncoder(this.sink);

  constructor(format: LazPointFormat, recordLength: number) {
    this.recordLength = recordLength;
    this.items = itemsFor(format, recordLength).map((item): PointwiseItemCompressor => {
      switch (item.type) {
        case ITEM_TYPE.POINT10:
          return new Point10V2Compressor();
        case ITEM_TYPE.GPSTIME11:
          return new GpsTime11V2Compressor();
        case ITEM_TYPE.RGB12:
          return new Rgb12V2Compressor();
        default:
          return new ByteV2Compressor(item.size);
      }
    });
  }

  /** Encodes `records` (a whole number of records, at least one). The returned bytes are valid
   * until the next call: the sink is reused to keep memory flat across chunks. */
  encodeChunk(records: Uint8Array): Uint8Array {
    const { recordLength, items, enc } = this;
    const count = records.length / recordLength;
    const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
    this.sink.reset();
    this.sink.pushBytes(records.subarray(0, recordLength));
    let offset = 0;
    for (const item of items) {
      item.init(records, offset);
      offset += item.size;
    }
    enc.init();
    for (let p = 1; p < count; p++) {
      let at = p * recordLength;
      for (const item of items) {
        item.write(enc, records, view, at);
        at += item.size;
      }
    }
    enc.done();
    return this.sink.view();
  }
}
