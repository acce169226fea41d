import { AppError } from "../../contracts/app-error.ts";
import { withDefaults } from "../../shared/with-defaults.ts";

export interface ExtractCaps {
  /** Most bytes all entries may inflate to, counted on real output. Default: 10 GiB. */
  maxTotalBytes: number;
  /** Most bytes a single entry may inflate to. Default: 10 GiB. */
  maxEntryBytes: number;
  /** Most inflated bytes per byte of archive. Default: 100. */
  maxRatio: number;
  /** Most entries (files, directories, links) an archive may hold. Default: 10 000. */
  maxEntries: number;
  /** The ratio cap applies only once this many bytes came out, so a tiny archive of very
   * compressible text is not called a bomb. Default: 16 MiB. */
  ratioGraceBytes: number;
}

export const EXTRACT_CAPS_DEFAULTS: ExtractCaps = {
  maxTotalBytes: 10 * 1024 ** 3,
  maxEntryBytes: 10 * 1024 ** 3,
  maxRatio: 100,
  maxEntries: 10_000,
  ratioGraceBytes: 16 * 1024 ** 2,
};

/**
 * Counts what an archive really produces and throws ARCHIVE_BOMB the moment a cap is crossed. It
 * is fed the bytes as they are inflated, never header sizes, which a hostile archive can fake.
 * Pure and synchronous so every backend, including the WASM unrar callbacks, can call it inline.
 */
export class ExtractBudget {
  readonly caps: ExtractCaps;
  readonly archiveBytes: number;
  entries = 0;
  totalBytes = 0;
  entryBytes = 0;
  private entryName = "";

  constructor(archiveBytes: number, caps: Partial<ExtractCaps> = {}) {
    this.caps = withDefaults(EXTRACT_CAPS_DEFAULTS, caps);
    // A zero-byte "archive" has no ratio; count it as one byte so division stays finite.
    this.archiveBytes = Math.max(1, archiveBytes);
  }

  /** Call once per entry of any kind, before its bytes. */
  startEntry(name: string): void {
    this.entries += 1;
    this.entryBytes = 0;
    this.entryName = name;
    if (this.entries > this.caps.maxEntries) {
      throw this.bomb(`more than ${this.caps.maxEntries} entries`, "max_entries");
    }
  }

  /** Call with each chunk's length as it is produced; throws before the chunk is written. */
  addBytes(n: number): void {
    this.entryBytes += n;
    this.totalBytes += n;
    if (this.entryBytes > this.caps.maxEntryBytes) {
      throw this.bomb(`entry ${JSON.stringify(this.entryName)} inflates beyond ${this.caps.maxEntryBytes} bytes`, "max_entry_bytes");
    }
    if (this.totalBytes > this.caps.maxTotalBytes) {
      throw this.bomb(`archive inflates beyond ${this.caps.maxTotalBytes} bytes`, "max_total_bytes");
    }
    if (this.totalBytes > this.caps.ratioGraceBytes && this.totalBytes / this.archiveBytes > this.caps.maxRatio) {
      throw this.bomb(`archive inflates more than ${this.caps.maxRatio}x its size of ${this.archiveBytes} bytes`, "max_ratio");
    }
  }

  private bomb(what: string, cap: string): AppError {
    return new AppError("ARCHIVE_BOMB", `${what}: extraction stopped`, {
      details: { cap, entries: this.entries, total_bytes: this.totalBytes, archive_bytes: this.archiveBytes },
    });
  }
}
