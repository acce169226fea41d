/**
 * Scheduler bench: the same mixed workload of real child processes through (a) the resource broker and
 * (b) a fixed-concurrency FIFO pool like Celery prefork (concurrency = cores), in one run.
 *   npx tsx bench/scheduler/scheduler.bench.ts [--quick] [--system-snapshot] [--quarter-core-thumbs]
 * --quick: one broker run and one FIFO run (~3 min). Full: workload ×2 and three pairs in the order
 * B F F B B F, so drift in the machine's background load hits both sides alike (~12 min).
 * CPU and RAM are sampled every 2 s from /proc for this process tree only: the build machine is shared,
 * and whole-node numbers would count other people's work. The broker gets the same tree snapshot
 * unless --system-snapshot gives it the real systeminformation one (then others' load throttles it).
 * --timeline=<file>: one JSON line per task (mode, id, arrived/started/ended s) to see where time goes.
 * --quarter-core-thumbs: thumbnails burn and ask a quarter core, as before the floor was measured.
 * Last line: makespan_ratio=<broker/fifo> over_target_ticks=<n> mean_cpu=<%> mean_ram=<%> p95_light_wait_s=<s>
 */
import { appendFileSync } from "node:fs";
import { availableParallelism, totalmem } from "node:os";
import { createIoLimiter } from "../../src/infra/storage/io-limiter.ts";
import { createResourceBroker } from "../../src/broker/resource-broker.ts";
import { sampleSystem } from "../../src/broker/system-sampler.ts";
import { mergeWeights } from "../../src/broker/weights-config.ts";
import { PLACEMENT_DEFAULTS } from "../../src/machines/broker-ask.ts";
import { runBurn } from "./burn-child.ts";
import { createTreeSampler, type TreeSample } from "./tree-sampler.ts";
import { benchWeights, KINDS, mixedWorkload, QUARTER_CORE_KINDS, type Arrival } from "./workload.ts";

type Mode = "broker" | "fifo";
interface RunResult {
  mode: Mode;
  makespanS: number;
  samples: Array<TreeSample & { demandPercent: number; systemPercent: number | undefined }>;
  lightWaitsS: number[];
  peakConcurrent: number;
}

const args = new Set(process.argv.slice(2));
const timelineFile = process.argv.find((a) => a.startsWith("--timeline="))?.slice("--timeline=".length);
const quick = args.has("--quick");
const quarter = args.has("--quarter-core-thumbs");
const kinds = quarter ? QUARTER_CORE_KINDS : KINDS;
const cores = availableParallelism();
const ramTotal = totalmem();
const target = PLACEMENT_DEFAULTS.targetCpuPercent;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runOnce(mode: Mode, workload: Arrival[]): Promise<RunResult> {
  const live = new Set<number>();
  let demandCores = 0;
  let concurrent = 0;
  let peakConcurrent = 0;
  const tree = createTreeSampler(cores, () => live);
  let latest: TreeSample | undefined;
  const samples: RunResult["samples"] = [];
  const sampler = setInterval(() => {
    const s = tree.sample();
    latest = s;
    const row = { ...s, demandPercent: (demandCores / cores) * 100, systemPercent: undefined as number | undefined };
    samples.push(row);
    sampleSystem().then(
      (sys) => {
        row.systemPercent = sys.cpuPercent;
      },
      () => {},
    );
  }, 2000);

  const broker =
    mode === "broker"
      ? createResourceBroker({
          nodeId: "bench",
          append: async () => {},
          capacity: { cores, ramBytes: ramTotal },
          weights: mergeWeights([benchWeights(cores, kinds)]),
          ...(quarter ? { config: { minCpuCores: 0.25 } } : {}),
          // The tree sampler's times are performance.now(); the broker's clock is Date.now().
          ...(args.has("--system-snapshot")
            ? {}
            : {
                snapshot: () =>
                  latest && {
                    cpuPercent: latest.cpuPercent,
                    ramUsedBytes: latest.ramBytes,
                    at: Date.now() - (performance.now() - latest.at),
                    windowMs: latest.windowMs,
                  },
              }),
        })
      : undefined;
  const pool = createIoLimiter({ maxConcurrent: cores });
  const lightWaitsS: number[] = [];
  const t0 = performance.now();

  const execute = async (a: Arrival, arrivedAt: number): Promise<void> => {
    if (a.kind.light) lightWaitsS.push((performance.now() - arrivedAt) / 1000);
    demandCores += a.kind.cores;
    peakConcurrent = Math.max(peakConcurrent, ++concurrent);
    try {
      let pid = 0;
      const started = performance.now();
      await runBurn({ cores: a.kind.cores, wallMs: a.kind.wallMs, ramBytes: a.kind.ramBytes }, { onPid: (p) => live.add((pid = p)) });
      const s = (ms: number) => Number(((ms - t0) / 1000).toFixed(2));
      if (timelineFile) appendFileSync(timelineFile, JSON.stringify({ mode, id: a.id, arrived: s(arrivedAt), started: s(started), ended: s(performance.now()) }) + "\n");
      live.delete(pid);
    } finally {
      demandCores -= a.kind.cores;
      concurrent--;
    }
  };
  const one = async (a: Arrival): Promise<void> => {
    await sleep(a.atMs);
    const arrivedAt = performance.now();
    if (!broker) return pool.run(() => execute(a, arrivedAt));
    await broker.request({ taskId: a.id, taskType: a.kind.type, priority: 5, submittedAt: new Date().toISOString() });
    try {
      await execute(a, arrivedAt);
    } finally {
      broker.release(a.id);
    }
  };
  await Promise.all(workload.map(one));
  const makespanS = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  await broker?.stop();
  return { mode, makespanS, samples, lightWaitsS, peakConcurrent };
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(xs.length * 0.95) - 1)] ?? 0;
const f = (x: number, d = 2) => x.toFixed(d);

