import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { fixture, REPO_ROOT } from "../helpers/fixtures.ts";
import { judgeTask, violations, type StreamEvent, type TaskVerdict } from "./chaos-checks.ts";
import { chaosStack, restartDependency, type ChaosNode, type ChaosStack, type Dependency } from "./chaos-stack.ts";
import { mixedTask, uploadInputs, type ChaosTask } from "./chaos-workload.ts";
import { cliCorpus, poisonCorpus, type Poison } from "./poison-corpus.ts";
import { seededRng } from "./seeded-rng.ts";

export interface ChaosOptions {
  /** The CI size: fewer tasks, kills and poison cases; every scenario still runs. */
  quick: boolean;
  seed: number;
  /** Which shared servers to restart mid-task. Default: all three. */
  restarts?: readonly Dependency[];
  log?: (line: string) => void;
}

export interface ChaosSummary {
  seed: number;
  quick: boolean;
  tasks: number;
  kills: number;
  restarts: number;
  results: number;
  duplicates: number;
  stagesRedone: number;
  resumed: number;
  resumedPastAStage: number;
  finishedByOther: number;
  readiness: { dependency: Dependency; sawNotReady: boolean; readyAgainMs: number | null }[];
  poison: { sent: number; handled: number; amqp: [number, number]; http: [number, number]; cli: [number, number] };
  violations: string[];
  seconds: number;
}

const SIZES = {
  quick: { tasks: 8, kills: 2, perRestart: 2, cli: 3, httpEvery: 2 },
  full: { tasks: 30, kills: 8, perRestart: 5, cli: 8, httpEvery: 1 },
};
const SETTLED = new Set(["completed", "failed", "dead_lettered", "cancelled"]);
const BUSY = new Set(["downloading", "waiting_for_slot", "processing", "uploading"]);

/** The reliability suite (issue 16): two nodes, SIGKILLs, server restarts and a poison corpus, each
 * judged from what the platform and the streams show. Every wait is bounded; the seed fixes every
 * random choice. */
