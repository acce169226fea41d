/** The cost of folding a task stream through the interpreted task machine (whose active states
 * invoke effects: the fold creates, never starts, their actor refs) against the same machine with
 * the invokes stripped, in one run. `npm run bench -- task-fold [--quick]` */
import { cpus } from "node:os";
import { createMachine, initialTransition, transition, type AnyStateMachine } from "xstate";
import type { TaskEvent } from "../src/contracts/task-events.ts";
import { taskMachine } from "../src/machines/task.machine.ts";
import { sampleTask } from "../test/helpers/task-events.ts";

const quick = process.argv.includes("--quick");
const task = sampleTask();
const base = { task_id: task.task_id, attempt: 1, at: "2026-12-01T10:00:00.000Z" };
const stages = Array.from({ length: 5 }, (_, i) => ({ name: `s${i}`, label: `S${i}`, weight: 1 }));
const events = [
  { ...base, type: "TaskAccepted", task, stages },
  { ...base, type: "DownloadStarted" },
  { ...base, type: "DownloadCompleted", size_bytes: 1 },
  { ...base, type: "SlotRequested" },
  { ...base, type: "SlotGranted", cpu_percent: 1, ram_bytes: 1, exclusive: false },
  ...stages.flatMap((s) => [
    { ...base, type: "StageStarted", stage: s.name },
    ...Array.from({ length: 20 }, (_, d) => ({ ...base, type: "ProgressReported", stage: s.name, done: d + 1, total: 20 })),
    { ...base, type: "StageCompleted", stage: s.name, outputs: [] },
  ]),
  { ...base, type: "UploadCompleted", outputs: [] },
  { ...base, type: "TaskCompleted", duration_seconds: 1 },
] as TaskEvent[];

/** The same states, guards and actions, without the invokes: the fold as it was before issue 11. */
function withoutInvokes(): AnyStateMachine {
  const config = structuredClone(taskMachine.config) as { states: Record<string, { invoke?: unknown }> };
  for (const state of Object.values(config.states)) delete state.invoke;
  return createMachine(config as never, taskMachine.implementations as never);
}

function fold(machine: AnyStateMachine): string {
  let [s] = initialTransition(machine);
  for (const e of events) [s] = transition(machine, s, e);
  return String(s.value);
}

function usPerEvent(machine: AnyStateMachine, rounds: number): number {
  for (let i = 0; i < 20; i++) fold(machine);
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) if (fold(machine) !== "completed") throw new Error("fold did not complete");
  return ((performance.now() - t0) * 1000) / rounds / events.length;
}

const rounds = quick ? 50 : 400;
const baseline = usPerEvent(withoutInvokes(), rounds);
const interpreted = usPerEvent(taskMachine, rounds);
console.log(
  JSON.stringify({
    bench: "task-fold",
    date: new Date().toISOString(),
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    node: process.version,
    events: events.length,
    rounds,
    us_per_event_without_invokes: +baseline.toFixed(1),
    us_per_event_interpreted: +interpreted.toFixed(1),
    ratio: +(interpreted / baseline).toFixed(2),
  }),
);
