import { SymbolModel } from "./arithmetic-models.ts";
import type { ArithmeticEncoder } from "./arithmetic-encoder.ts";
import { GpsTimeCoder } from "./gps-time-coder.ts";
import { RgbModels, writeRgb } from "./rgb-coder.ts";

/** One LASzip v2 item inside a point record: `at` is the record start plus the item offset. */
export interface PointwiseItemCompressor {
  readonly size: number;
  init(src: Uint8Array, at: number): void;
  write(enc: ArithmeticEncoder, src: Uint8Array, view: DataView, at: number): void;
}

/** GPSTIME11 v2: the 8-byte double GPS time. */
export class GpsTime11V2Compressor implements PointwiseItemCompressor {
  readonly size = 8;
  private readonly coder = new GpsTimeCoder(2);

  init(src: Uint8Array, at: number): void {
    const view = new DataView(src.buffer, src.byteOffset + at, 8);
    this.coder.init(view.getUint32(0, true), view.getInt32(4, true));
  }

  write(enc: ArithmeticEncoder, _src: Uint8Array, view: DataView, at: number): void {
    this.coder.write(enc, view.getUint32(at, true), view.getInt32(at + 4, true));
  }
}

/** RGB12 v2: three u16 colour channels. */
export class Rgb12V2Compressor implements PointwiseItemCompressor {
  readonly size = 6;
  private readonly models = new RgbModels();
  private readonly last = new Uint16Array(3);

  init(src: Uint8Array, at: number): void {
    this.models.init();
    const view = new DataView(src.buffer, src.byteOffset + at, 6);
    for (let i = 0; i < 3; i++) this.last[i] = view.getUint16(i * 2, true);
  }

  write(enc: ArithmeticEncoder, _src: Uint8Array, view: DataView, at: number): void {
    writeRgb(enc, this.models, this.last, view.getUint16(at, true), view.getUint16(at + 2, true), view.getUint16(at + 4, true));
  }
}

/** BYTE v2: extra bytes, each as a difference to the previous point's byte. */
export class ByteV2Compressor implements PointwiseItemCompressor {
  readonly size: number;
  private readonly models: SymbolModel[];
  private readonly last: Uint8Array;

  constructor(size: number) {
    this.size = size;
    this.models = Array.from({ length: size }, () => new SymbolModel(256));
    this.last = new Uint8Array(size);
  }

  init(src: Uint8Array, at: number): void {
    for (const m of this.models) m.init();
    this.last.set(src.subarray(at, at + this.size));
  }

  write(enc: ArithmeticEncoder, src: Uint8Array, _view: DataView, at: number): void {
    const last = this.last;
    for (let i = 0; i < this.size; i++) {
      const value = src[at + i]!;
      enc.encodeSymbol(this.models[i]!, (value - last[i]!) & 0xff);
      last[i] = value;
    }
  }
}
