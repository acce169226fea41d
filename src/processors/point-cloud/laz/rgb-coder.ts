import { SymbolModel } from "./arithmetic-models.ts";
import type { ArithmeticEncoder } from "./arithmetic-encoder.ts";

/** The RGB predictor shared by RGB12 v2 and RGB14 v3: which of the six colour bytes changed,
 * then each changed byte as a difference; green and blue are predicted from red's change. */
export class RgbModels {
  readonly byteUsed = new SymbolModel(128);
  readonly diff = Array.from({ length: 6 }, () => new SymbolModel(256));

  init(): void {
    this.byteUsed.init();
    for (const m of this.diff) m.init();
  }
}

const clampU8 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/** Encodes colour (r, g, b) against `last` (updated in place). Returns whether it changed. */
export function writeRgb(enc: ArithmeticEncoder, m: RgbModels, last: Uint16Array, r: number, g: number, b: number): boolean {
  const lr = last[0]!,
    lg = last[1]!,
    lb = last[2]!;
  let sym = 0;
  if ((lr & 0xff) !== (r & 0xff)) sym |= 1;
  if ((lr & 0xff00) !== (r & 0xff00)) sym |= 2;
  if ((lg & 0xff) !== (g & 0xff)) sym |= 4;
  if ((lg & 0xff00) !== (g & 0xff00)) sym |= 8;
  if ((lb & 0xff) !== (b & 0xff)) sym |= 16;
  if ((lb & 0xff00) !== (b & 0xff00)) sym |= 32;
  // bit 6: the point is not grey (decoder copies red into green and blue when it is clear)
  if ((r & 0xff) !== (g & 0xff) || (r & 0xff) !== (b & 0xff) || (r & 0xff00) !== (g & 0xff00) || (r & 0xff00) !== (b & 0xff00)) sym |= 64;
  enc.encodeSymbol(m.byteUsed, sym);
  let diffL = 0;
  let diffH = 0;
  if (sym & 1) {
    diffL = (r & 0xff) - (lr & 0xff);
    enc.encodeSymbol(m.diff[0]!, diffL & 0xff);
  }
  if (sym & 2) {
    diffH = (r >>> 8) - (lr >>> 8);
    enc.encodeSymbol(m.diff[1]!, diffH & 0xff);
  }
  if (sym & 64) {
    if (sym & 4) enc.encodeSymbol(m.diff[2]!, ((g & 0xff) - clampU8(diffL + (lg & 0xff))) & 0xff);
    if (sym & 16) {
      diffL = Math.trunc((diffL + (g & 0xff) - (lg & 0xff)) / 2);
      enc.encodeSymbol(m.diff[4]!, ((b & 0xff) - clampU8(diffL + (lb & 0xff))) & 0xff);
    }
    if (sym & 8) enc.encodeSymbol(m.diff[3]!, ((g >>> 8) - clampU8(diffH + (lg >>> 8))) & 0xff);
    if (sym & 32) {
      diffH = Math.trunc((diffH + (g >>> 8) - (lg >>> 8)) / 2);
      enc.encodeSymbol(m.diff[5]!, ((b >>> 8) - clampU8(diffH + (lb >>> 8))) & 0xff);
    }
  }
  last[0] = r;
  last[1] = g;
  last[2] = b;
  return (sym & 63) !== 0;
}
