import { systemClock, type BrokerClock } from "../../broker/broker-clock.ts";
import type { HeldRamAccount } from "../../ports/held-ram.port.ts";
import { readTreeRssBytes } from "./rss-guard.ts";
import { keyOf, type WorkerKey, type WorkerProcess } from "./worker-process.ts";

export interface WarmPoolOptions {
  /** Idle worker processes (and spares starting) at most, all kinds together: a cap over what the
   * grants and the broker's RAM allow. 0: none, so every task gets a fresh process that retires with
   * it. Env VS3D_WARM_WORKERS. Default: 32 (two kinds' bursts of the ~17 light tasks a 2-core node
   * is granted at once; about 4.6 GiB at 145 MiB each if nothing else bounded it). */
  maxIdle: number;
  /** A process retires after serving this many tasks. Env VS3D_WORKER_MAX_TASKS. Default: 20. */
  maxTasks: number;
  /** A process whose RSS (with its children) is past this when its task ends retires.
   * Env VS3D_WORKER_MAX_RSS_MB. Default: 512 MiB. */
  maxRssBytes: number;
  /** An idle process retires after this long unused. Default: 30 000 ms. */
  idleMs: number;
  /** RAM held for a spare while it starts and until its first task; a fresh worker is about 100 MiB.
   * A process parked after a task holds its measured RSS instead. Default: 128 MiB. */
  spareBytes: number;
  readRss?: (pid: number) => Promise<number | null>;
  /** Idle timeouts run on it. Default: the system clock (timers that keep no process alive). */
  clock?: BrokerClock;
}

export const WARM_POOL_DEFAULTS: WarmPoolOptions = { maxIdle: 32, maxTasks: 20, maxRssBytes: 512 * 2 ** 20, idleMs: 30_000, spareBytes: 128 * 2 ** 20 };

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
  /** An idle process of this kind, else a new one. One spare of the kind is started ahead for the
   * next task when none is idle or starting, while the cap and the broker allow. */
  take(key: WorkerKey): Promise<WorkerProcess>;
  /** The task is over: back to the idle set when still sound and within the bounds, else retired.
   * Released again before it is taken again, it is the same release. */
  release(proc: WorkerProcess): Promise<void>;
  readonly idleCount: number;
  /** Holds idle processes' RAM in `account` from now on and retires idle ones when it asks; the
   * processes idle until now retire. The function returned detaches (idle processes retire). */
  attach(account: HeldRamAccount): () => Promise<void>;
  /** Retires every idle process; spares still starting retire when ready. */
  drain(): Promise<void>;
}

interface Idle {
  proc: WorkerProcess;
  /** Its hold in `account` (none without an account). */
  holdId: string;
  account: HeldRamAccount | undefined;
  bytes: number;
  parkedAt: number;
  cancelTimeout: () => void;
}

/** Per kind: its idle processes (most recently parked last), spares starting, tasks running now, and
 * the most that ran at once since its last idle timeout: the kind's processes stay within one more
 * than that (the spare), so a burst's workers all park and a steady one-at-a-time load keeps two. */
interface Kind {
  idle: Idle[];
  starting: number;
  busy: number;
  peak: number;
  /** Releases still deciding (reading the process's RSS): a take waits for them before it starts a
   * process cold, which costs several thumbnails' worth of CPU. */
  releasing: Set<Promise<void>>;
  /** A spare of this kind reached its idle timeout without serving a task: its tasks come one at a
   * time, so a lone take starts none until two run at once again. */
  sparesUnused: boolean;
}

/** Worker processes kept warm between tasks: one task at a time per process; a process retires
 * after a failed stage, a cancel or a crash (it is no longer `reusable`), after `maxTasks` tasks,
 * when its RSS is past `maxRssBytes` at a task's end, or after `idleMs` idle. A kind keeps at most
 * one process more than the most of it that ran at once since one of its idle processes last timed
 * out (the pool grows with the grants and shrinks when they stop), `maxIdle` idle in all, and — once an
 * account is attached — only as many as the broker accepts to hold. The most recently parked is
 * taken first, so those a smaller load no longer needs reach their idle timeout. A spare that idled
 * out unused stops the kind starting spares for lone tasks until two of its tasks run at once. */
