import { BitModel, SymbolModel } from "../laz/arithmetic-models.ts";
import { ArithmeticDecoder } from "./arithmetic-decoder.ts";

const DECODING = { forDecoding: true } as const;

const BITS_HIGH = 8;

/** LASzip IntegerCompressor, decompress side, for 32-bit values (corrector range = all of int32). */
class IntegerDecompressor {
  private readonly dec: ArithmeticDecoder;
  private readonly mBits: SymbolModel[];
  private readonly corr0 = new BitModel();
  private readonly corr: SymbolModel[] = [];

  constructor(dec: ArithmeticDecoder, contexts: number) {
    this.dec = dec;
    this.mBits = Array.from({ length: contexts }, () => new SymbolModel(33, DECODING));
    for (let i = 1; i <= 32; i++) this.corr[i] = new SymbolModel(i <= BITS_HIGH ? 2 ** i : 2 ** BITS_HIGH, DECODING);
  }

  decompress(pred: number, context: number): number {
    const k = this.dec.decodeSymbol(this.mBits[context]!);
    let c: number;
    if (k === 0) c = this.dec.decodeBit(this.corr0);
    else if (k < 32) {
      c = this.dec.decodeSymbol(this.corr[k]!);
      if (k > BITS_HIGH) c = c * 2 ** (k - BITS_HIGH) + this.dec.readBits(k - BITS_HIGH);
      c = c >= 2 ** (k - 1) ? c + 1 : c - (2 ** k - 1);
    } else c = -2147483648;
    return (pred + c) | 0;
  }
}

export interface LazChunk {
  /** Absolute file offset of the chunk's compressed bytes. */
  offset: number;
  byteLength: number;
  /** Points in the chunk; undefined for fixed-size chunks (the caller knows the size). */
  points: number | undefined;
}

/** Decodes a LAZ chunk table: `bytes` starts at the table (version, count, then arithmetic-coded
 * point counts (variable chunks only) and byte sizes, each predicted from the previous chunk). */
export function decodeChunkTable(bytes: Uint8Array, firstChunkOffset: number, variable: boolean): LazChunk[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(4, true);
  if (count === 0) return [];
  const dec = new ArithmeticDecoder(bytes, 8);
  const ic = new IntegerDecompressor(dec, 2);
  const chunks: LazChunk[] = [];
  let prevPoints = 0,
    prevBytes = 0,
    offset = firstChunkOffset;
  for (let i = 0; i < count; i++) {
    const points = variable ? (prevPoints = ic.decompress(prevPoints, 0)) : undefined;
    prevBytes = ic.decompress(prevBytes, 1);
    chunks.push({ offset, byteLength: prevBytes, points });
    offset += prevBytes;
  }
  return chunks;
}
