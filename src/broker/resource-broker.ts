import { createActor, type InspectionEvent } from "xstate";
import { AppError } from "../contracts/app-error.ts";
import { abortReason } from "../shared/abort-reason.ts";
import type { NewEvent } from "../ports/event-store.port.ts";
import type { SlotBroker, SlotGrant, SlotRequest } from "../ports/slot-broker.port.ts";
import type { HeldRamAccount } from "../ports/held-ram.port.ts";
import { PLACEMENT_DEFAULTS, type NodeCapacity, type PlacementConfig } from "../machines/broker-ask.ts";
import type { RunningSlot, WaitingSlot, WeightsTable } from "../machines/broker-placement.ts";
import type { BrokerLoad } from "../ports/broker-load.port.ts";
import { brokerMachine, heldRamOf, type BrokerEmitted, type BrokerEvent } from "../machines/broker.machine.ts";
import { systemClock, type BrokerClock } from "./broker-clock.ts";
import { readNodeCapacity } from "./node-capacity.ts";
import { startSystemSampler, type NodeSnapshot } from "./system-sampler.ts";
import { loadWeights } from "./weights-config.ts";

/** broker@3: RAM held by idle warm workers counts as used (broker@2: placement on request
 * (placeAfterMs), window-accounted snapshots, a tenth-core floor). */
export const BROKER_MACHINE_VERSION = "broker@3";

export interface ResourceBrokerOptions {
  /** Names the stream `broker-<nodeId>`. */
  nodeId: string;
  /** The event store's append (expected revision chosen by the caller; the broker is the stream's only writer). */
  append: (streamId: string, events: readonly NewEvent[]) => Promise<unknown>;
  /** Default: readNodeCapacity(). */
  capacity?: NodeCapacity;
  /** Default: loadWeights() (defaults ← VS3D_BROKER_WEIGHTS_FILE ← VS3D_BROKER_WEIGHTS). */
  weights?: WeightsTable;
  /** Default: PLACEMENT_DEFAULTS. */
  config?: Partial<PlacementConfig>;
  /** Default: the system clock. */
  clock?: BrokerClock;
  /** The latest node snapshot. Default: a /proc sampler (system-sampler.ts) on the same clock. */
  snapshot?: () => NodeSnapshot | undefined;
  /** Default: 2000. */
  tickMs?: number;
  /** A request is placed this long after its task reached this process (SlotRequest.inProcessMs)
   * rather than at the next tick: long enough for a burst sent together to be packed in priority
   * order. Only while another task this process expects (`expect`) has not asked yet: with none, a
   * request is placed at once. Default: 50. */
  placeAfterMs?: number;
  /** Default: crypto.randomUUID. */
  newId?: () => string;
  /** Appends that fail for events other than grants land here. Default: ignore. */
  onError?: (error: unknown) => void;
  /** Receives the broker actor's inspection events (the Stately inspector). Default: none. */
  inspect?: (event: InspectionEvent) => void;
}

export interface ResourceBroker extends SlotBroker, HeldRamAccount {
  expect(taskId: string): () => void;
  /** Places now instead of at the next tick (the tick's work, on demand). */
  tick(): void;
  /** Resolves when every event emitted so far has been appended and its grant delivered. */
  flushed(): Promise<void>;
  /** `holds`: the RAM idle warm workers hold, by hold id. */
  view(): { waiting: readonly WaitingSlot[]; running: readonly RunningSlot[]; reservedFor: string | undefined; holds: Readonly<Record<string, number>> };
  /** What the node has, what the broker fills it up to, and the last measurement: for /metrics. */
  load(): BrokerLoad;
  /** Stops ticking, releases every grant and withdraws every request on the stream (grants die with
   * the process), rejects the requests still waiting, and resolves once all of it is appended. */
  stop(reason?: string): Promise<void>;
}

export const RESOURCE_BROKER_DEFAULTS = { tickMs: 2000, placeAfterMs: 50 } as const;

interface Pending {
  resolve: (g: SlotGrant) => void;
  reject: (e: unknown) => void;
  cleanup: () => void;
}

