import { SymbolModel } from "./arithmetic-models.ts";
import { Layer, type LayeredItemCompressor } from "./layer.ts";
import { RgbModels, writeRgb } from "./rgb-coder.ts";

/** Per-channel state of the items that follow POINT14. LASzip 3.x refreshes the "last" values
 * only when it switches to a channel it has not used yet in the chunk; on a switch to a known
 * channel it keeps coding against (and updating) the previous channel's values. Readers mirror
 * that, so the writer must too. */
class ChannelSlots<S extends { last: Uint8Array | Uint16Array; initFrom(values: Uint8Array | Uint16Array): void }> {
  private readonly slots: S[];
  private readonly used = [false, false, false, false];
  current = 0;
  /** The slot whose `last` values the next point is coded against. */
  lastOwner = 0;

  constructor(create: () => S) {
    this.slots = Array.from({ length: 4 }, create);
  }

  start(context: number, values: Uint8Array | Uint16Array): void {
    this.used.fill(false);
    this.current = this.lastOwner = context;
    this.slots[context]!.initFrom(values);
    this.used[context] = true;
  }

  /** Applies the context for this point; returns [models owner, last-values owner]. */
  select(context: number): [S, S] {
    this.lastOwner = this.current;
    if (context !== this.current) {
      const previous = this.slots[this.current]!;
      this.current = context;
      if (!this.used[context]) {
        this.slots[context]!.initFrom(previous.last);
        this.used[context] = true;
        this.lastOwner = context;
      }
    }
    return [this.slots[this.current]!, this.slots[this.lastOwner]!];
  }
}

class RgbSlot {
  readonly models = new RgbModels();
  readonly nirUsed = new SymbolModel(4);
  readonly nirDiff = [new SymbolModel(256), new SymbolModel(256)];
  readonly last = new Uint16Array(4);

  initFrom(values: Uint8Array | Uint16Array): void {
    this.models.init();
    this.nirUsed.init();
    for (const m of this.nirDiff) m.init();
    this.last.set(values);
  }
}

/** RGB14 v3 (format 7) and RGBNIR14 v3 (format 8): colour in one layer, NIR in a second. */
export class Rgb14V3Compressor implements LayeredItemCompressor {
  private readonly withNir: boolean;
  private readonly slots = new ChannelSlots(() => new RgbSlot());
  private readonly rgb = new Layer();
  private readonly nir = new Layer();

  constructor(withNir: boolean) {
    this.withNir = withNir;
  }

  init(src: Uint8Array, at: number, context: number): void {
    this.rgb.start();
    this.nir.start();
    const v = new DataView(src.buffer, src.byteOffset + at, this.withNir ? 8 : 6);
    const values = new Uint16Array(4);
    for (let i = 0; i < (this.withNir ? 4 : 3); i++) values[i] = v.getUint16(i * 2, true);
    this.slots.start(context, values);
  }

  write(_src: Uint8Array, view: DataView, at: number, context: number): void {
    const [slot, owner] = this.slots.select(context);
    const last = owner.last;
    if (writeRgb(this.rgb.enc, slot.models, last, view.getUint16(at, true), view.getUint16(at + 2, true), view.getUint16(at + 4, true))) {
      this.rgb.changed = true;
    }
    if (!this.withNir) return;
    const nir = view.getUint16(at + 6, true);
    const lastNir = last[3]!;
    const sym = ((nir & 0xff) !== (lastNir & 0xff) ? 1 : 0) | ((nir & 0xff00) !== (lastNir & 0xff00) ? 2 : 0);
    this.nir.enc.encodeSymbol(slot.nirUsed, sym);
    if (sym & 1) this.nir.enc.encodeSymbol(slot.nirDiff[0]!, ((nir & 0xff) - (lastNir & 0xff)) & 0xff);
    if (sym & 2) this.nir.enc.encodeSymbol(slot.nirDiff[1]!, ((nir >>> 8) - (lastNir >>> 8)) & 0xff);
    if (sym !== 0) this.nir.changed = true;
    last[3] = nir;
  }

  finish(): Uint8Array[] {
    return this.withNir ? [this.rgb.finish(), this.nir.finish()] : [this.rgb.finish()];
  }
}

class ByteSlot {
  readonly models: SymbolModel[];
  readonly last: Uint8Array;

  constructor(size: number) {
    this.models = Array.from({ length: size }, () => new SymbolModel(256));
    this.last = new Uint8Array(size);
  }

  initFrom(values: Uint8Array | Uint16Array): void {
    for (const m of this.models) m.init();
    this.last.set(values);
  }
}

/** BYTE14 v3: extra bytes, one layer per byte. */
export class Byte14V3Compressor implements LayeredItemCompressor {
  private readonly size: number;
  private readonly slots: ChannelSlots<ByteSlot>;
  private readonly layers: Layer[];

  constructor(size: number) {
    this.size = size;
    this.slots = new ChannelSlots(() => new ByteSlot(size));
    this.layers = Array.from({ length: size }, () => new Layer());
  }

  init(src: Uint8Array, at: number, context: number): void {
    for (const layer of this.layers) layer.start();
    this.slots.start(context, src.subarray(at, at + this.size));
  }

  write(src: Uint8Array, _view: DataView, at: number, context: number): void {
    const [slot, owner] = this.slots.select(context);
    const last = owner.last;
    for (let i = 0; i < this.size; i++) {
      const diff = src[at + i]! - last[i]!;
      const layer = this.layers[i]!;
      layer.enc.encodeSymbol(slot.models[i]!, diff & 0xff);
      if (diff !== 0) layer.changed = true;
      last[i] = src[at + i]!;
    }
  }

  finish(): Uint8Array[] {
    return this.layers.map((layer) => layer.finish());
  }
}
