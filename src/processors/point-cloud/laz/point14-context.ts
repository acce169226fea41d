import { SymbolModel } from "./arithmetic-models.ts";
import { GpsTimeCoder } from "./gps-time-coder.ts";
import { IntegerCompressor } from "./integer-compressor.ts";
import { StreamingMedian5 } from "./streaming-median.ts";

/** All POINT14 v3 state for one scanner channel: the previous point of that channel and every
 * model used to code the next one. Lazily created models live in maps keyed by their context. */
export class Point14Context {
  unused = true;
  readonly last = new Uint8Array(30);
  readonly lastView = new DataView(this.last.buffer);
  lastGpsTimeChange = false;

  readonly mChangedValues = Array.from({ length: 8 }, () => new SymbolModel(128));
  readonly mScannerChannel = new SymbolModel(3);
  readonly mNumberOfReturns = new Map<number, SymbolModel>();
  readonly mReturnNumber = new Map<number, SymbolModel>();
  readonly mReturnNumberGpsSame = new SymbolModel(13);
  readonly icDx = new IntegerCompressor(32, 2);
  readonly icDy = new IntegerCompressor(32, 22);
  readonly icZ = new IntegerCompressor(32, 20);
  readonly mClassification = new Map<number, SymbolModel>();
  readonly mFlags = new Map<number, SymbolModel>();
  readonly mUserData = new Map<number, SymbolModel>();
  readonly icIntensity = new IntegerCompressor(16, 4);
  readonly icScanAngle = new IntegerCompressor(16, 2);
  readonly icPointSourceId = new IntegerCompressor(16);
  readonly gpsTime = new GpsTimeCoder(3);
  readonly xMedian = Array.from({ length: 12 }, () => new StreamingMedian5());
  readonly yMedian = Array.from({ length: 12 }, () => new StreamingMedian5());
  readonly lastZ = new Int32Array(8);
  readonly lastIntensity = new Uint16Array(8);

  /** (Re)starts this context from `item` (30 bytes), as when a chunk or a channel begins. */
  initFrom(item: Uint8Array): void {
    for (const m of this.mChangedValues) m.init();
    this.mScannerChannel.init();
    for (const table of [this.mNumberOfReturns, this.mReturnNumber, this.mClassification, this.mFlags, this.mUserData]) {
      for (const m of table.values()) m.init();
    }
    this.mReturnNumberGpsSame.init();
    for (const ic of [this.icDx, this.icDy, this.icZ, this.icIntensity, this.icScanAngle, this.icPointSourceId]) ic.init();
    for (const m of this.xMedian) m.init();
    for (const m of this.yMedian) m.init();
    this.last.set(item);
    this.lastZ.fill(this.lastView.getInt32(8, true));
    this.lastIntensity.fill(this.lastView.getUint16(12, true));
    this.gpsTime.init(this.lastView.getUint32(22, true), this.lastView.getInt32(26, true));
    this.lastGpsTimeChange = false;
    this.unused = false;
  }
}
