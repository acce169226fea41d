import type { E57Field } from "./e57-xml.ts";

/** Decodes one field's bit-packed bytestream as its pieces arrive packet by packet; a value may
 * straddle two packets, so the unread tail is carried over. */
export class E57FieldStream {
  readonly field: E57Field;
  private carry = new Uint8Array(0);
  private bitPos = 0;
  private queue: number[] = [];
  private head = 0;

  constructor(field: E57Field) {
    this.field = field;
  }

  /** Constant fields (0 bits) have no bytes and always have a value. */
  get available(): number {
    return this.field.bits === 0 ? Infinity : this.queue.length - this.head;
  }

  shift(): number {
    const f = this.field;
    if (f.bits === 0) return f.kind === "scaled" ? f.minimum * f.scale + f.offset : f.minimum;
    const v = this.queue[this.head++]!;
    if (this.head > 65536 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return v;
  }

  push(bytes: Uint8Array): void {
    const f = this.field;
    if (f.bits === 0 || bytes.byteLength === 0) return;
    const buf = this.carry.byteLength ? concat(this.carry, bytes) : bytes;
    const totalBits = buf.byteLength * 8;
    let p = this.bitPos;
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    if (f.kind === "float") {
      const size = f.bits / 8;
      for (; p + f.bits <= totalBits; p += f.bits) this.queue.push(size === 4 ? view.getFloat32(p / 8, true) : view.getFloat64(p / 8, true));
    } else {
      for (; p + f.bits <= totalBits; p += f.bits) {
        const raw = readBits(buf, p, f.bits) + f.minimum;
        this.queue.push(f.kind === "scaled" ? raw * f.scale + f.offset : raw);
      }
    }
    this.carry = buf.slice(p >> 3);
    this.bitPos = p & 7;
  }
}

/** Little-endian bit order: value bit 0 is the lowest unread bit of the current byte. */
function readBits(buf: Uint8Array, start: number, bits: number): number {
  let v = 0,
    got = 0,
    p = start;
  while (got < bits) {
    const off = p & 7;
    const take = Math.min(8 - off, bits - got);
    v += ((buf[p >> 3]! >> off) & ((1 << take) - 1)) * 2 ** got;
    got += take;
    p += take;
  }
  return v;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}
