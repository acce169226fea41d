import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { readTreeRssBytes, watchRss } from "../../src/actors/worker/rss-guard.ts";
import { waitFor } from "../helpers/service-process.ts";

const statusRss = async (pid: number) => Number(/^VmRSS:\s+(\d+)/m.exec(await readFile(`/proc/${pid}/status`, "utf8"))![1]) * 1024;

/** A process that holds `mb` MiB and starts a grandchild (a shell's `sleep`), like a worker running a
 * tool; in its own process group, so `stop` ends the grandchild too. */
async function holder(mb: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ["-e", `globalThis.b = Buffer.alloc(${mb} * 2 ** 20, 1); require("node:child_process").spawn("sh", ["-c", "sleep 30"], { stdio: "ignore" }); setTimeout(() => {}, 30000)`],
    { stdio: "ignore", detached: true },
  );
  await once(child, "spawn");
  return child;
}

const stop = (child: ChildProcess) => process.kill(-child.pid!, "SIGKILL");

test("a worker tree's RSS is its own and its descendants', down to a tool's grandchildren", { timeout: 30_000 }, async () => {
  const child = await holder(100);
  try {
    const kids = await waitFor("the grandchild", async () => (await readFile(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").catch(() => "")).trim() || null, 10_000);
    const shell = Number(kids.split(" ")[0]);
    await waitFor("the child's memory", async () => (await statusRss(child.pid!)) > 90 * 2 ** 20, 10_000);
    const tree = (await readTreeRssBytes(child.pid!))!;
    const own = await statusRss(child.pid!);
    assert.ok(tree > own, "the shell below the worker counts too");
    assert.ok(tree >= own + (await statusRss(shell)) - 2 ** 20, `tree ${tree} vs own ${own}`);
    assert.equal(await readTreeRssBytes(2 ** 22 + 12345), null, "no such process: null, not 0");
  } finally {
    stop(child);
  }
});

test("several workers watched at once: only the one past its limit is told, once", { timeout: 30_000 }, async () => {
  const big = await holder(300);
  const small = await holder(10);
  const fired: string[] = [];
  const stops = [watchRss(big.pid!, 200 * 2 ** 20, () => fired.push("big")), watchRss(small.pid!, 200 * 2 ** 20, () => fired.push("small"))];
  try {
    await waitFor("the big worker's report", () => Promise.resolve(fired.includes("big")), 15_000);
    await new Promise((r) => setTimeout(r, 2500)); // two more passes
    assert.deepEqual(fired, ["big"]);
  } finally {
    for (const stop of stops) stop();
    stop(big);
    stop(small);
  }
});
