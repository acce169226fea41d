/** `npm run bench -- thumbnails [--quick] [--rounds=N]`: 20 generated 24 MP JPEG photos (EXIF orientations 1–8)
 * to 256 px WEBP thumbnails, two ways in the same run, alternated for 3 rounds (or N):
 *  - the service's whole embedded path: the real process (`node src/main.ts`), every task submitted
 *    over HTTP at once, then polled until all are settled;
 *  - raw sharp in this process, one photo after another (the library the service wraps).
 * Then one task alone (submit → settled over HTTP; SlotGranted → first StageStarted from its stream)
 * and the service's RSS at rest (its process tree). The last line is the ratio.
 *
 * The bench learns that the 20 tasks settled the way a client of the HTTP surface would: from the
 * live feed (`GET /events/tasks`, Server-Sent Events), one connection opened before the submits.
 * `--poll-ms=N` polls every task's `GET /tasks/:id` every N ms instead; the polls are then part of
 * what is measured (each costs the service's main process about 0.2–0.5 ms of CPU, and the bench's
 * own fetches take CPU from the same two cores). */
import { randomBytes, randomUUID } from "node:crypto";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { readTreeRssBytes } from "../src/actors/worker/rss-guard.ts";
import { WARM_POOL_DEFAULTS } from "../src/actors/worker/warm-pool.ts";
import { startServiceProcess, type ServiceProcess } from "../test/helpers/service-process.ts";
import { machineLine, median } from "./bench-report.ts";

const quick = process.argv.includes("--quick");
const PHOTOS = quick ? 6 : 20;
const ROUNDS_ARG = process.argv.find((a) => a.startsWith("--rounds="))?.slice(9);
const ROUNDS = ROUNDS_ARG !== undefined ? Math.max(1, Number(ROUNDS_ARG)) : quick ? 1 : 3;
const SINGLES = quick ? 3 : 7;
/** How often each task is polled while all 20 run; undefined: the live feed tells. */
const POLL_ARG = process.argv.find((a) => a.startsWith("--poll-ms="))?.slice(10);
const POLL_MS = POLL_ARG === undefined ? undefined : Number(POLL_ARG);
const [WIDTH, HEIGHT] = [6000, 4000];
const SETTLED = new Set(["completed", "failed", "dead_lettered", "cancelled"]);

const root = await mkdtemp(join(tmpdir(), "vs3d-bench-thumbs-"));
const tenant = randomUUID();
const photoDir = join(root, "storage", "in", "tenants", tenant, "files");
await mkdir(photoDir, { recursive: true });

/** A photo-sized JPEG: random 600×400 colour upscaled (smooth areas and edges, about 5–6 MB like a
 * camera's), with EXIF orientation `orientation`, so the thumbnail must be turned upright. */
async function writePhoto(file: string, orientation: number): Promise<void> {
  const seed = randomBytes(600 * 400 * 3);
  await sharp(seed, { raw: { width: 600, height: 400, channels: 3 } })
    .resize(WIDTH, HEIGHT, { kernel: "cubic" })
    .jpeg({ quality: 88 })
    .withMetadata({ orientation })
    .toFile(`${file}.part`);
  await rename(`${file}.part`, file);
}

// Generated once per machine (about 1–5 s a photo here), then copied into each run's storage.
const cache = join(tmpdir(), `vs3d-bench-photos-${WIDTH}x${HEIGHT}`);
await mkdir(cache, { recursive: true });
const names = Array.from({ length: PHOTOS }, (_, i) => `photo-${String(i).padStart(2, "0")}-o${(i % 8) + 1}.jpg`);
for (const [i, name] of names.entries()) {
  if (!(await stat(join(cache, name)).catch(() => null))) await writePhoto(join(cache, name), (i % 8) + 1);
  await copyFile(join(cache, name), join(photoDir, name));
}

async function rawSharp(): Promise<number> {
  const out = await mkdtemp(join(root, "raw-"));
  const startCpu = process.cpuUsage();
  const start = performance.now();
  for (const name of names) {
    await sharp(join(photoDir, name))
      .rotate()
      .resize({ width: 256, height: 256, fit: "inside", withoutEnlargement: true })
      .webp()
      .toFile(join(out, `${name}.webp`));
  }
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(startCpu);
  cpu.raw.push((used.user + used.system) / 1e6);
  await rm(out, { recursive: true, force: true });
  return seconds;
}

