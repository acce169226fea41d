import { readTreeRssBytes } from "./rss-guard.ts";
import { keyOf, type WorkerKey, type WorkerProcess } from "./worker-process.ts";

export interface WarmPoolOptions {
  /** Idle worker processes kept at most, all kinds together. 0: none, so every task gets a fresh
   * process that retires with it. Env VS3D_WARM_WORKERS. Default: 0. */
  maxIdle: number;
  /** A process retires after serving this many tasks. Env VS3D_WORKER_MAX_TASKS. Default: 20. */
  maxTasks: number;
  /** A process whose RSS (with its children) is past this when its task ends retires.
   * Env VS3D_WORKER_MAX_RSS_MB. Default: 512 MiB. */
  maxRssBytes: number;
  /** An idle process retires after this long unused. Default: 30 000 ms. */
  idleMs: number;
  readRss?: (pid: number) => Promise<number | null>;
}

export const WARM_POOL_DEFAULTS: WarmPoolOptions = { maxIdle: 0, maxTasks: 20, maxRssBytes: 512 * 2 ** 20, idleMs: 30_000 };

export function warmPoolOptionsFromEnv(env: Record<string, string | undefined>): WarmPoolOptions {
  const int = (name: string, fallback: number) => {
    // An empty value (`VS3D_WORKER_MAX_TASKS=` in an .env) is unset, as in the validated config: Number("") is 0.
    const raw = env[name]?.trim();
    const n = Number(raw);
    return raw && Number.isInteger(n) && n >= 0 ? n : fallback;
  };
  return {
    ...WARM_POOL_DEFAULTS,
    maxIdle: int("VS3D_WARM_WORKERS", WARM_POOL_DEFAULTS.maxIdle),
    maxTasks: Math.max(1, int("VS3D_WORKER_MAX_TASKS", WARM_POOL_DEFAULTS.maxTasks)),
    maxRssBytes: int("VS3D_WORKER_MAX_RSS_MB", WARM_POOL_DEFAULTS.maxRssBytes / 2 ** 20) * 2 ** 20,
  };
}

export interface WarmPool {
  /** An idle process of this kind, else a new one. With warm workers on, one more of the kind is
   * started ahead for the next task, while the pool has room. */
  take(key: WorkerKey): Promise<WorkerProcess>;
  /** The task is over: back to the idle set when still sound, else retired. */
  release(proc: WorkerProcess): Promise<void>;
  readonly idleCount: number;
  /** Retires every idle process. */
  drain(): Promise<void>;
}

/** Worker processes kept warm between tasks: one task at a time per process; a process retires
 * after a failed stage, a cancel or a crash (it is no longer `reusable`), after `maxTasks` tasks,
 * when its RSS is past `maxRssBytes` at a task's end, or after `idleMs` idle. Idle processes are at
 * most `maxIdle` in all, and they grow only with the tasks the broker has granted (a take). */
export function createWarmPool(spawn: (key: WorkerKey) => Promise<WorkerProcess>, options: WarmPoolOptions): WarmPool {
  const idle = new Map<string, { proc: WorkerProcess; timer: ReturnType<typeof setTimeout> }[]>();
  const starting = new Map<string, number>();
  const readRss = options.readRss ?? readTreeRssBytes;
  const count = (m: Map<string, unknown[] | number>) => [...m.values()].reduce<number>((n, v) => n + (typeof v === "number" ? v : v.length), 0);
  const roomFor = () => count(idle) + count(starting) < options.maxIdle;

  const park = (proc: WorkerProcess) => {
    const list = idle.get(proc.key) ?? [];
    const timer = setTimeout(() => {
      const i = list.findIndex((e) => e.proc === proc);
      if (i >= 0) list.splice(i, 1);
      void proc.retire();
    }, options.idleMs);
    timer.unref();
    list.push({ proc, timer });
    idle.set(proc.key, list);
  };

  const startAhead = (key: WorkerKey) => {
    const k = keyOf(key);
    if (options.maxIdle === 0 || (idle.get(k)?.length ?? 0) + (starting.get(k) ?? 0) > 0 || !roomFor()) return;
    starting.set(k, (starting.get(k) ?? 0) + 1);
    void spawn(key)
      .then((proc) => (proc.reusable ? park(proc) : proc.retire()))
      .catch(() => {}) // a spare that failed to start is no task's failure; the next take starts its own
      .finally(() => starting.set(k, (starting.get(k) ?? 1) - 1));
  };

  return {
    async take(key) {
      const list = idle.get(keyOf(key)) ?? [];
      let proc: WorkerProcess | undefined;
      while (!proc && list.length > 0) {
        const entry = list.shift()!;
        clearTimeout(entry.timer);
        if (entry.proc.reusable) proc = entry.proc;
        else void entry.proc.retire();
      }
      startAhead(key);
      return proc ?? spawn(key);
    },
    async release(proc) {
      proc.unbind();
      if (options.maxIdle === 0 || !proc.reusable || proc.tasks >= options.maxTasks || !roomFor() || proc.pid === undefined) return proc.retire();
      const rss = await readRss(proc.pid);
      if (rss === null || rss > options.maxRssBytes || !roomFor()) return proc.retire();
      park(proc);
    },
    get idleCount() {
      return count(idle);
    },
    async drain() {
      const all = [...idle.values()].flat();
      idle.clear();
      await Promise.all(all.map((e) => (clearTimeout(e.timer), e.proc.retire())));
    },
  };
}
