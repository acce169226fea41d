import { test } from "node:test";
import assert from "node:assert/strict";
import { createManualClock } from "../../src/broker/broker-clock.ts";
import { createResourceBroker } from "../../src/broker/resource-broker.ts";
import { mergeWeights } from "../../src/broker/weights-config.ts";
import { GIB } from "../../src/machines/broker-ask.ts";
import { createWarmPool, WARM_POOL_DEFAULTS, type WarmPoolOptions } from "../../src/actors/worker/warm-pool.ts";
import { keyOf, type WorkerKey, type WorkerProcess } from "../../src/actors/worker/worker-process.ts";
import { silentLogger } from "../../src/infra/logger.ts";

// The pool's bounds on a simulated clock with stand-in processes (the real ones are in
// warm-pool.test.ts): how many it keeps is about counts and RAM, not about what a process runs.
const MIB = 2 ** 20;
const KEY: WorkerKey = { taskType: "image_thumbnail", extraProcessorModules: [] };
const IDLE_RSS = 145 * MIB;

function standIns() {
  let nextPid = 1000;
  const live = new Set<number>();
  let spawned = 0;
  const spawn = (k: WorkerKey): Promise<WorkerProcess> => {
    const pid = ++nextPid;
    live.add(pid);
    spawned++;
    const s = { tasks: 0, reusable: true };
    return Promise.resolve({
      pid,
      key: keyOf(k),
      get tasks() {
        return s.tasks;
      },
      get reusable() {
        return s.reusable && live.has(pid);
      },
      bind: () => void s.tasks++,
      unbind: () => {},
      runStage: () => Promise.resolve([]),
      retire: () => Promise.resolve(void live.delete(pid)),
    });
  };
  return { spawn, live, spawned: () => spawned };
}

const settle = () => new Promise((r) => setImmediate(r));

function setup(options: Partial<WarmPoolOptions> = {}) {
  const clock = createManualClock(Date.parse("2026-12-01T10:00:00Z"));
  const procs = standIns();
  const pool = createWarmPool(procs.spawn, { ...WARM_POOL_DEFAULTS, readRss: () => Promise.resolve(IDLE_RSS), clock, ...options });
  /** n tasks take a process at once (a burst the broker granted together), then all end. */
  const burst = async (n: number) => {
    const taken = await Promise.all(Array.from({ length: n }, () => pool.take(KEY)));
    for (const p of taken) p.bind({ signal: new AbortController().signal, logger: silentLogger() });
    await Promise.all(taken.map((p) => pool.release(p)));
    await settle();
    return taken;
  };
  return { clock, procs, pool, burst };
}

test("warm pool: it grows to the burst's size, the next burst starts no process cold, and it shrinks after the idle timeout", async () => {
  const { clock, procs, pool, burst } = setup();
  await burst(17);
  assert.equal(procs.spawned(), 18, "17 cold starts and one spare");
  assert.equal(pool.idleCount, 18, "all of them kept: 17 ran at once");
  await burst(17);
  assert.equal(procs.spawned(), 18, "the second burst runs on warm processes only");
  clock.advance(WARM_POOL_DEFAULTS.idleMs);
  await settle();
  assert.equal(pool.idleCount, 0);
  assert.equal(procs.live.size, 0, "every idle process exited");
  // A quieter load afterwards: one task at a time keeps one, its own, not 18 (the bursts' spare
  // idled out unused, so lone tasks start none).
  for (let i = 0; i < 3; i++) await burst(1);
  assert.equal(pool.idleCount, 1);
  assert.equal(procs.spawned(), 19);
});

test("warm pool: once a spare idles out unused, lone tasks start no spare beside them; two at once start spares again", async () => {
  const { clock, procs, pool, burst } = setup();
  await burst(1);
  assert.equal(procs.spawned(), 2, "the first task starts a spare beside it");
  for (let i = 0; i < 3; i++) {
    await burst(1);
    clock.advance(WARM_POOL_DEFAULTS.idleMs / 3);
    await settle();
  }
  // The task's own process keeps serving (taken first); the spare idled out having served nothing.
  assert.equal(procs.spawned(), 2);
  assert.equal(pool.idleCount, 1);
  for (let i = 0; i < 5; i++) {
    await burst(1);
    clock.advance(WARM_POOL_DEFAULTS.idleMs / 2);
    await settle();
  }
  assert.equal(procs.spawned(), 2, "sequential tasks run on the one process, and no spare is started and idled out every 30 s");
  await burst(2);
  assert.equal(procs.spawned(), 4, "two at once: the second starts cold, and a spare is started beside them");
  await burst(1);
  assert.equal(procs.spawned(), 4);
  assert.equal(pool.idleCount, 3);
});