/** fetch, tried again on a dropped connection (a kept-alive socket the loaded server closed): the
 * GETs are reads, and a resubmitted task_id is a duplicate the service answers 200. */
async function request(url: string, init?: RequestInit): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

async function submit(service: ServiceProcess, name: string): Promise<string> {
  const taskId = randomUUID();
  const res = await request(`${service.url}/tasks`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      task_id: taskId,
      tenant_id: tenant,
      file_id: randomUUID(),
      task_type: "image_thumbnail",
      priority: 5,
      submitted_at: new Date().toISOString(),
      source: { bucket: "in", key: `tenants/${tenant}/files/${name}` },
      destination: { bucket: "out", base_key: `tenants/${tenant}/processed/${taskId}/` },
      params: { sizes: [256] },
      retry: { attempt: 1, max_attempts: 1 },
    }),
  });
  if (res.status !== 202 && res.status !== 200) throw new Error(`submit ${name}: ${res.status} ${await res.text()}`);
  return taskId;
}

async function settle(service: ServiceProcess, taskId: string, pollMs: number): Promise<void> {
  for (;;) {
    const view = (await (await request(`${service.url}/tasks/${taskId}`)).json()) as { state: string; error?: unknown };
    if (SETTLED.has(view.state)) {
      if (view.state !== "completed") throw new Error(`task ${taskId} ended ${view.state}: ${JSON.stringify(view.error)}`);
      return;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** The service's live feed, read until every task in `ids` has settled (completed, or a failure
 * that fails the bench). Opened before the submits, so no change can be missed. */
async function openFeed(service: ServiceProcess): Promise<{ settled(ids: readonly string[]): Promise<void>; close(): void }> {
  const abort = new AbortController();
  const res = await fetch(`${service.url}/events/tasks`, { signal: abort.signal });
  if (!res.ok || !res.body) throw new Error(`live feed: ${res.status}`);
  const states = new Map<string, { state: string; error?: unknown }>();
  let changed: () => void = () => {};
  let failed: Error | undefined;
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const message = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!/^event: task$/m.test(message)) continue;
        const data = message.match(/^data: (.*)$/m)?.[1];
        if (data === undefined) continue;
        const view = JSON.parse(data) as { task_id: string; state: string; error?: unknown };
        states.set(view.task_id, view);
        changed();
      }
    }
    // The service ended the feed: without this, a bench waiting for the rest would wait forever.
    throw new Error("the live feed closed before every task settled");
  })().catch((error: unknown) => {
    if (!abort.signal.aborted) failed = error instanceof Error ? error : new Error(String(error));
    changed();
  });
  return {
    async settled(ids) {
      for (;;) {
        if (failed) throw failed;
        const views = ids.map((id) => states.get(id));
        const bad = views.find((v) => v && SETTLED.has(v.state) && v.state !== "completed");
        if (bad) throw new Error(`a task ended ${bad.state}: ${JSON.stringify(bad.error)}`);
        if (views.every((v) => v?.state === "completed")) return;
        await new Promise<void>((r) => (changed = r));
      }
    },
    close() {
      abort.abort();
    },
  };
}

const cpu = { main: [] as number[], workers: [] as number[], raw: [] as number[], threads: [] as Record<string, number>[] };
let lastRound: { ids: string[]; startedAt: number } | undefined;

/** Where the last round's time went, from its tasks' events: for each step, the median and the
 * slowest task's ms since the round began, so a gap between steps shows where tasks wait. */
async function roundTimeline(service: ServiceProcess, round: { ids: string[]; startedAt: number }): Promise<string> {
  const steps = ["TaskAccepted", "DownloadCompleted", "SlotGranted", "StageStarted", "StageCompleted", "TaskCompleted"];
  const at: Record<string, number[]> = Object.fromEntries(steps.map((s) => [s, []]));
  for (const id of round.ids) {
    const { events } = (await (await request(`${service.url}/tasks/${id}/events`)).json()) as { events: { type: string; data: { at: string } }[] };
    for (const step of steps) {
      const e = events.find((x) => x.type === step);
      if (e) at[step]!.push(Date.parse(e.data.at) - round.startedAt);
    }
  }
  return steps.map((s) => `${s} ${median(at[s]!).toFixed(0)}/${Math.max(...at[s]!).toFixed(0)}`).join(", ");
}
const started: number[] = [];

