import { lazyModel, SymbolModel } from "./arithmetic-models.ts";
import type { ArithmeticEncoder } from "./arithmetic-encoder.ts";
import { IntegerCompressor } from "./integer-compressor.ts";
import { NUMBER_RETURN_LEVEL, NUMBER_RETURN_MAP } from "./return-context-tables.ts";
import { StreamingMedian5 } from "./streaming-median.ts";

/** POINT10 v2 (the 20-byte core of formats 0–5): a change mask for the small fields, then
 * X/Y as deltas against a running median per return context, Z against the last Z per level. */
export class Point10V2Compressor {
  readonly size = 20;
  private readonly mChangedValues = new SymbolModel(64);
  private readonly icIntensity = new IntegerCompressor(16, 4);
  private readonly mScanAngleRank = [new SymbolModel(256), new SymbolModel(256)];
  private readonly icPointSourceId = new IntegerCompressor(16);
  private readonly mBitByte = new Map<number, SymbolModel>();
  private readonly mClassification = new Map<number, SymbolModel>();
  private readonly mUserData = new Map<number, SymbolModel>();
  private readonly icDx = new IntegerCompressor(32, 2);
  private readonly icDy = new IntegerCompressor(32, 22);
  private readonly icZ = new IntegerCompressor(32, 20);
  private readonly xMedian = Array.from({ length: 16 }, () => new StreamingMedian5());
  private readonly yMedian = Array.from({ length: 16 }, () => new StreamingMedian5());
  private readonly lastIntensity = new Uint16Array(16);
  private readonly lastHeight = new Int32Array(8);
  private readonly last = new Uint8Array(20);
  private readonly lastView = new DataView(this.last.buffer);

  init(src: Uint8Array, at: number): void {
    for (const m of this.xMedian) m.init();
    for (const m of this.yMedian) m.init();
    this.lastIntensity.fill(0);
    this.lastHeight.fill(0);
    this.mChangedValues.init();
    this.icIntensity.init();
    for (const m of this.mScanAngleRank) m.init();
    this.icPointSourceId.init();
    for (const table of [this.mBitByte, this.mClassification, this.mUserData]) for (const m of table.values()) m.init();
    this.icDx.init();
    this.icDy.init();
    this.icZ.init();
    this.last.set(src.subarray(at, at + 20));
  }

  write(enc: ArithmeticEncoder, src: Uint8Array, view: DataView, at: number): void {
    const last = this.last;
    const lv = this.lastView;
    const bitByte = src[at + 14]!;
    const r = bitByte & 7;
    const n = (bitByte >>> 3) & 7;
    const m = NUMBER_RETURN_MAP[n]![r]!;
    const l = NUMBER_RETURN_LEVEL[n]![r]!;
    const intensity = view.getUint16(at + 12, true);
    const pointSourceId = view.getUint16(at + 18, true);
    const lastPointSourceId = lv.getUint16(18, true);

    const changed =
      (last[14] !== bitByte ? 32 : 0) |
      (this.lastIntensity[m] !== intensity ? 16 : 0) |
      (last[15] !== src[at + 15] ? 8 : 0) |
      (last[16] !== src[at + 16] ? 4 : 0) |
      (last[17] !== src[at + 17] ? 2 : 0) |
      (lastPointSourceId !== pointSourceId ? 1 : 0);
    enc.encodeSymbol(this.mChangedValues, changed);

    if (changed & 32) enc.encodeSymbol(lazyModel(this.mBitByte, last[14]!), bitByte);
    if (changed & 16) {
      this.icIntensity.compress(enc, this.lastIntensity[m]!, intensity, m < 3 ? m : 3);
      this.lastIntensity[m] = intensity;
    }
    if (changed & 8) enc.encodeSymbol(lazyModel(this.mClassification, last[15]!), src[at + 15]!);
    if (changed & 4) enc.encodeSymbol(this.mScanAngleRank[(bitByte >>> 6) & 1]!, (src[at + 16]! - last[16]!) & 0xff);
    if (changed & 2) enc.encodeSymbol(lazyModel(this.mUserData, last[17]!), src[at + 17]!);
    if (changed & 1) this.icPointSourceId.compress(enc, lastPointSourceId, pointSourceId);

    const single = n === 1 ? 1 : 0;
    const dx = (view.getInt32(at, true) - lv.getInt32(0, true)) | 0;
    this.icDx.compress(enc, this.xMedian[m]!.get(), dx, single);
    this.xMedian[m]!.add(dx);

    let k = this.icDx.k;
    const dy = (view.getInt32(at + 4, true) - lv.getInt32(4, true)) | 0;
    this.icDy.compress(enc, this.yMedian[m]!.get(), dy, single + (k < 20 ? k & ~1 : 20));
    this.yMedian[m]!.add(dy);

    k = (this.icDx.k + this.icDy.k) >>> 1;
    const z = view.getInt32(at + 8, true);
    this.icZ.compress(enc, this.lastHeight[l]!, z, single + (k < 18 ? k & ~1 : 18));
    this.lastHeight[l] = z;

    last.set(src.subarray(at, at + 20));
  }
}