export async function runChaos(options: ChaosOptions): Promise<ChaosSummary> {
  const t0 = Date.now();
  const size = options.quick ? SIZES.quick : SIZES.full;
  const out = options.log ?? (() => {});
  const log = (line: string) => out(line.replace(/^chaos: /, `chaos: +${Math.round((Date.now() - t0) / 1000)} s `));
  const rng = seededRng(options.seed);
  const stack = await chaosStack();
  const found: string[] = [];
  const summary: ChaosSummary = {
    seed: options.seed,
    quick: options.quick,
    tasks: 0,
    kills: 0,
    restarts: 0,
    results: 0,
    duplicates: 0,
    stagesRedone: 0,
    resumed: 0,
    resumedPastAStage: 0,
    finishedByOther: 0,
    readiness: [],
    poison: { sent: 0, handled: 0, amqp: [0, 0], http: [0, 0], cli: [0, 0] },
    violations: found,
    seconds: 0,
  };
  try {
    const tenant = randomUUID();
    await uploadInputs(stack, tenant);
    await Promise.all(stack.nodes.map((n) => n.start()));
    await Promise.all(stack.nodes.map((n) => waitReady(n, 60_000)));
    const tasks: ChaosTask[] = [];
    const kills: { node: string; generation: number; at: number }[] = [];

    // 1. Mixed tasks on two nodes, random SIGKILLs of either, each killed node started again.
    log(`chaos: seed ${options.seed}, ${size.tasks} tasks, ${size.kills} kills`);
    for (let i = 0; i < size.tasks; i++) tasks.push(mixedTask(stack, tenant, rng));
    // In waves, one before each kill, so that every kill finds work in flight.
    const wave = Math.ceil(tasks.length / size.kills);
    const published = new Set<ChaosTask>();
    for (let k = 0; k < size.kills; k++) {
      for (const t of tasks.slice(k * wave, (k + 1) * wave)) {
        await stack.platform.publish(t.taskType, Buffer.from(JSON.stringify(t.message)));
        published.add(t);
      }
      await sleep(rng.between(800, 2500));
      // Prefer a moment when a task has completed a stage and is on to the next: its resume must
      // then download that stage's outputs back instead of recomputing them.
      const busy = (await waitFor(() => busyTasks(stack, tasks, true), 6_000)) ?? (await waitFor(() => busyTasks(stack, tasks), 20_000));
      if (!busy) break;
      // Half the kills (a seeded coin) aim at the node running such a task; the rest at either node.
      const owner = rng.next() < 0.5 ? ownerOf(stack, busy[rng.int(busy.length)]!) : null;
      const victim = owner ?? stack.nodes[rng.int(2)]!;
      const other = stack.nodes.find((n) => n !== victim)!;
      if (!victim.current) continue;
      kills.push({ node: victim.name, generation: victim.generations.length - 1, at: Date.now() });
      log(`chaos: SIGKILL node ${victim.name} (${kills.length})`);
      await victim.sigkill();
      // Down long enough for the broker to hand its deliveries to the other node.
      await sleep(rng.between(1500, 3500));
      if (!other.current) await other.start();
      await victim.start();
    }
    // Waves a kill loop that ended early did not publish yet.
    for (const t of tasks) if (!published.has(t)) await stack.platform.publish(t.taskType, Buffer.from(JSON.stringify(t.message)));
    summary.kills = kills.length;
    await Promise.all(stack.nodes.map((n) => waitReady(n, 60_000)));
    await waitForFinals(stack, tasks, options.quick ? 150_000 : 300_000, found);

    // 2. RabbitMQ, Redis and PostgreSQL restarts while tasks run.
    for (const dep of options.restarts ?? (["rabbitmq", "redis", "postgres"] as const)) {
      const batch = Array.from({ length: size.perRestart }, () => mixedTask(stack, tenant, rng));
      tasks.push(...batch);
      for (const t of batch) await stack.platform.publish(t.taskType, Buffer.from(JSON.stringify(t.message)));
      await waitFor(() => anyBusy(stack, batch), 20_000);
      log(`chaos: restarting ${dep}`);
      const poll = pollReadiness(stack.nodes);
      const downAt = Date.now();
      await restartDependency(dep, { downMs: 2500 });
      const upAt = Date.now();
      const readyAgain = await waitFor(async () => (await Promise.all(stack.nodes.map((n) => isReady(n)))).every(Boolean), 90_000);
      const observations = poll.stop();
      const duringOutage = observations.filter((o) => o.at >= downAt && o.at <= upAt);
      const sawNotReady = duringOutage.some((o) => !o.ok && o.failing.some((f) => f === checkName(dep)));
      summary.readiness.push({ dependency: dep, sawNotReady, readyAgainMs: readyAgain ? Date.now() - upAt : null });
      summary.restarts++;
      if (!sawNotReady) found.push(`${dep} restart: /health/ready never said ${checkName(dep)} was down during the ${upAt - downAt} ms outage`);
      if (!readyAgain) found.push(`${dep} restart: the nodes were not ready again within 90 s`);
      await waitForFinals(stack, batch, 180_000, found);
    }

    // 3. The poison corpus over AMQP, HTTP and the CLI.
    const completed = tasks.find((t) => stack.platform.results.some((r) => r.body.task_id === t.message.task_id && r.body.status === "completed"));
    const logMarks = stack.nodes.map((n) => n.generations.map((g) => g.logs().length));
    if (completed) await poisonPhase(stack, tenant, completed.message, size, summary, found, log);
    const requeues =
      stack.nodes
        .flatMap((n, i) => n.generations.map((g, j) => g.logs().slice(logMarks[i]![j] ?? 0)))
        .join("\n")
        .match(/delivery handling failed: requeueing/g)?.length ?? 0;
    if (requeues > 0) found.push(`poison: ${requeues} deliveries were requeued after a handling failure (a loop in the making)`);

    // Later tasks still get their results: no poison stopped a projection.
    const after = mixedTask(stack, tenant, rng);
    tasks.push(after);
    await stack.platform.publish(after.taskType, Buffer.from(JSON.stringify(after.message)));
    await waitForFinals(stack, [after], 120_000, found);

    // Judge every task from its stream and the results.
    const node = liveNode(stack);
    const verdicts: TaskVerdict[] = [];
    for (const t of tasks) {
      const evs = await events(node, t.message.task_id);
      const v = judgeTask(t.message.task_id, stack.platform.results, evs);
      verdicts.push(v);
      // Each interrupted task's history, compact: the evidence behind "resumed" and "no stage redone".
      if (v.interrupted)
        log(
          `chaos: resumed ${t.kind} ${v.taskId}: ${evs
            .filter((e) => e.type !== "ProgressReported")
            .map((e) => (typeof e.data.stage === "string" ? `${e.type}(${e.data.stage})` : e.type))
            .join(" ")}`,
        );
    }
    found.push(...violations(verdicts, new Map(tasks.map((t) => [t.message.task_id, "completed"]))));
    summary.tasks = tasks.length;
    summary.results = new Set(stack.platform.results.filter((r) => tasks.some((t) => t.message.task_id === r.body.task_id)).map((r) => r.messageId)).size;
    summary.duplicates = verdicts.reduce((n, v) => n + v.duplicateDeliveries, 0);
    summary.stagesRedone = verdicts.reduce((n, v) => n + v.stagesRedone.length, 0);
    summary.resumed = verdicts.filter((v) => v.interrupted).length;
    summary.resumedPastAStage = verdicts.filter((v) => v.resumedPastAStage).length;
    summary.finishedByOther = finishedByOther(stack, kills, verdicts);
    // The full run must show kills that hit running tasks; the quick run (two kills) reports it only.
    if (!options.quick && summary.kills > 0 && summary.resumed === 0) found.push("no task was interrupted by the kills: the kills hit nothing");
    for (const n of stack.nodes) if (n.crashed()) found.push(`node ${n.name} exited on its own`);
  } catch (error) {
    found.push(`the run stopped: ${(error as Error).stack ?? String(error)}`);
  } finally {
    summary.seconds = Math.round((Date.now() - t0) / 1000);
    if (found.length) log(`chaos: logs of the failed run (seed ${options.seed}):\n${stack.logs().slice(-20_000)}`);
    await stack.close();
  }
  return summary;
}