export function createWarmPool(spawn: (key: WorkerKey) => Promise<WorkerProcess>, options: WarmPoolOptions): WarmPool {
  const clock = options.clock ?? systemClock;
  const readRss = options.readRss ?? readTreeRssBytes;
  const kinds = new Map<string, Kind>();
  let account: HeldRamAccount | undefined;
  let stopReclaim = (): void => {};
  // Spares that finish starting after a drain or a change of account retire instead of parking.
  let generation = 0;
  let holds = 0;
  // Held bytes of processes retiring on a reclaim, not yet given back: a reclaim asked again
  // meanwhile (every placement asks while a task waits) does not retire more for the same need.
  let reclaiming = 0;

  const kindOf = (k: string): Kind => {
    let kind = kinds.get(k);
    if (!kind) kinds.set(k, (kind = { idle: [], starting: 0, busy: 0, peak: 0, releasing: new Set(), sparesUnused: false }));
    return kind;
  };
  const total = (): number => [...kinds.values()].reduce((n, k) => n + k.idle.length + k.starting, 0);
  const after = (ms: number, fn: () => void): (() => void) => {
    const cancel = clock.every(ms, () => (cancel(), fn()));
    return cancel;
  };
  const retire = (proc: WorkerProcess, hold?: { id: string; account: HeldRamAccount | undefined }): Promise<void> =>
    proc
      .retire()
      .catch(() => {}) // an exit that went wrong is still an exit
      .then(() => hold?.account?.unhold(hold.id));
  const retireIdle = (entry: Idle): Promise<void> => retire(entry.proc, { id: entry.holdId, account: entry.account });
  const unpark = (entry: Idle): void => {
    const list = kindOf(entry.proc.key).idle;
    const i = list.indexOf(entry);
    if (i >= 0) list.splice(i, 1);
    entry.cancelTimeout();
  };

  const park = (entry: Omit<Idle, "parkedAt" | "cancelTimeout">): void => {
    const kind = kindOf(entry.proc.key);
    const idle: Idle = {
      ...entry,
      parkedAt: clock.now(),
      cancelTimeout: after(options.idleMs, () => {
        unpark(idle);
        // The load that needed this many has stopped: bound the kind by what runs now.
        kind.peak = kind.busy;
        if (idle.proc.tasks === 0) kind.sparesUnused = true;
        void retireIdle(idle);
      }),
    };
    kind.idle.push(idle);
  };

  const startAhead = (key: WorkerKey, kind: Kind): void => {
    if (options.maxIdle === 0 || kind.idle.length + kind.starting > 0 || total() >= options.maxIdle) return;
    // Sequential tasks reuse the process each hands back; a spare started beside each one only
    // idles out, and its start (~0.35 CPU-s) lands on the task's own cores.
    if (kind.sparesUnused && kind.busy <= 1) return;
    const held = { id: `warm-${++holds}`, account };
    if (held.account && !held.account.hold(held.id, options.spareBytes)) return;
    const started = generation;
    kind.starting++;
    void spawn(key)
      .then((proc) => {
        if (proc.reusable && started === generation) park({ proc, holdId: held.id, account: held.account, bytes: options.spareBytes });
        else return retire(proc, held);
      })
      // A spare that failed to start is no task's failure; the next take starts its own.
      .catch(() => held.account?.unhold(held.id))
      .finally(() => kind.starting--);
  };

  const reclaim = (bytes: number): void => {
    const oldestFirst = [...kinds.values()]
      .flatMap((k) => k.idle)
      .filter((e) => e.account === account)
      .sort((a, b) => a.parkedAt - b.parkedAt);
    for (let need = bytes - reclaiming, i = 0; need > 0 && i < oldestFirst.length; i++) {
      const entry = oldestFirst[i]!;
      unpark(entry);
      need -= entry.bytes;
      reclaiming += entry.bytes;
      // Counted out before the unhold: the unhold places again, and may ask for the rest at once.
      void retire(entry.proc).then(() => {
        reclaiming -= entry.bytes;
        entry.account?.unhold(entry.holdId);
      });
    }
  };

  const drain = async (): Promise<void> => {
    generation++;
    const all = [...kinds.values()].flatMap((k) => k.idle.splice(0));
    await Promise.all(all.map((e) => (e.cancelTimeout(), retireIdle(e))));
  };

  /** Whether a released process goes back to the idle set (parked here): still sound, and wanted. */
  const decide = async (proc: WorkerProcess, kind: Kind): Promise<boolean> => {
    // With it, the kind keeps at most one process beyond the most that ran at once. A spare still
    // starting does not count: a proven process at hand beats one that may fail to start, and a
    // burst still growing (peak lagging its grants) would otherwise retire the workers it needs next.
    const keep = (): boolean =>
      options.maxIdle > 0 && proc.reusable && proc.tasks < options.maxTasks && proc.pid !== undefined && total() < options.maxIdle && kind.busy + kind.idle.length <= kind.peak;
    if (!keep()) return false;
    const rss = await readRss(proc.pid!);
    // A take may have come meanwhile: it waits for this one (see Kind.releasing).
    if (rss === null || rss > options.maxRssBytes || !keep()) return false;
    const held = { id: `warm-${++holds}`, account };
    // Refused: the broker has no room for it, or a waiting task needs the RAM.
    if (held.account && !held.account.hold(held.id, rss)) return false;
    park({ proc, holdId: held.id, account: held.account, bytes: rss });
    return true;
  };

  const lent = new Set<WorkerProcess>();
  const releases = new WeakMap<WorkerProcess, Promise<void>>();
  const lend = (proc: WorkerProcess): WorkerProcess => (lent.add(proc), proc);
  const releaseLoan = async (proc: WorkerProcess): Promise<void> => {
    const kind = kindOf(proc.key);
    kind.busy = Math.max(0, kind.busy - 1);
    proc.unbind();
    const deciding = decide(proc, kind);
    // Takes wait for the decision only, not for a retired process's exit.
    const decided = deciding.then(
      () => {},
      () => {},
    );
    kind.releasing.add(decided);
    const parked = await deciding.finally(() => kind.releasing.delete(decided));
    if (!parked) await retire(proc);
  };

  return {
    async take(key) {
      const kind = kindOf(keyOf(key));
      kind.busy++;
      kind.peak = Math.max(kind.peak, kind.busy);
      if (kind.busy > 1) kind.sparesUnused = false;
      let proc: WorkerProcess | undefined;
      while (kind.idle.length === 0 && kind.releasing.size > 0) await Promise.race(kind.releasing);
      while (!proc && kind.idle.length > 0) {
        const entry = kind.idle.pop()!;
        entry.cancelTimeout();
        // From here the task's grant covers its RAM.
        entry.account?.unhold(entry.holdId);
        if (entry.proc.reusable) proc = entry.proc;
        else void retire(entry.proc);
      }
      startAhead(key, kind);
      if (proc) return lend(proc);
      try {
        return lend(await spawn(key));
      } catch (error) {
        kind.busy--;
        throw error;
      }
    },
    release(proc) {
      // A second release of the same loan (a task closing its worker from two paths at once) is the
      // first one's: deciding again would retire the process the first had just parked.
      if (!lent.delete(proc)) return releases.get(proc) ?? Promise.resolve();
      const released = releaseLoan(proc);
      releases.set(proc, released);
      return released;
    },
    get idleCount() {
      return [...kinds.values()].reduce((n, k) => n + k.idle.length, 0);
    },
    attach(next) {
      stopReclaim();
      account = next;
      stopReclaim = next.onReclaim(reclaim);
      void drain();
      return async () => {
        if (account !== next) return;
        stopReclaim();
        stopReclaim = () => {};
        account = undefined;
        await drain();
      };
    },
    drain,
  };
}
