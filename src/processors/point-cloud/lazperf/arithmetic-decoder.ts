import { BM_LENGTH_SHIFT, DM_LENGTH_SHIFT, type BitModel, type SymbolModel } from "../laz/arithmetic-models.ts";

const MIN_LENGTH = 0x01000000;

/** LASzip's adaptive arithmetic decoder (after Amir Said's FastAC), enough of it to read a LAZ chunk
 * table: bits and symbols through the encoder's own models (symbol models built `forDecoding`), and
 * raw bits. laz-perf decodes the points; this exists only because laz-perf does not expose the chunk
 * table, which streaming needs. */
export class ArithmeticDecoder {
  private readonly bytes: Uint8Array;
  private at: number;
  private value = 0;
  private length = 0xffffffff;

  constructor(bytes: Uint8Array, start = 0) {
    this.bytes = bytes;
    this.at = start;
    for (let i = 0; i < 4; i++) this.value = ((this.value << 8) | this.byte()) >>> 0;
  }

  /** Past the end reads zeros, as LASzip's stream does; callers check the result for sense. */
  private byte(): number {
    return this.at < this.bytes.byteLength ? this.bytes[this.at++]! : (this.at++, 0);
  }

  private renorm(): void {
    do {
      this.value = ((this.value << 8) | this.byte()) >>> 0;
      this.length = (this.length << 8) >>> 0;
    } while (this.length < MIN_LENGTH);
  }

  decodeBit(m: BitModel): number {
    const x = m.bit0Prob * (this.length >>> BM_LENGTH_SHIFT);
    const sym = this.value >= x ? 1 : 0;
    if (sym === 0) {
      this.length = x;
      ++m.bit0Count;
    } else {
      this.value -= x;
      this.length -= x;
    }
    if (this.length < MIN_LENGTH) this.renorm();
    if (--m.bitsUntilUpdate === 0) m.update();
    return sym;
  }

  decodeSymbol(m: SymbolModel): number {
    let sym: number,
      x: number,
      y = this.length;
    const d = m.distribution;
    if (m.table) {
      this.length >>>= DM_LENGTH_SHIFT;
      const dv = Math.floor(this.value / this.length);
      const t = dv >>> m.tableShift;
      sym = m.table[t]!;
      let n = m.table[t + 1]! + 1;
      while (n > sym + 1) {
        const k = (sym + n) >>> 1;
        if (d[k]! > dv) n = k;
        else sym = k;
      }
      x = d[sym]! * this.length;
      if (sym !== m.lastSymbol) y = d[sym + 1]! * this.length;
    } else {
      x = sym = 0;
      this.length >>>= DM_LENGTH_SHIFT;
      let n = m.symbols,
        k = n >>> 1;
      do {
        const z = this.length * d[k]!;
        if (z > this.value) {
          n = k;
          y = z;
        } else {
          sym = k;
          x = z;
        }
      } while ((k = (sym + n) >>> 1) !== sym);
    }
    this.value -= x;
    this.length = y - x;
    if (this.length < MIN_LENGTH) this.renorm();
    ++m.symbolCount[sym]!;
    if (--m.symbolsUntilUpdate === 0) m.update();
    return sym;
  }

  readBits(bits: number): number {
    if (bits > 19) {
      const low = this.readBits(16);
      return this.readBits(bits - 16) * 65536 + low;
    }
    this.length >>>= bits;
    const sym = Math.floor(this.value / this.length);
    this.value -= this.length * sym;
    if (this.length < MIN_LENGTH) this.renorm();
    return sym;
  }
}
