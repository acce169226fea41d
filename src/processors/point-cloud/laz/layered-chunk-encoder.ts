import { ByteSink } from "./byte-sink.ts";
import type { LayeredItemCompressor } from "./layer.ts";
import { Byte14V3Compressor, Rgb14V3Compressor } from "./layered-items.ts";
import { Point14V3Compressor } from "./point14-v3.ts";
import { ITEM_TYPE, itemsFor, type LazPointFormat } from "./point-formats.ts";

/** Compresses chunks of LAS 1.4 records (formats 6–8) with the LASzip layered compressor:
 * the first record raw, the point count, every layer's byte size, then the layers' bytes. */
export class LayeredChunkEncoder {
  readonly recordLength: number;
  private readonly point = new Point14V3Compressor();
  private readonly others: { item: LayeredItemCompressor; offset: number }[] = [];
  private readonly sink = new ByteSink();

  constructor(format: LazPointFormat, recordLength: number) {
    this.recordLength = recordLength;
    let offset = 30;
    for (const item of itemsFor(format, recordLength)) {
      if (item.type === ITEM_TYPE.POINT14) continue;
      const compressor = item.type === ITEM_TYPE.BYTE14 ? new Byte14V3Compressor(item.size) : new Rgb14V3Compressor(item.type === ITEM_TYPE.RGBNIR14);
      this.others.push({ item: compressor, offset });
      offset += item.size;
    }
  }

  /** Same contract as PointwiseChunkEncoder.encodeChunk. */
  encodeChunk(records: Uint8Array): Uint8Array {
    const { recordLength, point, others, sink } = this;
    const count = records.length / recordLength;
    const view = new DataView(records.buffer, records.byteOffset, records.byteLength);
    sink.reset();
    sink.pushBytes(records.subarray(0, recordLength));
    const first = point.init(records, 0);
    for (const { item, offset } of others) item.init(records, offset, first);
    for (let p = 1; p < count; p++) {
      const at = p * recordLength;
      const context = point.write(records, view, at);
      for (const { item, offset } of others) item.write(records, view, at + offset, context);
    }
    const layers = [...point.finish(), ...others.flatMap(({ item }) => item.finish())];
    sink.pushU32(count);
    for (const layer of layers) sink.pushU32(layer.length);
    for (const layer of layers) sink.pushBytes(layer);
    return sink.view();
  }
}
