import { lazyModel } from "./arithmetic-models.ts";
import { Layer, type LayeredItemCompressor } from "./layer.ts";
import { Point14Context } from "./point14-context.ts";
import { NUMBER_RETURN_LEVEL_8CTX, NUMBER_RETURN_MAP_6CTX } from "./return-context-tables.ts";

const flagsOf = (byte15: number): number => ((byte15 >>> 7) << 5) | (((byte15 >>> 6) & 1) << 4) | (byte15 & 15);

/** POINT14 v3 (the 30-byte core of formats 6–10), coded into nine layers so readers can skip
 * attributes. State is kept per scanner channel; a channel switch is coded as a delta. */
export class Point14V3Compressor implements Omit<LayeredItemCompressor, "init" | "write"> {
  private readonly contexts = Array.from({ length: 4 }, () => new Point14Context());
  private current = 0;
  private readonly xy = new Layer(true);
  private readonly z = new Layer(true);
  private readonly classification = new Layer();
  private readonly flags = new Layer();
  private readonly intensity = new Layer();
  private readonly scanAngle = new Layer();
  private readonly userData = new Layer();
  private readonly pointSource = new Layer();
  private readonly gpsTime = new Layer();
  private readonly layers = [this.xy, this.z, this.classification, this.flags, this.intensity, this.scanAngle, this.userData, this.pointSource, this.gpsTime];

  /** Starts a chunk at its first (raw) point; returns the context for the other items. */
  init(src: Uint8Array, at: number): number {
    for (const layer of this.layers) layer.start();
    for (const c of this.contexts) c.unused = true;
    this.current = (src[at + 15]! >>> 4) & 3;
    this.contexts[this.current]!.initFrom(src.subarray(at, at + 30));
    return this.current;
  }

