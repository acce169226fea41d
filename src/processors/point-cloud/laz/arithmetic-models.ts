/** Adaptive probability models of the LASzip arithmetic coder. Their update schedule is part of
 * the format: the decoder replays it, so every constant here must stay as LASzip defines it. */

export const BM_LENGTH_SHIFT = 13;
const BM_MAX_COUNT = 1 << BM_LENGTH_SHIFT;
export const DM_LENGTH_SHIFT = 15;
const DM_MAX_COUNT = 1 << DM_LENGTH_SHIFT;

/** Binary model: tracks the probability of a 0 bit. */
export class BitModel {
  bit0Count = 1;
  bitCount = 2;
  bit0Prob = 1 << (BM_LENGTH_SHIFT - 1);
  updateCycle = 4;
  bitsUntilUpdate = 4;

  init(): void {
    this.bit0Count = 1;
    this.bitCount = 2;
    this.bit0Prob = 1 << (BM_LENGTH_SHIFT - 1);
    this.updateCycle = 4;
    this.bitsUntilUpdate = 4;
  }

  update(): void {
    this.bitCount += this.updateCycle;
    if (this.bitCount > BM_MAX_COUNT) {
      this.bitCount = (this.bitCount + 1) >>> 1;
      this.bit0Count = (this.bit0Count + 1) >>> 1;
      if (this.bit0Count === this.bitCount) this.bitCount++;
    }
    const scale = Math.floor(0x80000000 / this.bitCount);
    this.bit0Prob = (this.bit0Count * scale) >>> (31 - BM_LENGTH_SHIFT);
    this.updateCycle = Math.min((5 * this.updateCycle) >>> 2, 64);
    this.bitsUntilUpdate = this.updateCycle;
  }
}

export interface SymbolModelOptions {
  /** Keep LASzip's lookup table from a distribution slice to its first symbol, which a decoder
   * uses to skip most of its search. An encoder never reads it. Default: false. */
  forDecoding?: boolean;
}

/** Multi-symbol model over `symbols` symbols (2..2048), with a cumulative distribution. */
export class SymbolModel {
  readonly symbols: number;
  readonly lastSymbol: number;
  readonly distribution: Uint32Array;
  readonly symbolCount: Uint32Array;
  /** Only for decoding models of more than 16 symbols, as in LASzip. */
  readonly table: Uint32Array | undefined;
  readonly tableShift: number;
  totalCount = 0;
  updateCycle = 0;
  symbolsUntilUpdate = 0;

  constructor(symbols: number, options: SymbolModelOptions = {}) {
    if (symbols < 2 || symbols > 2048) throw new RangeError(`symbol model size ${symbols} outside 2..2048`);
    this.symbols = symbols;
    this.lastSymbol = symbols - 1;
    this.distribution = new Uint32Array(symbols);
    this.symbolCount = new Uint32Array(symbols);
    let tableBits = 0;
    if (options.forDecoding && symbols > 16) {
      tableBits = 3;
      while (symbols > 1 << (tableBits + 2)) tableBits++;
    }
    this.tableShift = tableBits ? DM_LENGTH_SHIFT - tableBits : 0;
    this.table = tableBits ? new Uint32Array((1 << tableBits) + 2) : undefined;
    this.init();
  }

  init(): void {
    this.totalCount = 0;
    this.updateCycle = this.symbols;
    this.symbolCount.fill(1);
    this.update();
    this.updateCycle = (this.symbols + 6) >>> 1;
    this.symbolsUntilUpdate = this.updateCycle;
  }

  update(): void {
    const { symbols, symbolCount, distribution } = this;
    this.totalCount += this.updateCycle;
    if (this.totalCount > DM_MAX_COUNT) {
      let total = 0;
      for (let n = 0; n < symbols; n++) {
        const halved = (symbolCount[n]! + 1) >>> 1;
        symbolCount[n] = halved;
        total += halved;
      }
      this.totalCount = total;
    }
    const scale = Math.floor(0x80000000 / this.totalCount);
    let sum = 0;
    for (let k = 0; k < symbols; k++) {
      distribution[k] = (scale * sum) >>> (31 - DM_LENGTH_SHIFT);
      sum += symbolCount[k]!;
    }
    if (this.table) this.fillTable(this.table);
    this.updateCycle = Math.min((5 * this.updateCycle) >>> 2, (symbols + 6) << 3);
    this.symbolsUntilUpdate = this.updateCycle;
  }

  /** table[t] is the last symbol whose distribution starts before slice t (0 for slice 0). */
  private fillTable(table: Uint32Array): void {
    const size = table.length - 2;
    let s = 0;
    for (let k = 0; k < this.symbols; k++) {
      const w = this.distribution[k]! >>> this.tableShift;
      while (s < w) table[++s] = k - 1;
    }
    table[0] = 0;
    while (s <= size) table[++s] = this.lastSymbol;
  }
}

/** LASzip creates these 256-symbol models on first use; a fresh model equals an initialised one. */
export function lazyModel(table: Map<number, SymbolModel>, key: number, symbols = 256): SymbolModel {
  let model = table.get(key);
  if (model === undefined) {
    model = new SymbolModel(symbols);
    table.set(key, model);
  }
  return model;
}
