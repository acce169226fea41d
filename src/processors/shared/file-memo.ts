import { stat } from "node:fs/promises";
import { withDefaults } from "../../shared/with-defaults.ts";

export interface FileMemoOptions {
  /** Results kept; the oldest goes first. Default: 32. */
  maxEntries?: number;
}

export const FILE_MEMO_DEFAULTS: Required<FileMemoOptions> = { maxEntries: 32 };

export type FileMemo<T> = (path: string, variant: string, compute: () => Promise<T>) => Promise<T>;

/** Remembers what reading a file gave, for as long as the file is the same one with the same bytes:
 * same path, device, inode, size and modification time. A worker process runs every stage of its
 * task, and stages read the same files again, each time through a tool process that costs far more
 * than a stat (gdalinfo in the COG task, ffprobe in the video task). Only a cache: another process,
 * a task resumed on another node or a file written since reads the file again, and a failure is
 * never kept. The change time is left out of the identity on purpose: publishing an output to
 * local storage hard-links it, which changes its ctime but not a byte of it. */
export function createFileMemo<T>(options: FileMemoOptions = {}): FileMemo<T> {
  const { maxEntries } = withDefaults(FILE_MEMO_DEFAULTS, options);
  const kept = new Map<string, T>();
  return async (path, variant, compute) => {
    const before = await identity(path, variant);
    if (before === null) return compute();
    if (kept.has(before)) return kept.get(before) as T;
    const value = await compute();
    // A file that changed while it was read may have been read half old, half new.
    if ((await identity(path, variant)) !== before) return value;
    kept.set(before, value);
    for (const oldest of kept.keys()) {
      if (kept.size <= maxEntries) break;
      kept.delete(oldest);
    }
    return value;
  };
}

async function identity(path: string, variant: string): Promise<string | null> {
  try {
    const s = await stat(path, { bigint: true });
    return s.isFile() ? JSON.stringify([path, variant, `${s.dev}:${s.ino}`, `${s.size}`, `${s.mtimeNs}`]) : null;
  } catch {
    // Missing or unreadable: the reader itself says why.
    return null;
  }
}
