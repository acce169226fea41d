import { ArithmeticEncoder } from "./arithmetic-encoder.ts";
import { ByteSink } from "./byte-sink.ts";

/** One independently coded stream of the layered (LAS 1.4) compressor. A layer whose values
 * never changed inside a chunk is dropped (size 0): readers then repeat the previous value. */
export class Layer {
  readonly enc = new ArithmeticEncoder(new ByteSink(1 << 12));
  changed = false;

  private readonly alwaysKept: boolean;

  constructor(alwaysKept = false) {
    this.alwaysKept = alwaysKept;
  }

  start(): void {
    this.enc.out.reset();
    this.enc.init();
    this.changed = false;
  }

  finish(): Uint8Array {
    if (!this.alwaysKept && !this.changed) return new Uint8Array(0);
    this.enc.done();
    return this.enc.out.view();
  }
}

/** An item of the layered compressor. `context` is the scanner-channel context the POINT14
 * item hands to the items after it (see Point14V3Compressor.write for its LASzip semantics). */
export interface LayeredItemCompressor {
  init(src: Uint8Array, at: number, context: number): void;
  write(src: Uint8Array, view: DataView, at: number, context: number): void;
  /** The chunk's layers, in file order; an empty array means the layer was dropped. */
  finish(): Uint8Array[];
}