const childrenOf = async (pid: number) => (await readFile(`/proc/${pid}/task/${pid}/children`, "utf8").catch(() => "")).trim().split(/\s+/).filter(Boolean);

/** Worker processes the service started while `during` ran (its children, sampled every 10 ms). */
async function countStarts<T>(pid: number, during: Promise<T>): Promise<{ value: T; starts: number }> {
  const before = new Set(await childrenOf(pid));
  const seen = new Set<string>();
  let done = false;
  const sampling = (async () => {
    while (!done) {
      for (const child of await childrenOf(pid)) if (!before.has(child)) seen.add(child);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const value = await during.finally(() => (done = true));
  await sampling;
  return { value, starts: seen.size };
}

async function viaService(service: ServiceProcess): Promise<number> {
  // A client listens before it submits: the feed's opening is not part of the round.
  const feed = POLL_MS === undefined ? await openFeed(service) : undefined;
  const before = await serviceCpu(service.process.pid!);
  const start = performance.now();
  const run = (async () => {
    const ids = await Promise.all(names.map((name) => submit(service, name)));
    lastRound = { ids, startedAt: Date.now() - (performance.now() - start) };
    await (feed ? feed.settled(ids) : Promise.all(ids.map((id) => settle(service, id, POLL_MS!))));
  })().finally(() => feed?.close());
  started.push((await countStarts(service.process.pid!, run)).starts);
  const seconds = (performance.now() - start) / 1000;
  const after = await serviceCpu(service.process.pid!);
  cpu.main.push(after.main - before.main);
  cpu.workers.push(after.workers - before.workers);
  cpu.threads.push(Object.fromEntries(Object.entries(after.threads).map(([name, s]) => [name, s - (before.threads[name] ?? 0)])));
  return seconds;
}

/** One task alone: submit → settled (polled every 5 ms) and, from its stream, the worker's start. */
async function single(service: ServiceProcess): Promise<{ settledMs: number; startMs: number }> {
  const start = performance.now();
  const id = await submit(service, names[0]!);
  await settle(service, id, 5);
  const settledMs = performance.now() - start;
  const { events } = (await (await request(`${service.url}/tasks/${id}/events`)).json()) as { events: { type: string; data: { at: string } }[] };
  const at = (type: string) => Date.parse(events.find((e) => e.type === type)!.data.at);
  return { settledMs, startMs: at("StageStarted") - at("SlotGranted") };
}

/** CPU seconds from /proc/<pid>/stat: the process's own (utime + stime) and its reaped children's
 * (cutime + cstime). Clock ticks are 100 a second on Linux. */
async function cpuOf(pid: number): Promise<{ own: number; reaped: number } | null> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  if (!stat) return null;
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { own: (Number(f[11]) + Number(f[12])) / 100, reaped: (Number(f[13]) + Number(f[14])) / 100 };
}

/** The main process's CPU seconds by kind of thread (its JavaScript thread, libuv's file and DNS pool,
 * V8's GC and compiler helpers), from /proc/<pid>/task/<tid>/stat: where the service's own cost goes. */
async function threadCpu(pid: number): Promise<Record<string, number>> {
  const kinds: Record<string, number> = {};
  const tids = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  for (const tid of tids) {
    const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, "utf8").catch(() => null);
    if (!stat) continue;
    const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    const kind = name === "MainThread" || tid === String(pid) ? "js" : name === "libuv-worker" ? "libuv" : name === "V8Worker" ? "v8" : "other";
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    kinds[kind] = (kinds[kind] ?? 0) + (Number(f[11]) + Number(f[12])) / 100;
  }
  return kinds;
}

/** The service's main process and its workers (live ones and those that exited), CPU seconds. */
async function serviceCpu(pid: number): Promise<{ main: number; workers: number; threads: Record<string, number> }> {
  const threads = await threadCpu(pid);
  const main = (await cpuOf(pid)) ?? { own: 0, reaped: 0 };
  let workers = main.reaped;
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, "utf8").catch(() => "")).trim().split(/\s+/).filter(Boolean);
  for (const child of children) {
    const c = await cpuOf(Number(child));
    if (c) workers += c.own + c.reaped;
  }
  return { main: main.own, workers, threads };
}

