import { SymbolModel } from "./arithmetic-models.ts";
import type { ArithmeticEncoder } from "./arithmetic-encoder.ts";
import { IntegerCompressor } from "./integer-compressor.ts";

const MULTI = 500;
const MULTI_MINUS = -10;

/** GPS time predictor shared by GPSTIME11 v2 and POINT14 v3. A double's bit pattern is coded
 * as a 64-bit integer: the difference to the previous time, as a multiple of the previous
 * difference, across up to 4 interleaved time sequences. v2 has extra "unchanged" symbols;
 * v3 only calls here when the time changed. The time is passed as (lo, hi) 32-bit halves. */
export class GpsTimeCoder {
  private readonly v3: boolean;
  private readonly codeFull: number;
  private readonly mMulti: SymbolModel;
  private readonly m0Diff: SymbolModel;
  private readonly ic = new IntegerCompressor(32, 9);
  private last = 0;
  private next = 0;
  private readonly lastLo = new Uint32Array(4);
  private readonly lastHi = new Int32Array(4);
  private readonly lastDiff = new Int32Array(4);
  private readonly extremeCounter = new Int32Array(4);

  constructor(version: 2 | 3) {
    this.v3 = version === 3;
    this.codeFull = MULTI - MULTI_MINUS + (this.v3 ? 1 : 2);
    this.mMulti = new SymbolModel(MULTI - MULTI_MINUS + (this.v3 ? 5 : 6));
    this.m0Diff = new SymbolModel(this.v3 ? 5 : 6);
  }

  init(lo: number, hi: number): void {
    this.mMulti.init();
    this.m0Diff.init();
    this.ic.init();
    this.last = 0;
    this.next = 0;
    this.lastDiff.fill(0);
    this.extremeCounter.fill(0);
    this.lastLo.fill(0);
    this.lastHi.fill(0);
    this.lastLo[0] = lo;
    this.lastHi[0] = hi;
  }

  write(enc: ArithmeticEncoder, lo: number, hi: number): void {
    const last = this.last;
    const unchanged = lo === this.lastLo[last] && hi === this.lastHi[last];
    const diff = this.diffTo(last, lo, hi);
    if (this.lastDiff[last] === 0) {
      const base = this.v3 ? 0 : 1;
      if (!this.v3 && unchanged) {
        enc.encodeSymbol(this.m0Diff, 0);
        return;
      }
      if (diff !== undefined) {
        enc.encodeSymbol(this.m0Diff, base);
        this.ic.compress(enc, 0, diff, 0);
        this.lastDiff[last] = diff;
        this.extremeCounter[last] = 0;
      } else {
        const other = this.otherSequence(lo, hi);
        if (other !== 0) {
          enc.encodeSymbol(this.m0Diff, base + 1 + other);
          this.last = (last + other) & 3;
          this.write(enc, lo, hi);
          return;
        }
        enc.encodeSymbol(this.m0Diff, base + 1);
        this.startSequence(enc, lo, hi);
      }
    } else {
      if (!this.v3 && unchanged) {
        enc.encodeSymbol(this.mMulti, this.codeFull - 1);
        return;
      }
      if (diff !== undefined) {
        this.writeMultiple(enc, diff);
      } else {
        const other = this.otherSequence(lo, hi);
        if (other !== 0) {
          enc.encodeSymbol(this.mMulti, this.codeFull + other);
          this.last = (last + other) & 3;
          this.write(enc, lo, hi);
          return;
        }
        enc.encodeSymbol(this.mMulti, this.codeFull);
        this.startSequence(enc, lo, hi);
      }
    }
    this.lastLo[this.last] = lo;
    this.lastHi[this.last] = hi;
  }

  private writeMultiple(enc: ArithmeticEncoder, diff: number): void {
    const last = this.last;
    const lastDiff = this.lastDiff[last]!;
    // The multiplier choice only affects size, never decodability: the decoder reads it back.
    const ratio = Math.fround(Math.fround(diff) / Math.fround(lastDiff));
    const multi = ratio >= 0 ? Math.trunc(Math.fround(ratio + 0.5)) : Math.trunc(Math.fround(ratio - 0.5));
    if (multi === 1) {
      enc.encodeSymbol(this.mMulti, 1);
      this.ic.compress(enc, lastDiff, diff, 1);
      this.extremeCounter[last] = 0;
    } else if (multi > 0 && multi < MULTI) {
      enc.encodeSymbol(this.mMulti, multi);
      this.ic.compress(enc, Math.imul(multi, lastDiff), diff, multi < 10 ? 2 : 3);
    } else if (multi < 0 && multi > MULTI_MINUS) {
      enc.encodeSymbol(this.mMulti, MULTI - multi);
      this.ic.compress(enc, Math.imul(multi, lastDiff), diff, 5);
    } else {
      if (multi >= MULTI) {
        enc.encodeSymbol(this.mMulti, MULTI);
        this.ic.compress(enc, Math.imul(MULTI, lastDiff), diff, 4);
      } else if (multi <= MULTI_MINUS) {
        enc.encodeSymbol(this.mMulti, MULTI - MULTI_MINUS);
        this.ic.compress(enc, Math.imul(MULTI_MINUS, lastDiff), diff, 6);
      } else {
        enc.encodeSymbol(this.mMulti, 0);
        this.ic.compress(enc, 0, diff, 7);
      }
      if (++this.extremeCounter[last]! > 3) {
        this.lastDiff[last] = diff;
        this.extremeCounter[last] = 0;
      }
    }
  }

  private startSequence(enc: ArithmeticEncoder, lo: number, hi: number): void {
    this.ic.compress(enc, this.lastHi[this.last]!, hi, 8);
    enc.writeInt(lo);
    this.next = (this.next + 1) & 3;
    this.last = this.next;
    this.lastDiff[this.last] = 0;
    this.extremeCounter[this.last] = 0;
  }

  /** 1..3 if the time is within 32 bits of another sequence's last time, else 0. */
  private otherSequence(lo: number, hi: number): number {
    for (let i = 1; i < 4; i++) if (this.diffTo((this.last + i) & 3, lo, hi) !== undefined) return i;
    return 0;
  }

  /** The 64-bit difference to sequence `s` as an int32, or undefined when it does not fit. */
  private diffTo(s: number, lo: number, hi: number): number | undefined {
    const loDiff = lo - this.lastLo[s]!;
    const borrow = loDiff < 0 ? 1 : 0;
    const hiDiff = (hi - this.lastHi[s]! - borrow) | 0;
    const diff = loDiff | 0;
    return hiDiff === diff >> 31 ? diff : undefined;
  }
}
