import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { acquireDataDirLock } from "../../src/service/data-dir-lock.ts";
import { inheritedImports } from "../../src/actors/worker/inherited-imports.ts";

test("the data-dir lock: one holder at a time, a dead holder's lock is taken over, only the owner releases", async () => {
  const dir = await mkdtemp(join(tmpdir(), "vs3d-lock-"));
  const release = await acquireDataDirLock(dir);
  assert.equal((await readFile(join(dir, "vs3d.lock"), "utf8")).trim(), String(process.pid));

  // Another live process holds it: refused with its pid.
  const other = await mkdtemp(join(tmpdir(), "vs3d-lock-"));
  const sleeper = execa("sleep", ["30"]);
  await writeFile(join(other, "vs3d.lock"), String(sleeper.pid));
  await assert.rejects(acquireDataDirLock(other), new RegExp(`in use by process ${sleeper.pid}`));
  sleeper.kill();
  await sleeper.catch(() => {});
  // Now that process is gone: its lock is stale and taken over.
  const takeover = await acquireDataDirLock(other);
  assert.equal((await readFile(join(other, "vs3d.lock"), "utf8")).trim(), String(process.pid));
  await takeover();

  // A release by someone who no longer owns the lock leaves the new owner's lock alone.
  await writeFile(join(dir, "vs3d.lock"), "999999999");
  await release();
  assert.equal((await readFile(join(dir, "vs3d.lock"), "utf8")).trim(), "999999999");
});

test("two processes starting at once on one data dir: exactly one gets the lock", { timeout: 60_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), "vs3d-lock-race-"));
  const script = `import { acquireDataDirLock } from ${JSON.stringify(join(import.meta.dirname, "../../src/service/data-dir-lock.ts"))};
    try { await acquireDataDirLock(process.argv[1]); console.log("got"); setTimeout(() => {}, 10000); } catch { console.log("refused"); }`;
  const runs = await Promise.all(Array.from({ length: 4 }, () => execa(process.execPath, [...inheritedImports(), "--input-type=module", "-e", script, dir], { reject: false })));
  const outcomes = runs.map((r) => r.stdout.trim()).sort();
  assert.deepEqual(outcomes, ["got", "refused", "refused", "refused"]);
});
