import { BitModel, SymbolModel } from "./arithmetic-models.ts";
import type { ArithmeticEncoder } from "./arithmetic-encoder.ts";

/** LASzip's IntegerCompressor: codes `real - pred` as a bucket k (the correction needs k bits)
 * with a per-context model, then the position inside the bucket ("k-bits corrector"); buckets
 * wider than `bitsHigh` send their low bits raw. */
export class IntegerCompressor {
  private readonly corrBits: number;
  private readonly corrRange: number;
  private readonly corrMin: number;
  private readonly corrMax: number;
  private readonly bitsHigh: number;
  private readonly mBits: SymbolModel[];
  private readonly mCorrector0 = new BitModel();
  private readonly mCorrector: SymbolModel[];
  /** The k of the last compressed value; the POINT items use it as context for the next field. */
  k = 0;

  constructor(bits = 16, contexts = 1, bitsHigh = 8) {
    if (bits > 0 && bits < 32) {
      this.corrBits = bits;
      this.corrRange = 2 ** bits;
      this.corrMin = -(this.corrRange / 2);
      this.corrMax = this.corrMin + this.corrRange - 1;
    } else {
      this.corrBits = 32;
      this.corrRange = 0;
      this.corrMin = -0x80000000;
      this.corrMax = 0x7fffffff;
    }
    this.bitsHigh = bitsHigh;
    this.mBits = Array.from({ length: contexts }, () => new SymbolModel(this.corrBits + 1));
    this.mCorrector = [new SymbolModel(2)]; // index 0 is the bit model; placeholder keeps indexes aligned
    for (let i = 1; i <= this.corrBits; i++) {
      this.mCorrector.push(new SymbolModel(i <= bitsHigh ? 2 ** i : 2 ** bitsHigh));
    }
  }

  /** Resets all models, as at the start of every chunk. */
  init(): void {
    for (const m of this.mBits) m.init();
    this.mCorrector0.init();
    for (let i = 1; i <= this.corrBits; i++) this.mCorrector[i]!.init();
    this.k = 0;
  }

  compress(enc: ArithmeticEncoder, pred: number, real: number, context = 0): void {
    let corr = this.corrBits === 32 ? (real - pred) | 0 : real - pred;
    if (corr < this.corrMin) corr += this.corrRange;
    else if (corr > this.corrMax) corr -= this.corrRange;
    this.writeCorrector(enc, corr, this.mBits[context]!);
  }

  private writeCorrector(enc: ArithmeticEncoder, c: number, mBits: SymbolModel): void {
    // the tightest interval [-(2^k - 1), 2^k] that contains c; c1 < 2^32 so clz32 gives its bit length
    const c1 = c <= 0 ? -c : c - 1;
    const k = 32 - Math.clz32(c1);
    this.k = k;
    enc.encodeSymbol(mBits, k);
    if (k === 0) {
      enc.encodeBit(this.mCorrector0, c);
      return;
    }
    if (k >= 32) return;
    // now 0 <= c < 2^k <= 2^31, so 32-bit operators are exact
    c = c < 0 ? c + (2 ** k - 1) : c - 1;
    if (k <= this.bitsHigh) {
      enc.encodeSymbol(this.mCorrector[k]!, c);
    } else {
      const k1 = k - this.bitsHigh;
      enc.encodeSymbol(this.mCorrector[k]!, c >>> k1);
      enc.writeBits(k1, c & ((1 << k1) - 1));
    }
  }
}
