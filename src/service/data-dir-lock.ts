import { link, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** An unreadable lock older than this is taken over (a crash mid-write of an old version). */
const UNREADABLE_LOCK_STALE_MS = 10_000;

/** The store is held by another live process (`vs3d serve`, usually): an expected condition the CLI
 * reports in one line, not a crash. */
export class StoreInUseError extends Error {
  override readonly name = "StoreInUseError";
}

/** PGlite is one process's database: a second process opening the same directory would corrupt it.
 * A lock file holding the owner's pid keeps `vs3d process` from opening the store `vs3d serve`
 * holds. It appears atomically with its content (written aside, then hard-linked into place), a
 * lock left by a dead process is taken over, and only its owner removes it. */
export async function acquireDataDirLock(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const lockPath = join(dataDir, "vs3d.lock");
  const mine = join(dataDir, `.vs3d.lock.${process.pid}`);
  await writeFile(mine, String(process.pid));
  try {
    for (let tries = 0; tries < 3; tries++) {
      try {
        await link(mine, lockPath);
        return async () => {
          const owner = await readFile(lockPath, "utf8").catch(() => "");
          if (owner.trim() === String(process.pid)) await rm(lockPath, { force: true });
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const owner = Number((await readFile(lockPath, "utf8").catch(() => "")).trim());
      if (owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new StoreInUseError(`the event store in ${dataDir} is in use by process ${owner} (stop it, or set DATA_DIR / EVENT_STORE_URL elsewhere)`);
      }
      if (!(owner > 0)) {
        const age =
          Date.now() -
          (await stat(lockPath).then(
            (s) => s.mtimeMs,
            () => 0,
          ));
        if (age < UNREADABLE_LOCK_STALE_MS) throw new StoreInUseError(`the event store in ${dataDir} is being locked by another process`);
      }
      await rm(lockPath, { force: true });
    }
    throw new Error(`could not lock ${dataDir}`);
  } finally {
    await rm(mine, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