async function poisonPhase(
  stack: ChaosStack,
  tenant: string,
  completed: ChaosTask["message"],
  size: (typeof SIZES)["quick"],
  summary: ChaosSummary,
  found: string[],
  log: (line: string) => void,
): Promise<void> {
  const amqp = await poisonCorpus(stack, tenant, completed);
  const before = await events(liveNode(stack), completed.task_id);
  log(`chaos: poison corpus, ${amqp.length} AMQP messages`);
  for (const p of amqp) await stack.platform.publish(p.routingKey, p.body);
  const amqpOk = await judgeAmqpPoison(stack, amqp, before.length, found);
  summary.poison.amqp = [amqpOk, amqp.length];

  // HTTP: a fresh copy of the corpus (new task ids), every `httpEvery`-th case.
  const http = (await poisonCorpus(stack, tenant, completed)).filter((p, i) => p.http && i % size.httpEvery === 0);
  let httpOk = 0;
  const node = liveNode(stack);
  for (const p of http) {
    const r = await fetch(`${node.url}/tasks`, { method: "POST", headers: { "content-type": "application/json" }, body: p.body }).catch((e: unknown) => e as Error);
    if (r instanceof Error) {
      found.push(`http poison "${p.name}": the request failed: ${r.message}`);
      continue;
    }
    const answer = (await r.json().catch(() => null)) as { error?: { code?: string } } | null;
    if (r.status >= 500) found.push(`http poison "${p.name}": ${r.status} ${JSON.stringify(answer)}`);
    else if (p.http === "4xx") {
      if (r.status >= 400 && answer?.error?.code) httpOk++;
      else found.push(`http poison "${p.name}": expected 4xx with a code, got ${r.status}`);
    } else if (p.expect.kind === "result") {
      const code = p.expect.code;
      const ended = await waitFor(async () => {
        const view = (await (await fetch(`${node.url}/tasks/${p.taskId}`)).json()) as { state?: string; error?: { code?: string } };
        return view.state && SETTLED.has(view.state) ? view : null;
      }, 60_000);
      if (ended && ended.error?.code === code) httpOk++;
      else found.push(`http poison "${p.name}": ended ${JSON.stringify(ended)}, expected ${code}`);
    }
  }
  summary.poison.http = [httpOk, http.length];

  // CLI: `vs3d process` with its own local store.
  const dir = join(stack.root, "cli");
  await mkdir(dir, { recursive: true });
  const cli = (await cliCorpus(dir, fixture("images", "recurser_Landscape_3.jpg"), fixture("geotiff", "riocogeo_image_2000px.tif"))).slice(0, size.cli);
  let cliOk = 0;
  for (const c of cli) {
    const run = await execa(join(REPO_ROOT, "bin", "vs3d.js"), ["process", c.file, "--type", c.type, "--params", c.params, "--out", join(dir, "out"), "--json"], {
      cwd: dir,
      reject: false,
      timeout: 90_000,
      env: { LOG_LEVEL: "silent", DATA_DIR: join(dir, "data"), WORK_DIR: join(dir, "work") },
    });
    const line = run.stdout.trim().split("\n").at(-1) ?? "";
    const code = (() => {
      try {
        return (JSON.parse(line) as { error?: { code?: string } }).error?.code;
      } catch {
        return undefined;
      }
    })();
    if ((run.exitCode === 1 || run.exitCode === 2) && code === c.code && !/\n\s+at .+:\d+:\d+/.test(run.stderr)) cliOk++;
    else found.push(`cli poison "${c.name}": exit ${String(run.exitCode)}, code ${String(code)} (expected ${c.code}); stderr ${run.stderr.slice(0, 300)}`);
  }
  summary.poison.cli = [cliOk, cli.length];
  summary.poison.sent = amqp.length + http.length + cli.length;
  summary.poison.handled = amqpOk + httpOk + cliOk;
}