const workload = mixedWorkload(quick ? 1 : 2, kinds);
const order: Mode[] = quick ? ["broker", "fifo"] : ["broker", "fifo", "fifo", "broker", "broker", "fifo"];
console.log(`# scheduler bench ${quick ? "quick" : "full"}${quarter ? " quarter-core-thumbs" : ""}: ${workload.length} tasks, ${cores} cores, ${f(ramTotal / 1024 ** 3, 1)} GiB, target ${target} %`);
const results: RunResult[] = [];
for (const mode of order) {
  const r = await runOnce(mode, workload);
  results.push(r);
  const over = r.samples.filter((s) => s.cpuPercent > target).length;
  // Sums of core fractions are inexact: 1.5 + 0.1 + 0.1 cores is 85.00000000000001 %, which is not over.
  const overDemand = r.samples.filter((s) => s.demandPercent > target + 1e-6).length;
  console.log(
    `${mode.padEnd(6)} makespan_s=${f(r.makespanS, 1)} peak_concurrent=${r.peakConcurrent} mean_cpu=${f(mean(r.samples.map((s) => s.cpuPercent)), 1)} ` +
      `over_target_ticks=${over}/${r.samples.length} over_target_demand_ticks=${overDemand} max_cpu=${f(Math.max(...r.samples.map((s) => s.cpuPercent)), 1)} ` +
      `mean_ram=${f(mean(r.samples.map((s) => (s.ramBytes / ramTotal) * 100)), 1)} p95_light_wait_s=${f(p95(r.lightWaitsS))} ` +
      `mean_system_cpu=${f(mean(r.samples.flatMap((s) => (s.systemPercent === undefined ? [] : [s.systemPercent]))), 1)}`,
  );
}
const of = (m: Mode) => results.filter((r) => r.mode === m);
const b = of("broker");
const samples = b.flatMap((r) => r.samples);
console.log(
  `makespan_ratio=${f(mean(b.map((r) => r.makespanS)) / mean(of("fifo").map((r) => r.makespanS)), 3)} ` +
    `over_target_ticks=${samples.filter((s) => s.cpuPercent > target).length} mean_cpu=${f(mean(samples.map((s) => s.cpuPercent)), 1)} ` +
    `mean_ram=${f(mean(samples.map((s) => (s.ramBytes / ramTotal) * 100)), 1)} p95_light_wait_s=${f(p95(b.flatMap((r) => r.lightWaitsS)))}`,
);
