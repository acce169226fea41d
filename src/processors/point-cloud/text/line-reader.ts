import type { FileHandle } from "node:fs/promises";

export const LINE_READER_DEFAULTS = {
  /** Bytes read per syscall. Default: 1 MiB. */
  blockSize: 1 << 20,
  /** A longer line is not a point cloud text file. Default: 64 KiB. */
  maxLineLength: 64 << 10,
};

/** Streams the lines of a file from `start`, never holding more than one block plus a partial line.
 * `position` reports the bytes consumed, for progress. */
export async function* readLines(fh: FileHandle, start = 0, state: { position: number } = { position: 0 }, options = LINE_READER_DEFAULTS): AsyncGenerator<string> {
  const decoder = new TextDecoder("latin1");
  const block = new Uint8Array(options.blockSize);
  let pos = start;
  let rest = "";
  state.position = start;
  for (;;) {
    const { bytesRead } = await fh.read(block, 0, block.byteLength, pos);
    if (bytesRead === 0) break;
    pos += bytesRead;
    const text = rest + decoder.decode(block.subarray(0, bytesRead));
    const lines = text.split("\n");
    rest = lines.pop() ?? "";
    if (rest.length > options.maxLineLength) throw new RangeError(`line longer than ${options.maxLineLength} bytes`);
    for (const line of lines) {
      state.position += line.length + 1;
      yield line.endsWith("\r") ? line.slice(0, -1) : line;
    }
  }
  if (rest) {
    state.position += rest.length;
    yield rest;
  }
}

const SEPARATORS = /[\s,;]+/;

/** Numbers of a data line, or undefined for blank, comment or header lines. */
export function parseNumbers(line: string): number[] | undefined {
  const t = line.trim();
  if (!t || t.startsWith("#") || t.startsWith("//")) return undefined;
  const parts = t.split(SEPARATORS);
  const out = new Array<number>(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const n = Number(parts[i]);
    if (!Number.isFinite(n)) return undefined;
    out[i] = n;
  }
  return out;
}