async function judgeAmqpPoison(stack: ChaosStack, corpus: readonly Poison[], completedEvents: number, found: string[]): Promise<number> {
  const node = () => liveNode(stack);
  const judge = async (p: Poison): Promise<boolean> => {
    const e = p.expect;
    const resultCode = (id: string | null) => stack.platform.results.find((r) => r.body.task_id === id && r.body.status === "failed")?.body as { error?: { code?: string } } | undefined;
    if (e.kind === "dlq") {
      const dead = (await stack.platform.dlq()).find((m) => (p.taskId ? m.properties.headers?.["x-vs3d-task-id"] === p.taskId : Buffer.compare(m.content, p.body) === 0));
      if (!dead || dead.properties.headers?.["x-vs3d-error-code"] !== e.code) return false;
      return !e.result || resultCode(p.taskId)?.error?.code === e.code;
    }
    if (e.kind === "result") return resultCode(p.taskId)?.error?.code === e.code;
    if (e.kind === "settled") {
      const view = (await (await fetch(`${node().url}/tasks/${p.taskId}`)).json().catch(() => ({}))) as { state?: string };
      if (view.state && SETTLED.has(view.state)) return true;
      return (await stack.platform.dlq()).some((m) => m.properties.headers?.["x-vs3d-task-id"] === p.taskId);
    }
    return (await events(node(), e.of)).length === completedEvents;
  };
  const pending = new Set(corpus);
  const deadline = Date.now() + 120_000;
  while (pending.size && Date.now() < deadline) {
    for (const p of [...pending]) if (await judge(p).catch(() => false)) pending.delete(p);
    if (pending.size) await sleep(1000);
  }
  for (const p of pending) found.push(`amqp poison "${p.name}": did not end as ${JSON.stringify(p.expect)} within 120 s`);
  return corpus.length - pending.size;
}

/** Tasks interrupted on a killed node whose completion was logged by the other node. */
function finishedByOther(stack: ChaosStack, kills: readonly { node: string; generation: number }[], verdicts: readonly TaskVerdict[]): number {
  const taskLines = (n: ChaosNode, gen?: number) =>
    (gen === undefined ? n.generations : [n.generations[gen]!])
      .flatMap((g) => g.logs().split("\n"))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as { task_id?: string; msg?: string; component?: string }];
        } catch {
          return [];
        }
      });
  const handed = new Set<string>();
  for (const k of kills) {
    const victim = stack.nodes.find((n) => n.name === k.node)!;
    const other = stack.nodes.find((n) => n.name !== k.node)!;
    const started = new Set(
      taskLines(victim, k.generation)
        .filter((l) => l.msg === "task message accepted")
        .map((l) => l.task_id),
    );
    // The owner's own line, not the fleet's task log (which any node may write).
    const completedByOther = new Set(
      taskLines(other)
        .filter((l) => l.msg === "task completed" && l.component !== "task-log")
        .map((l) => l.task_id),
    );
    for (const v of verdicts) if (v.interrupted && started.has(v.taskId) && completedByOther.has(v.taskId)) handed.add(v.taskId);
  }
  return handed.size;
}

async function waitForFinals(stack: ChaosStack, tasks: readonly ChaosTask[], timeoutMs: number, found: string[]): Promise<void> {
  const final = (t: ChaosTask) =>
    stack.platform.results.some(
      (r) => r.body.task_id === t.message.task_id && (r.body.status === "completed" || (r.body.status === "failed" && (r.body as { retry?: { will_retry?: boolean } }).retry?.will_retry === false)),
    );
  const ok = await waitFor(() => Promise.resolve(tasks.every(final)), timeoutMs);
  if (!ok) for (const t of tasks.filter((x) => !final(x))) found.push(`${t.message.task_id} (${t.kind}): no final result within ${timeoutMs / 1000} s`);
}

