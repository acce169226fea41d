/** A growable byte buffer: the arithmetic coder must revisit bytes it already emitted (carry
 * propagation), so a chunk's output is kept in memory until the chunk is finished. */
export class ByteSink {
  bytes: Uint8Array;
  size = 0;

  constructor(initialCapacity = 1 << 16) {
    this.bytes = new Uint8Array(initialCapacity);
  }

  push(value: number): void {
    if (this.size === this.bytes.length) this.grow(this.size + 1);
    this.bytes[this.size++] = value;
  }

  pushBytes(src: Uint8Array): void {
    if (this.size + src.length > this.bytes.length) this.grow(this.size + src.length);
    this.bytes.set(src, this.size);
    this.size += src.length;
  }

  pushU32(value: number): void {
    this.push(value & 0xff);
    this.push((value >>> 8) & 0xff);
    this.push((value >>> 16) & 0xff);
    this.push((value >>> 24) & 0xff);
  }

  /** Keeps the allocation: chunks are encoded one after another into the same sinks. */
  reset(): void {
    this.size = 0;
  }

  view(): Uint8Array {
    return this.bytes.subarray(0, this.size);
  }

  private grow(needed: number): void {
    let capacity = this.bytes.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.bytes.subarray(0, this.size));
    this.bytes = next;
  }
}
