import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { execaNode } from "execa";

const FIXTURE = fileURLToPath(new URL("./park-a-warm-worker.fixture.ts", import.meta.url));

test("idle warm workers keep no process alive: a host that parked workers and stopped ends at once, and its workers with it", { timeout: 90_000 }, async () => {
  const host = execaNode(FIXTURE, [], { env: { VS3D_WARM_WORKERS: "" }, reject: false, stdout: "pipe", stderr: "pipe", buffer: true });
  let parkedAt = 0;
  host.stdout.on("data", () => (parkedAt ||= performance.now()));
  const result = await host;
  assert.equal(result.exitCode, 0, result.stderr);
  const pid = Number(/parked (\d+)/.exec(result.stdout)?.[1]);
  const lingered = performance.now() - parkedAt;
  // Held open, it would live until the idle timeout (30 s) retired its workers.
  assert.ok(lingered < 15_000, `the host ended ${lingered.toFixed(0)} ms after its last task`);
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(alive(pid), false, "its idle worker exited with it");
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