/** The broker actor: the pure machine, a clock that ticks it with snapshots, and the stream it writes. */
export function createResourceBroker(options: ResourceBrokerOptions): ResourceBroker {
  const clock = options.clock ?? systemClock;
  const newId = options.newId ?? (() => crypto.randomUUID());
  const streamId = `broker-${options.nodeId}`;
  const sampler = options.snapshot ? undefined : startSystemSampler({ clock, ...(options.onError ? { onError: options.onError } : {}) });
  const snapshot = options.snapshot ?? (() => sampler?.latest());
  const actor = createActor(brokerMachine, {
    id: streamId,
    ...(options.inspect ? { inspect: options.inspect } : {}),
    input: {
      capacity: options.capacity ?? readNodeCapacity(),
      weights: options.weights ?? loadWeights(),
      config: { ...PLACEMENT_DEFAULTS, ...options.config },
    },
  }).start();

  const pending = new Map<string, Pending>();
  const requestEventIds = new Map<string, string>();
  const outbox: BrokerEmitted[] = [];
  actor.on("*", (e) => void outbox.push(e));
  let chain: Promise<void> = Promise.resolve();
  /** Emitted, not yet appended. While one append is in flight, whatever the actor emits waits here
   * and goes in the next (group commit), in the order emitted; a request waits for its placement.
   * A burst of 20 requests and their grants is one append, not 40. A request's fact may be lost in
   * a crash before its placement, like the request itself: grants die with the process. */
  const unwritten: BrokerEmitted[] = [];
  let writing: Promise<void> | null = null;
  function flush(): void {
    if (!writing && unwritten.length > 0) chain = writing = writeAll();
  }
  async function writeAll(): Promise<void> {
    while (unwritten.length > 0) {
      const batch = unwritten.splice(0);
      await options.append(streamId, batch.map(toNewEvent)).then(
        () => deliver(batch),
        (error: unknown) => failGrants(batch, error),
      );
    }
    writing = null;
  }

  const toNewEvent = (e: BrokerEmitted): NewEvent => {
    const id = newId();
    const taskId = e.data.task_id;
    if (e.type === "SlotRequested") requestEventIds.set(taskId, id);
    const causation = e.type === "SlotRequested" ? taskId : (requestEventIds.get(taskId) ?? taskId);
    if (e.type === "SlotReleased" || e.type === "SlotWithdrawn") requestEventIds.delete(taskId);
    return { id, type: e.type, data: e.data, metadata: { correlation_id: taskId, causation_id: causation, machine_version: BROKER_MACHINE_VERSION } };
  };

  const deliver = (batch: BrokerEmitted[]): void => {
    for (const e of batch) {
      if (e.type !== "SlotGranted") continue;
      const p = pending.get(e.data.task_id);
      if (!p) continue;
      pending.delete(e.data.task_id);
      p.cleanup();
      p.resolve({ taskId: e.data.task_id, cpuPercent: e.data.cpu_percent, ramBytes: e.data.ram_bytes, exclusive: e.data.exclusive });
    }
  };

  const failGrants = (batch: BrokerEmitted[], error: unknown): void => {
    options.onError?.(error);
    for (const e of batch) {
      if (e.type !== "SlotGranted") continue;
      // Not on the stream means not granted: give the capacity back and let the task actor retry.
      if (!stopped) send({ type: "broker.release", taskId: e.data.task_id, at: clock.now() });
      const p = pending.get(e.data.task_id);
      pending.delete(e.data.task_id);
      p?.cleanup();
      p?.reject(new AppError("INTERNAL", `could not record the slot grant on ${streamId}: ${String(error)}`, { recoverable: true, cause: error }));
    }
  };

  // Holds are not on the stream (design-notes: "Warm workers in the broker's RAM"): only the pool's
  // reclaim callbacks hear of them.
  const reclaimers = new Set<(bytes: number) => void>();
  const placing = new Set<BrokerEvent["type"]>(["broker.tick", "broker.release", "broker.place", "broker.unhold"]);
  function send(event: BrokerEvent): void {
    actor.send(event);
    const batch = outbox.splice(0);
    unwritten.push(...batch);
    // A request waits for the placement placeAfterMs later and goes in its append, with its grant
    // (or alone, when it does not fit yet).
    if (event.type !== "broker.request") flush();
    // Last, so a pool that unholds at once sends its event after this one's are queued.
    const reclaim = actor.getSnapshot().context.reclaimRamBytes;
    if (placing.has(event.type) && reclaim > 0) for (const r of reclaimers) r(reclaim);
  }

  const tickMs = options.tickMs ?? RESOURCE_BROKER_DEFAULTS.tickMs;
  const placeAfterMs = options.placeAfterMs ?? RESOURCE_BROKER_DEFAULTS.placeAfterMs;
  let stopped = false;
  const stopTicks = clock.every(tickMs, () => tick());
  function tick(): void {
    if (stopped) return;
    const s = snapshot();
    send({ type: "broker.tick", at: clock.now(), snapshot: s && { cpuPercent: s.cpuPercent, ramUsedBytes: s.ramUsedBytes, at: s.at, windowMs: s.windowMs ?? tickMs } });
  }
  let cancelPlace: (() => void) | undefined;
  let placeDueAt = Infinity;
  /** Tasks this process has taken on that have not asked yet (SlotBroker.expect). */
  const expected = new Set<string>();
  /** Places `inMs` from now, or at the placement already due sooner. */
  const placeSoon = (inMs: number): void => {
    const due = clock.now() + inMs;
    if (due >= placeDueAt) return;
    cancelPlace?.();
    placeDueAt = due;
    // One-shot on the injected clock, so simulated time drives it in tests. Never at once: the
    // requests sent in the same turn are placed together.
    const cancel = clock.every(Math.max(1, inMs), () => {
      cancel();
      cancelPlace = undefined;
      placeDueAt = Infinity;
      if (!stopped) send({ type: "broker.place", at: clock.now() });
    });
    cancelPlace = cancel;
  };
  const view = (): ReturnType<ResourceBroker["view"]> => {
    const c = actor.getSnapshot().context;
    return { waiting: c.waiting, running: c.running, reservedFor: c.reservedFor, holds: c.holds };
  };

  return {
    request(req: SlotRequest, signal?: AbortSignal): Promise<SlotGrant> {
      if (signal?.aborted) return Promise.reject(abortReason(signal));
      if (stopped) return Promise.reject(new AppError("INTERRUPTED", `the broker has stopped: ${req.taskId} cannot get a slot`));
      const known = pending.has(req.taskId) || view().running.some((r) => r.taskId === req.taskId);
      if (known) return Promise.reject(new AppError("INTERNAL", `task ${req.taskId} already asked the broker for a slot`, { recoverable: false }));
      return new Promise<SlotGrant>((resolve, reject) => {
        const onAbort = (): void => {
          pending.delete(req.taskId);
          const at = clock.now();
          if (view().running.some((r) => r.taskId === req.taskId)) send({ type: "broker.release", taskId: req.taskId, at });
          else send({ type: "broker.withdraw", taskId: req.taskId, at, reason: String(signal?.reason ?? "aborted") });
          reject(abortReason(signal!));
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        pending.set(req.taskId, { resolve, reject, cleanup: () => signal?.removeEventListener("abort", onAbort) });
        const now = clock.now();
        const submitted = Date.parse(req.submittedAt);
        send({
          type: "broker.request",
          slot: { taskId: req.taskId, taskType: req.taskType, priority: req.priority, submittedAt: Number.isNaN(submitted) ? now : submitted, requestedAt: now, inputBytes: req.inputBytes },
        });
        // An expected task's request with nothing else on its way here: waiting would gather nobody,
        // and the task would idle the window out. A caller that says nothing of its tasks gets the window.
        const nothingComing = expected.delete(req.taskId) && expected.size === 0;
        placeSoon(nothingComing ? 0 : Math.max(0, placeAfterMs - Math.max(0, req.inProcessMs ?? 0)));
      });
    },
    expect(taskId: string): () => void {
      expected.add(taskId);
      return () => void expected.delete(taskId);
    },
    release(taskId: string): void {
      if (stopped) return;
      const at = clock.now();
      if (view().waiting.some((w) => w.taskId === taskId)) {
        const p = pending.get(taskId);
        pending.delete(taskId);
        p?.cleanup();
        send({ type: "broker.withdraw", taskId, at, reason: "released before grant" });
        p?.reject(new AppError("CANCELLED", `slot request of ${taskId} released before it was granted`));
        return;
      }
      send({ type: "broker.release", taskId, at });
    },
    hold(holdId, bytes) {
      if (stopped) return false;
      send({ type: "broker.hold", holdId, bytes, at: clock.now() });
      return actor.getSnapshot().context.holds[holdId] === bytes;
    },
    unhold(holdId) {
      if (!stopped) send({ type: "broker.unhold", holdId, at: clock.now() });
    },
    onReclaim(reclaim) {
      reclaimers.add(reclaim);
      return () => void reclaimers.delete(reclaim);
    },
    tick,
    flushed: async () => {
      flush();
      // A delivery can enqueue more (a failed grant releases), so wait until the chain stops growing.
      for (let seen: Promise<void> | undefined; seen !== chain;) await (seen = chain);
    },
    view,
    load() {
      const c = actor.getSnapshot().context;
      return { capacity: c.capacity, config: c.config, snapshot: c.snapshot, waiting: c.waiting, running: c.running, heldRamBytes: heldRamOf(c) };
    },
    async stop(reason = "broker stopped") {
      if (stopped) return;
      stopped = true;
      stopTicks();
      cancelPlace?.();
      sampler?.stop();
      reclaimers.clear();
      // Reject first: a grant appended but not yet delivered must not resolve after the stop.
      for (const [taskId, p] of pending) {
        p.cleanup();
        p.reject(new AppError("INTERRUPTED", `the broker stopped before ${taskId} got a slot`));
      }
      pending.clear();
      send({ type: "broker.shutdown", at: clock.now(), reason });
      actor.stop();
      for (let seen: Promise<void> | undefined; seen !== chain;) await (seen = chain);
    },
  };
}