test("warm pool: after an idle timeout the kind is bounded by what runs now: processes a task frees beyond it retire", async () => {
  const { clock, pool } = setup();
  const logger = silentLogger();
  const taken = await Promise.all(Array.from({ length: 17 }, () => pool.take(KEY)));
  for (const p of taken) p.bind({ signal: new AbortController().signal, logger });
  await pool.release(taken[0]!); // one task ends early; the spare is idle too
  clock.advance(10_000);
  await Promise.all(taken.slice(1).map((p) => pool.release(p)));
  await settle();
  assert.equal(pool.idleCount, 18);
  clock.advance(20_000); // the two idle since the start time out: the burst is over
  await settle();
  assert.equal(pool.idleCount, 16);
  for (let i = 0; i < 3; i++) {
    const p = await pool.take(KEY);
    p.bind({ signal: new AbortController().signal, logger });
    await pool.release(p);
  }
  assert.equal(pool.idleCount, 13, "each task ran alone, so the process it used retired instead of parking beside 15 others");
});

test("warm pool: VS3D_WARM_WORKERS stays a cap over the grants", async () => {
  const { pool, burst, procs } = setup({ maxIdle: 4 });
  await burst(17);
  assert.equal(pool.idleCount, 4);
  assert.equal(procs.live.size, 4, "the rest retired");
});

test("warm pool: idle RAM is held in the broker; a refused hold retires the process; the broker asks RAM back for a waiting task and gets it", async (t) => {
  const clock = createManualClock(Date.parse("2026-12-01T10:00:00Z"));
  // A 2 GiB node: a 1740.8 MiB RAM target; a thumbnail asks 512 MiB.
  const broker = createResourceBroker({
    nodeId: "node-a",
    append: () => Promise.resolve(),
    capacity: { cores: 2, ramBytes: 2 * GIB },
    weights: mergeWeights([]),
    clock,
    snapshot: () => undefined,
  });
  t.after(() => broker.stop());
  const procs = standIns();
  const pool = createWarmPool(procs.spawn, { ...WARM_POOL_DEFAULTS, readRss: () => Promise.resolve(IDLE_RSS), clock });
  const detach = pool.attach(broker);
  const taken = await Promise.all(Array.from({ length: 14 }, () => pool.take(KEY)));
  await Promise.all(taken.map((p) => pool.release(p)));
  await settle();
  const held = Object.values(broker.view().holds).reduce((s, b) => s + b, 0);
  // One 128 MiB spare and 11 × 145 MiB fit in 1740.8 MiB; a 12th would not.
  assert.equal(pool.idleCount, 12);
  assert.equal(held, 128 * MIB + 11 * IDLE_RSS, "every idle process is held in the broker, once");
  assert.equal(procs.live.size, 12, "those the broker refused retired");

  const grant = broker.request({ taskId: "t1", taskType: "image_thumbnail", priority: 5, submittedAt: new Date(clock.now()).toISOString() });
  let granted = false;
  void grant.then(() => (granted = true));
  clock.advance(50); // the broker places; the task fits only without held RAM: the pool retires the oldest idle processes
  await settle();
  await broker.flushed();
  clock.advance(50);
  await broker.flushed();
  await settle();
  assert.ok(granted, "the waiting task was granted once the RAM came back");
  const heldAfter = Object.values(broker.view().holds).reduce((s, b) => s + b, 0);
  assert.ok(heldAfter + 512 * MIB <= 1740.8 * MIB, `held ${heldAfter / MIB} MiB beside the 512 MiB grant`);
  assert.equal(pool.idleCount, procs.live.size);
  assert.ok(pool.idleCount >= 8, `only as many retired as the task needed (${12 - pool.idleCount})`);

  // Taken by a task: its hold ends (the grant covers it).
  const next = await pool.take(KEY);
  assert.equal(Object.keys(broker.view().holds).length, pool.idleCount);
  await pool.release(next);
  await detach();
  assert.equal(pool.idleCount, 0);
  assert.deepEqual(broker.view().holds, {}, "detached: every idle process retired and its hold given back");
});

test("warm pool: a take that finds no idle process while a release is still deciding waits for it instead of starting one cold", async () => {
  let openRss = (): void => {};
  const gate = new Promise<void>((resolve) => (openRss = resolve));
  const { procs, pool } = setup({ readRss: () => gate.then(() => IDLE_RSS) });
  const logger = silentLogger();
  const [a, b] = await Promise.all([pool.take(KEY), pool.take(KEY)]);
  for (const p of [a, b]) p.bind({ signal: new AbortController().signal, logger });
  await settle();
  assert.equal(procs.spawned(), 3, "two cold starts and one spare");
  const releasing = pool.release(a); // reading a's RSS: held at the gate
  const c = pool.take(KEY); // takes the spare, and starts the next spare
  const d = pool.take(KEY); // nothing idle: waits for a's decision
  await settle();
  assert.equal(procs.spawned(), 4, "while a decides, only the new spare is started: nothing cold for d");
  const existing = new Set(procs.live);
  openRss();
  await releasing;
  const [, served] = await Promise.all([c, d]);
  // A warm process (the new spare, parked meanwhile; `a` is then one more than the kind's peak and
  // retires), started before d asked for nothing but a spare.
  assert.ok(existing.has(served.pid!), `d got process ${served.pid}, started for it`);
});
