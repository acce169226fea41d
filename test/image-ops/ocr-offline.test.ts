import { after, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { AppError } from "../../src/contracts/app-error.ts";
import { imageOcrProcessor } from "../../src/processors/image-ops/ocr/image-ocr.processor.ts";
import { cleanupRuns, runStages, scratchDir } from "../helpers/run-stages.ts";
import { renderText, scratchFile } from "./image-ops-helpers.ts";
import { inheritedImports } from "../../src/actors/worker/inherited-imports.ts";

after(cleanupRuns);
const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));

/** A network namespace of its own (no interface up) when this machine allows it (root, or user
 * namespaces): tesseract's worker thread does not run `--import` preloads, so only the namespace
 * covers it. Without one, the preload still guards the main thread. */
async function isolation(): Promise<string[]> {
  const ok = await execa("unshare", ["-n", "true"], { reject: false }).then(
    (r) => r.exitCode === 0,
    () => false,
  );
  return ok ? ["unshare", "-n"] : [];
}

test("image_ocr never touches the network: in a process with no network (fetch, sockets, DNS refused in the main thread) it still reads", { timeout: 60_000 }, async () => {
  const file = await scratchFile("offline.png", await renderText(["Nothing leaves this machine"]));
  const log = join(await scratchDir(), "network.log");
  const [cmd = process.execPath, ...prefix] = [...(await isolation()), process.execPath];
  const run = await execa(cmd, [...prefix, ...inheritedImports(), "--import", here("./no-network.preload.mjs"), here("./ocr-offline.run.ts"), file], {
    reject: false,
    env: { VS3D_NETWORK_LOG: log },
  });
  const attempts = await readFile(log, "utf8").catch(() => "");
  assert.equal(attempts, "", `network attempts: ${attempts}`);
  assert.equal(run.exitCode, 0, run.stderr);
  assert.equal(run.stdout.trim(), "Nothing leaves this machine");
});

test("image_ocr stops when the task is cancelled: the tesseract worker is terminated, the stage rejects at once", { timeout: 60_000 }, async () => {
  const lines = Array.from({ length: 40 }, (_, i) => `Row ${i + 1} of a long page that takes a while to read`);
  const file = await scratchFile("long.png", await renderText(lines, { width: 1800 }));
  const controller = new AbortController();
  const started = Date.now();
  setTimeout(() => controller.abort(new AppError("CANCELLED", "cancelled by the test")), 1500);
  await assert.rejects(runStages(imageOcrProcessor, file, {}, { signal: controller.signal }), (e: unknown) => e instanceof AppError && e.code === "CANCELLED");
  assert.ok(Date.now() - started < 6000, `rejected ${Date.now() - started} ms after the start`);
});

test("a task cancelled while tesseract starts or reads leaves no worker behind: the process exits by itself", { timeout: 90_000 }, async () => {
  const lines = Array.from({ length: 30 }, (_, i) => `Row ${i + 1} of a long page that takes a while to read`);
  const file = await scratchFile("long.png", await renderText(lines, { width: 1800 }));
  for (const abortMs of [250, 2500]) {
    const run = await execa(process.execPath, [...inheritedImports(), here("./ocr-offline.run.ts"), file, String(abortMs)], { reject: false, timeout: 30_000 });
    assert.equal(run.timedOut, false, `cancelled at ${abortMs} ms: the process did not exit (a worker thread left running)`);
    assert.equal(run.stdout.trim(), "CANCELLED", run.stderr);
  }
});