  /** Codes one point. Returns the context the other items must use: the new channel when it
   * changed at this point, else 0. That is what LASzip 3.x writes and reads (LASzip issue #74),
   * so it is the de facto format even though it looks like a bug. */
  write(src: Uint8Array, view: DataView, at: number): number {
    let ctx = this.contexts[this.current]!;
    const lastR0 = ctx.last[14]! & 15;
    const lastN0 = ctx.last[14]! >>> 4;
    const lpr = (lastR0 === 1 ? 1 : 0) + (lastR0 >= lastN0 ? 2 : 0) + (ctx.lastGpsTimeChange ? 4 : 0);

    const channel = (src[at + 15]! >>> 4) & 3;
    const target = this.contexts[channel]!;
    // the reference point: the target channel's last point if it has one, else this channel's
    const ref = channel !== this.current && !target.unused ? target : ctx;
    const rv = ref.lastView;
    const pointSource = view.getUint16(at + 20, true);
    const pointSourceChange = pointSource !== rv.getUint16(20, true);
    const gpsLo = view.getUint32(at + 22, true);
    const gpsHi = view.getInt32(at + 26, true);
    const gpsChange = gpsLo !== rv.getUint32(22, true) || gpsHi !== rv.getInt32(26, true);
    const scanAngle = view.getInt16(at + 18, true);
    const scanAngleChange = scanAngle !== rv.getInt16(18, true);
    const lastN = ref.last[14]! >>> 4;
    const lastR = ref.last[14]! & 15;
    const n = src[at + 14]! >>> 4;
    const r = src[at + 14]! & 15;

    let changed = (channel !== this.current ? 64 : 0) | (pointSourceChange ? 32 : 0) | (gpsChange ? 16 : 0) | (scanAngleChange ? 8 : 0) | (n !== lastN ? 4 : 0);
    if (r !== lastR) changed |= r === ((lastR + 1) & 15) ? 1 : r === ((lastR + 15) & 15) ? 2 : 3;
    const xy = this.xy.enc;
    xy.encodeSymbol(ctx.mChangedValues[lpr]!, changed);

    let itemContext = 0;
    if (changed & 64) {
      const diff = channel - this.current;
      xy.encodeSymbol(ctx.mScannerChannel, diff > 0 ? diff - 1 : diff + 3);
      if (target.unused) target.initFrom(ctx.last);
      this.current = channel;
      itemContext = channel;
      ctx = target;
    }
    const last = ctx.last;
    const lv = ctx.lastView;

    if (changed & 4) xy.encodeSymbol(lazyModel(ctx.mNumberOfReturns, lastN, 16), n);
    if ((changed & 3) === 3) {
      if (gpsChange) xy.encodeSymbol(lazyModel(ctx.mReturnNumber, lastR, 16), r);
      else xy.encodeSymbol(ctx.mReturnNumberGpsSame, (r - lastR + 14) & 15);
    }

    const m = NUMBER_RETURN_MAP_6CTX[n]![r]!;
    const l = NUMBER_RETURN_LEVEL_8CTX[n]![r]!;
    const cpr = (r === 1 ? 2 : 0) + (r >= n ? 1 : 0);
    const gps = gpsChange ? 1 : 0;
    const single = n === 1 ? 1 : 0;
    const median = (m << 1) | gps;

    const dx = (view.getInt32(at, true) - lv.getInt32(0, true)) | 0;
    ctx.icDx.compress(xy, ctx.xMedian[median]!.get(), dx, single);
    ctx.xMedian[median]!.add(dx);
    let k = ctx.icDx.k;
    const dy = (view.getInt32(at + 4, true) - lv.getInt32(4, true)) | 0;
    ctx.icDy.compress(xy, ctx.yMedian[median]!.get(), dy, single + (k < 20 ? k & ~1 : 20));
    ctx.yMedian[median]!.add(dy);

    k = (ctx.icDx.k + ctx.icDy.k) >>> 1;
    const z = view.getInt32(at + 8, true);
    ctx.icZ.compress(this.z.enc, ctx.lastZ[l]!, z, single + (k < 18 ? k & ~1 : 18));
    ctx.lastZ[l] = z;

    const lastClass = last[16]!;
    const cls = src[at + 16]!;
    if (cls !== lastClass) this.classification.changed = true;
    this.classification.enc.encodeSymbol(lazyModel(ctx.mClassification, ((lastClass & 0x1f) << 1) + (cpr === 3 ? 1 : 0)), cls);

    const lastFlags = flagsOf(last[15]!);
    const flags = flagsOf(src[at + 15]!);
    if (flags !== lastFlags) this.flags.changed = true;
    this.flags.enc.encodeSymbol(lazyModel(ctx.mFlags, lastFlags, 64), flags);

    const intensity = view.getUint16(at + 12, true);
    if (intensity !== lv.getUint16(12, true)) this.intensity.changed = true;
    ctx.icIntensity.compress(this.intensity.enc, ctx.lastIntensity[(cpr << 1) | gps]!, intensity, cpr);
    ctx.lastIntensity[(cpr << 1) | gps] = intensity;

    if (scanAngleChange) {
      this.scanAngle.changed = true;
      ctx.icScanAngle.compress(this.scanAngle.enc, lv.getInt16(18, true), scanAngle, gps);
    }

    const userData = src[at + 17]!;
    if (userData !== last[17]) this.userData.changed = true;
    this.userData.enc.encodeSymbol(lazyModel(ctx.mUserData, last[17]! >>> 2), userData);

    if (pointSourceChange) {
      this.pointSource.changed = true;
      ctx.icPointSourceId.compress(this.pointSource.enc, lv.getUint16(20, true), pointSource);
    }

    if (gpsChange) {
      this.gpsTime.changed = true;
      ctx.gpsTime.write(this.gpsTime.enc, gpsLo, gpsHi);
    }

    last.set(src.subarray(at, at + 30));
    ctx.lastGpsTimeChange = gpsChange;
    return itemContext;
  }

  finish(): Uint8Array[] {
    return this.layers.map((layer) => layer.finish());
  }
}
