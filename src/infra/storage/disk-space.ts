import { statfs } from "node:fs/promises";
import { AppError } from "../../contracts/app-error.ts";

export const DISK_SPACE_DEFAULTS = {
  /** Kept free beyond the file itself, so a download never fills the disk other tasks write to.
   * Default: 256 MiB. */
  reserveBytes: 256 * 1024 * 1024,
};

/** Free bytes for an unprivileged writer on the filesystem holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return Number(s.bavail) * Number(s.bsize);
}

/** INSUFFICIENT_DISK (recoverable: another node or a later attempt may have room) when `dir` cannot
 * take `bytes` plus the reserve. Checked before a transfer, not after the disk is already full. */
export async function assertFreeDisk(dir: string, bytes: number, options: Partial<typeof DISK_SPACE_DEFAULTS> = {}): Promise<void> {
  const reserve = options.reserveBytes ?? DISK_SPACE_DEFAULTS.reserveBytes;
  const free = await freeBytes(dir);
  if (free < bytes + reserve) {
    throw new AppError("INSUFFICIENT_DISK", `need ${mib(bytes + reserve)} MiB free in ${dir} (including a ${mib(reserve)} MiB reserve) but only ${mib(free)} MiB are`, {
      details: { dir, neededBytes: bytes + reserve, freeBytes: free },
    });
  }
}

const mib = (n: number) => Math.ceil(n / (1024 * 1024));
