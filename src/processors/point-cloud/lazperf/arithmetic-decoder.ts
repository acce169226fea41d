/** LASzip's adaptive arithmetic decoder (after Amir Said's FastAC), enough of it to read a LAZ chunk
 * table: bit and symbol models, raw bits, and the integer corrector. laz-perf decodes the points;
 * this exists only because laz-perf does not expose the chunk table, which streaming needs. */

const MIN_LENGTH = 0x01000000;
const BM_LENGTH_SHIFT = 13;
const BM_MAX_COUNT = 1 << 13;
const DM_LENGTH_SHIFT = 15;
const DM_MAX_COUNT = 1 << 15;

export class BitModel {
  bit0Count = 1;
  bitCount = 2;
  bit0Prob = 1 << (BM_LENGTH_SHIFT - 1);
  updateCycle = 4;
  bitsUntilUpdate = 4;

  update(): void {
    if ((this.bitCount += this.updateCycle) > BM_MAX_COUNT) {
      this.bitCount = (this.bitCount + 1) >>> 1;
      this.bit0Count = (this.bit0Count + 1) >>> 1;
      if (this.bit0Count === this.bitCount) ++this.bitCount;
    }
    const scale = Math.floor(0x80000000 / this.bitCount);
    this.bit0Prob = (this.bit0Count * scale) >>> (31 - BM_LENGTH_SHIFT);
    this.updateCycle = Math.min((5 * this.updateCycle) >>> 2, 64);
    this.bitsUntilUpdate = this.updateCycle;
  }
}

export class SymbolModel {
  readonly symbols: number;
  readonly distribution: Uint32Array;
  readonly counts: Uint32Array;
  readonly table: Uint32Array | undefined;
  readonly tableShift: number;
  private readonly tableSize: number;
  totalCount = 0;
  updateCycle: number;
  symbolsUntilUpdate = 0;

  constructor(symbols: number) {
    this.symbols = symbols;
    let tableBits = 0;
    if (symbols > 16) {
      tableBits = 3;
      while (symbols > 1 << (tableBits + 2)) ++tableBits;
    }
    this.tableSize = tableBits ? 1 << tableBits : 0;
    this.tableShift = tableBits ? DM_LENGTH_SHIFT - tableBits : 0;
    this.table = tableBits ? new Uint32Array(this.tableSize + 2) : undefined;
    this.distribution = new Uint32Array(symbols);
    this.counts = new Uint32Array(symbols).fill(1);
    this.updateCycle = symbols;
    this.update();
    this.symbolsUntilUpdate = this.updateCycle = (symbols + 6) >>> 1;
  }

  update(): void {
    if ((this.totalCount += this.updateCycle) > DM_MAX_COUNT) {
      this.totalCount = 0;
      for (let n = 0; n < this.symbols; n++) this.totalCount += this.counts[n] = (this.counts[n]! + 1) >>> 1;
    }
    const scale = Math.floor(0x80000000 / this.totalCount);
    let sum = 0, s = 0;
    for (let k = 0; k < this.symbols; k++) {
      this.distribution[k] = (scale * sum) >>> (31 - DM_LENGTH_SHIFT);
      sum += this.counts[k]!;
      if (this.table) {
        const w = this.distribution[k]! >>> this.tableShift;
        while (s < w) this.table[++s] = k - 1;
      }
    }
    if (this.table) {
      this.table[0] = 0;
      while (s <= this.tableSize) this.table[++s] = this.symbols - 1;
    }
    this.updateCycle = Math.min((5 * this.updateCycle) >>> 2, (this.symbols + 6) << 3);
    this.symbolsUntilUpdate = this.updateCycle;
  }
}

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
    let sym: number, x: number, y = this.length;
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
      if (sym !== m.symbols - 1) y = d[sym + 1]! * this.length;
    } else {
      x = sym = 0;
      this.length >>>= DM_LENGTH_SHIFT;
      let n = m.symbols, k = n >>> 1;
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
    ++m.counts[sym]!;
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
