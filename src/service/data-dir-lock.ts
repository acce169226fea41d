import { mkdir, open, readFile, rm } from "node:fs/promises";
import { join } from "node:path";

/** PGlite is one process's database: a second process opening the same directory would corrupt it.
 * A lock file with the owner's pid keeps `vs3d process` from opening the store `vs3d serve` holds;
 * a lock left by a dead process is taken over. */
export async function acquireDataDirLock(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const lockPath = join(dataDir, "vs3d.lock");
  for (let tries = 0; tries < 2; tries++) {
    try {
      const handle = await open(lockPath, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return async () => void (await rm(lockPath, { force: true }));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number((await readFile(lockPath, "utf8").catch(() => "")).trim());
      if (owner && owner !== process.pid && isAlive(owner)) {
        throw new Error(`the event store in ${dataDir} is in use by process ${owner} (stop it, or set DATA_DIR / EVENT_STORE_URL elsewhere)`);
      }
      await rm(lockPath, { force: true });
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