const treeRssMiB = async (pid: number): Promise<number> => ((await readTreeRssBytes(pid)) ?? 0) / 2 ** 20;

const settleDown = () => new Promise((r) => setTimeout(r, 3000));
const service = await startServiceProcess({
  DATA_DIR: join(root, "data"),
  WORK_DIR: join(root, "work"),
  STORAGE_DIR: join(root, "storage"),
  LOG_LEVEL: "warn",
  // The bench polls every task's state: the API's default request budget would answer 429.
  RATE_LIMIT_PER_MINUTE: "0",
});
const times = { service: [] as number[], raw: [] as number[] };
const singles: { settledMs: number; startMs: number }[] = [];
let idleRss = 0;
let timeline = "";
let afterRss = 0;
try {
  await settleDown();
  idleRss = await treeRssMiB(service.process.pid!);
  await single(service); // the first worker also warms the file cache and the store
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (["service", "raw"] as const) : (["raw", "service"] as const);
    for (const way of order) times[way].push(way === "service" ? await viaService(service) : await rawSharp());
  }
  timeline = lastRound ? await roundTimeline(service, lastRound) : "";
  for (let i = 0; i < SINGLES; i++) singles.push(await single(service));
  await settleDown();
  afterRss = await treeRssMiB(service.process.pid!);
} catch (error) {
  process.stderr.write(`service log tail:\n${service.logs().slice(-3000)}\n`);
  throw error;
} finally {
  service.process.kill("SIGTERM");
  await service.process.then(
    () => {},
    () => {},
  );
  await rm(root, { recursive: true, force: true });
}

const list = (xs: number[], digits = 2) => xs.map((x) => x.toFixed(digits)).join(", ");
console.log(
  machineLine(
    `${PHOTOS} photos ${WIDTH}×${HEIGHT}, ${ROUNDS} round(s), settled ${POLL_MS === undefined ? "from the live feed (SSE)" : `by polling every ${POLL_MS} ms`}, VS3D_WARM_WORKERS=${process.env.VS3D_WARM_WORKERS ?? `unset (default: up to ${WARM_POOL_DEFAULTS.maxIdle}, bounded by the broker)`}`,
  ),
);
console.log(`service, all submitted at once over HTTP → all settled: median ${median(times.service).toFixed(2)} s (${list(times.service)})`);
console.log(`raw sharp, one after another:                       median ${median(times.raw).toFixed(2)} s (${list(times.raw)})`);
console.log(
  `one task alone, submit → settled ms: median ${median(singles.map((s) => s.settledMs)).toFixed(0)} (${list(
    singles.map((s) => s.settledMs),
    0,
  )})`,
);
console.log(
  `one task alone, SlotGranted → StageStarted ms: median ${median(singles.map((s) => s.startMs)).toFixed(0)} (${list(
    singles.map((s) => s.startMs),
    0,
  )})`,
);
console.log(`worker processes started per round: ${started.join(", ")}`);
console.log(`last round, ms from its start to each step (median/slowest task): ${timeline}`);
console.log(`CPU seconds per round: service main process ${list(cpu.main)}; its workers ${list(cpu.workers)}; raw sharp ${list(cpu.raw)}`);
console.log(
  `service main process CPU seconds by thread per round: ${cpu.threads
    .map((t) =>
      Object.entries(t)
        .map(([k, v]) => `${k} ${v.toFixed(2)}`)
        .join(" "),
    )
    .join("; ")}`,
);
console.log(`service RSS at rest (process tree): ${idleRss.toFixed(0)} MiB after start, ${afterRss.toFixed(0)} MiB after the runs`);
console.log(`thumbnails_ratio=${(median(times.service) / median(times.raw)).toFixed(2)} (service / raw sharp; target ≤ 1.00)`);
