import { BM_LENGTH_SHIFT, DM_LENGTH_SHIFT, type BitModel, type SymbolModel } from "./arithmetic-models.ts";
import { ByteSink } from "./byte-sink.ts";

const MIN_LENGTH = 0x01000000;
const MAX_LENGTH = 0xffffffff;

/** LASzip's range coder (Amir Said's FastAC). All state is unsigned 32-bit; JS numbers hold the
 * products exactly (< 2^53), and `>>> 0` brings sums back into u32 so a carry shows as base < old. */
export class ArithmeticEncoder {
  readonly out: ByteSink;
  private base = 0;
  private length = MAX_LENGTH;

  constructor(out: ByteSink = new ByteSink()) {
    this.out = out;
  }

  /** Starts a new stream at the sink's current end. */
  init(): void {
    this.base = 0;
    this.length = MAX_LENGTH;
  }

  encodeBit(model: BitModel, bit: number): void {
    const x = model.bit0Prob * (this.length >>> BM_LENGTH_SHIFT);
    if (bit === 0) {
      this.length = x;
      model.bit0Count++;
    } else {
      const initBase = this.base;
      this.base = (this.base + x) >>> 0;
      this.length = (this.length - x) >>> 0;
      if (initBase > this.base) this.propagateCarry();
    }
    if (this.length < MIN_LENGTH) this.renormalize();
    if (--model.bitsUntilUpdate === 0) model.update();
  }

  encodeSymbol(model: SymbolModel, symbol: number): void {
    const initBase = this.base;
    const unit = this.length >>> DM_LENGTH_SHIFT;
    const x = model.distribution[symbol]! * unit;
    this.base = (this.base + x) >>> 0;
    // the last symbol takes the whole remainder of the interval, rounding slack included
    if (symbol === model.lastSymbol) this.length = (this.length - x) >>> 0;
    else this.length = (model.distribution[symbol + 1]! * unit - x) >>> 0;
    if (initBase > this.base) this.propagateCarry();
    if (this.length < MIN_LENGTH) this.renormalize();
    model.symbolCount[symbol]!++;
    if (--model.symbolsUntilUpdate === 0) model.update();
  }

  /** Raw bits without a model; `bits` ≤ 32. */
  writeBits(bits: number, value: number): void {
    if (bits > 19) {
      this.writeShort(value & 0xffff);
      value = value >>> 16;
      bits -= 16;
    }
    const initBase = this.base;
    this.length = this.length >>> bits;
    this.base = (this.base + value * this.length) >>> 0;
    if (initBase > this.base) this.propagateCarry();
    if (this.length < MIN_LENGTH) this.renormalize();
  }

  writeShort(value: number): void {
    const initBase = this.base;
    this.length = this.length >>> 16;
    this.base = (this.base + value * this.length) >>> 0;
    if (initBase > this.base) this.propagateCarry();
    if (this.length < MIN_LENGTH) this.renormalize();
  }

  writeInt(value: number): void {
    this.writeShort(value & 0xffff);
    this.writeShort(value >>> 16);
  }

  /** Flushes the interval and pads so the decoder's 4-byte look-ahead ends exactly at the last
   * byte: laz-perf reads chunks back to back without seeking, so the byte count must match. */
  done(): void {
    const initBase = this.base;
    let anotherByte = true;
    if (this.length > 2 * MIN_LENGTH) {
      this.base = (this.base + MIN_LENGTH) >>> 0;
      this.length = MIN_LENGTH >>> 1;
    } else {
      this.base = (this.base + (MIN_LENGTH >>> 1)) >>> 0;
      this.length = MIN_LENGTH >>> 9;
      anotherByte = false;
    }
    if (initBase > this.base) this.propagateCarry();
    this.renormalize();
    this.out.push(0);
    this.out.push(0);
    if (anotherByte) this.out.push(0);
  }

  private propagateCarry(): void {
    const bytes = this.out.bytes;
    let i = this.out.size - 1;
    while (i >= 0 && bytes[i] === 0xff) bytes[i--] = 0;
    if (i >= 0) bytes[i]!++;
  }

  private renormalize(): void {
    do {
      this.out.push(this.base >>> 24);
      this.base = (this.base << 8) >>> 0;
      this.length = (this.length << 8) >>> 0;
    } while (this.length < MIN_LENGTH);
  }
}