/** Ids of the tasks in flight (optionally: past a completed stage), or null when none is. */
async function busyTasks(stack: ChaosStack, tasks: readonly ChaosTask[], pastAStage = false): Promise<string[] | null> {
  const node = liveNode(stack);
  const ids = new Set(tasks.map((t) => t.message.task_id));
  const list = (await (await fetch(`${node.url}/tasks?limit=500`)).json().catch(() => ({ tasks: [] }))) as { tasks: { task_id: string; state: string; stages?: { completed: boolean }[] }[] };
  const busy = list.tasks.filter((t) => ids.has(t.task_id) && BUSY.has(t.state) && (!pastAStage || (t.stages ?? []).some((s) => s.completed))).map((t) => t.task_id);
  return busy.length ? busy : null;
}

async function anyBusy(stack: ChaosStack, tasks: readonly ChaosTask[]): Promise<boolean> {
  return (await busyTasks(stack, tasks)) !== null;
}

/** The live node whose current process last accepted this task's delivery (from its log). */
function ownerOf(stack: ChaosStack, taskId: string): ChaosNode | null {
  let best: { node: ChaosNode; at: string } | null = null;
  for (const n of stack.nodes) {
    for (const line of n.current?.logs().split("\n") ?? []) {
      if (!line.includes(taskId) || !line.includes("task message accepted")) continue;
      const at = (JSON.parse(line) as { time?: string }).time ?? "";
      if (!best || at > best.at) best = { node: n, at };
    }
  }
  return best?.node ?? null;
}

function liveNode(stack: ChaosStack): { url: string } {
  const n = stack.nodes.find((x) => x.current && x.current.process.exitCode === null);
  if (!n?.current) throw new Error("no live node");
  return n.current;
}

async function events(node: { url: string }, taskId: string): Promise<StreamEvent[]> {
  const r = await fetch(`${node.url}/tasks/${taskId}/events`);
  return r.ok ? ((await r.json()) as { events: StreamEvent[] }).events : [];
}

const checkName = (dep: Dependency) => (dep === "rabbitmq" ? "amqp" : dep === "redis" ? "redis" : "event_store");

async function isReady(n: ChaosNode): Promise<boolean> {
  if (!n.current) return false;
  return fetch(`${n.current.url}/health/ready`, { signal: AbortSignal.timeout(3000) }).then(
    (r) => r.ok,
    () => false,
  );
}

async function waitReady(n: ChaosNode, timeoutMs: number): Promise<void> {
  if (!(await waitFor(() => isReady(n), timeoutMs))) throw new Error(`node ${n.name} not ready within ${timeoutMs} ms`);
}

/** Polls both nodes' /health/ready every 250 ms until stopped. */
function pollReadiness(nodes: readonly ChaosNode[]): { stop(): { at: number; ok: boolean; failing: string[] }[] } {
  const seen: { at: number; ok: boolean; failing: string[] }[] = [];
  let running = true;
  void (async () => {
    while (running) {
      for (const n of nodes) {
        if (!n.current) continue;
        const at = Date.now();
        const r = await fetch(`${n.current.url}/health/ready`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
        const body = r ? ((await r.json().catch(() => null)) as { checks?: Record<string, { ok: boolean }> } | null) : null;
        const failing = Object.entries(body?.checks ?? {})
          .filter(([, c]) => !c.ok)
          .map(([k]) => k);
        seen.push({ at, ok: r?.ok ?? false, failing });
      }
      await sleep(250);
    }
  })();
  return {
    stop() {
      running = false;
      return seen;
    },
  };
}

async function waitFor<T>(fn: () => Promise<T | false | null | undefined>, timeoutMs: number): Promise<T | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v) return v;
    if (Date.now() > deadline) return null;
    await sleep(300);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function summaryLine(s: ChaosSummary): string {
  const ready = s.readiness.filter((r) => r.sawNotReady && r.readyAgainMs !== null).length;
  const recovery = s.readiness.map((r) => `${r.dependency} ${r.readyAgainMs === null ? "never" : `${(r.readyAgainMs / 1000).toFixed(1)} s`}`).join(", ");
  return (
    `chaos ${s.quick ? "quick" : "full"}: seed=${s.seed} tasks=${s.tasks} kills=${s.kills} restarts=${s.restarts} results=${s.results} duplicates=${s.duplicates} ` +
    `stages_redone=${s.stagesRedone} resumed=${s.resumed} resumed_past_a_stage=${s.resumedPastAStage} finished_by_other=${s.finishedByOther} ` +
    `readiness_truthful=${ready}/${s.readiness.length} (ready again after: ${recovery || "-"}) ` +
    `poison=${s.poison.handled}/${s.poison.sent} (amqp ${s.poison.amqp.join("/")}, http ${s.poison.http.join("/")}, cli ${s.poison.cli.join("/")}) ` +
    `violations=${s.violations.length} in ${s.seconds} s`
  );
}
