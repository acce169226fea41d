import type { FileHandle } from "node:fs/promises";
import { AppError } from "../../../contracts/app-error.ts";
import { crc32c } from "./crc32c.ts";

export const E57_PAGE = 1024;
const PAYLOAD = 1020;
const PAGES_PER_READ = 256;

/** Logical reads over E57's paged layout: every 1024-byte page is 1020 bytes of data and a CRC-32C.
 * Each page is checked once, when first read; a mismatch is INPUT_CORRUPT naming the page. */
export class E57PagedFile {
  private readonly fh: FileHandle;
  readonly size: number;
  private block = new Uint8Array(0);
  private blockStart = -1;

  constructor(fh: FileHandle, size: number) {
    this.fh = fh;
    this.size = size;
  }

  /** `length` logical bytes starting at physical offset `physical`. */
  async read(physical: number, length: number): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    let done = 0,
      at = physical;
    while (done < length) {
      const page = Math.floor(at / E57_PAGE),
        inPage = at % E57_PAGE;
      if (inPage >= PAYLOAD) throw new AppError("INPUT_CORRUPT", `E57 offset ${at} points into the checksum of page ${page}`);
      const bytes = await this.page(page);
      const take = Math.min(PAYLOAD - inPage, length - done);
      out.set(bytes.subarray(inPage, inPage + take), done);
      done += take;
      at = (page + 1) * E57_PAGE;
    }
    return out;
  }

  /** Physical offset reached after reading `length` logical bytes from `physical`. */
  static advance(physical: number, length: number): number {
    const logical = Math.floor(physical / E57_PAGE) * PAYLOAD + (physical % E57_PAGE) + length;
    return Math.floor(logical / PAYLOAD) * E57_PAGE + (logical % PAYLOAD);
  }

  private async page(index: number): Promise<Uint8Array> {
    if ((index + 1) * E57_PAGE > this.size) throw new AppError("INPUT_CORRUPT", `E57 page ${index} lies beyond the end of the file (${this.size} bytes): truncated file`, { details: { page: index } });
    if (this.blockStart < 0 || index < this.blockStart || index >= this.blockStart + this.block.byteLength / E57_PAGE) {
      const pages = Math.min(PAGES_PER_READ, Math.floor(this.size / E57_PAGE) - index);
      this.block = new Uint8Array(pages * E57_PAGE);
      await this.fh.read(this.block, 0, this.block.byteLength, index * E57_PAGE);
      this.blockStart = index;
      // Reads are mostly sequential, so checking a whole block once as it loads checks each page once.
      for (let p = 0; p < pages; p++) verifyPage(this.block.subarray(p * E57_PAGE, (p + 1) * E57_PAGE), index + p);
    }
    const at = (index - this.blockStart) * E57_PAGE;
    return this.block.subarray(at, at + E57_PAGE);
  }
}

function verifyPage(bytes: Uint8Array, index: number): void {
  const stored = new DataView(bytes.buffer, bytes.byteOffset + PAYLOAD, 4).getUint32(0, false);
  const actual = crc32c(bytes.subarray(0, PAYLOAD));
  if (stored !== actual) {
    throw new AppError("INPUT_CORRUPT", `E57 page ${index} fails its CRC-32C check (stored ${hex(stored)}, computed ${hex(actual)}): the file is damaged`, {
      details: { page: index, offset: index * E57_PAGE },
    });
  }
}

const hex = (n: number): string => `0x${n.toString(16).padStart(8, "0")}`;
