/** GET /tasks with a filter (the dashboard's list, refused tasks hidden) from the task index, against
 * what the same answer costs without one: every stream read and folded per request, as the list did
 * before. Both in one run, on one embedded store (PGlite) holding N tasks refused at acceptance (each
 * a real two-event stream) and 10 real ones. `node --import tsx bench/task-list.bench.ts [--quick]` */
import { cpus, loadavg } from "node:os";
import { readTask } from "../src/actors/read-task.ts";
import { startHarness, taskMessage } from "../test/helpers/embedded-http-harness.ts";

const quick = process.argv.includes("--quick");
const n = quick ? 300 : 1000;
const rounds = quick ? 5 : 20;
const h = await startHarness();
try {
  for (let i = 0; i < n; i++) await h.post(taskMessage({ task_type: "image_thumbnail", params: { sizes: "not sizes" } }));
  for (let i = 0; i < 10; i++) await h.post(taskMessage({ params: { stages: 1, stage_ms: 1 } }));
  await new Promise((r) => setTimeout(r, 3000));

  // Without an index: list the streams, fold each, keep what the filter wants, newest first.
  const scan = async () => {
    const ids = (await h.service.store.listStreams("task-")).map((s) => s.slice("task-".length)).reverse();
    const kept = [];
    for (const id of ids) {
      const t = await readTask(h.service.store, id);
      if (t && !(t.state === "failed" && t.context.stages.length === 0)) kept.push(id);
    }
    return kept.slice(0, 50).length;
  };
  const viaIndex = async () => ((await (await h.app.request("/tasks?limit=50")).json()) as { tasks: unknown[] }).tasks.length;

  const t0 = performance.now();
  const first = await viaIndex();
  const coldMs = performance.now() - t0;
  const time = async (fn: () => Promise<number>, expect: number) => {
    const start = performance.now();
    for (let i = 0; i < rounds; i++) if ((await fn()) !== expect) throw new Error("the two lists disagree");
    return (performance.now() - start) / rounds;
  };
  // Interleaved halves, so a change in the machine's load hits both alike.
  const scanA = await time(scan, first);
  const indexA = await time(viaIndex, first);
  const indexB = await time(viaIndex, first);
  const scanB = await time(scan, first);
  const scanMs = (scanA + scanB) / 2;
  const indexMs = (indexA + indexB) / 2;
  console.log(
    JSON.stringify({
      bench: "task-list",
      date: new Date().toISOString(),
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      node: process.version,
      load1: +loadavg()[0]!.toFixed(1),
      tasks: n + 10,
      rounds,
      listed: first,
      index_first_request_ms: +coldMs.toFixed(1),
      scan_ms: +scanMs.toFixed(1),
      index_ms: +indexMs.toFixed(2),
      ratio_index_over_scan: +(indexMs / scanMs).toFixed(4),
    }),
  );
} finally {
  await h.close();
}
