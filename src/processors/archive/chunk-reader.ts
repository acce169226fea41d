/**
 * Splits one byte stream into consecutive pieces of known length, pulling only as fast as the
 * consumer of each piece reads — so `7zz x -so`'s single stdout becomes one stream per entry.
 */
export class ChunkReader {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private pending: Uint8Array | undefined;
  private ended = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  private async next(): Promise<Uint8Array | undefined> {
    if (this.pending !== undefined) {
      const p = this.pending;
      this.pending = undefined;
      return p;
    }
    if (this.ended) return undefined;
    const r = await this.iterator.next();
    if (r.done === true) {
      this.ended = true;
      return undefined;
    }
    return r.value;
  }

  /** Yields exactly `n` bytes; throws `ShortReadError` when the stream ends first. */
  async *take(n: number): AsyncGenerator<Uint8Array> {
    let left = n;
    while (left > 0) {
      const chunk = await this.next();
      if (chunk === undefined) throw new ShortReadError(n - left, n);
      if (chunk.length > left) {
        this.pending = chunk.subarray(left);
        yield chunk.subarray(0, left);
        return;
      }
      left -= chunk.length;
      yield chunk;
    }
  }

  /** True when nothing is left: more bytes than the listing declared means the listing lied. */
  async atEnd(): Promise<boolean> {
    const chunk = await this.next();
    if (chunk === undefined) return true;
    this.pending = chunk;
    return false;
  }
}

export class ShortReadError extends Error {
  constructor(got: number, wanted: number) {
    super(`stream ended after ${got} of ${wanted} bytes`);
    this.name = "ShortReadError";
  }
}

/**
 * Keeps a child's stdout until it is read. Both execa (buffer: false) and Node's child_process (on
 * exit) resume — and so discard — a stdout with no 'readable' listener; our first read may come only
 * after some file system work, and a small output can be complete and gone by then.
 */
export function holdOutput(stream: { on(event: "readable", listener: () => void): unknown }): void {
  stream.on("readable", () => {});
}
