import { assertEvent, enqueueActions, setup } from "xstate";
import type { TaskType } from "../contracts/task-types.ts";
import type { NodeCapacity, PlacementConfig } from "./broker-ask.ts";
import { accountSnapshot, pruneReleased, RELEASED_MEMORY_MS, type ReleasedSlot } from "./broker-accounting.ts";
import { holdFits, place, type AccountedSnapshot, type RunningSlot, type WaitingSlot, type WeightsTable } from "./broker-placement.ts";

/** The resource broker (DESIGN.md §5) as a pure machine: the actor around it (src/broker) feeds it
 * requests, releases, clock ticks with snapshots and `broker.place`, and appends what it emits to
 * `broker-<node_id>`. A request does not place by itself: the actor sends `broker.place` a moment
 * later, so a burst arriving together is packed in priority order, yet a task on an idle node does
 * not wait a whole tick. A release places at once, because the capacity it frees is known exactly.
 * Idle warm workers hold RAM (`broker.hold` / `broker.unhold`): counted as used, accepted only when
 * it fits, and asked back (`reclaimRamBytes`) when a waiting task needs it; an unhold places at once. */

export interface BrokerInput {
  capacity: NodeCapacity;
  weights: WeightsTable;
  config: PlacementConfig;
}

export interface BrokerContext extends BrokerInput {
  waiting: WaitingSlot[];
  running: RunningSlot[];
  snapshot: AccountedSnapshot | undefined;
  /** Slots released lately: the snapshots taken while they ran still show their load. */
  released: ReleasedSlot[];
  /** The heavy task whose capacity is held back, after the last placement. */
  reservedFor: string | undefined;
  /** RAM held by idle warm workers, by hold id. */
  holds: Record<string, number>;
  /** Held RAM the last placement asked the pool to give back (0: none). */
  reclaimRamBytes: number;
}

/** Pure: the RAM all holds take together. */
export const heldRamOf = (c: Pick<BrokerContext, "holds">): number => Object.values(c.holds).reduce((s, b) => s + b, 0);

export type BrokerEvent =
  | { type: "broker.request"; slot: WaitingSlot }
  | { type: "broker.withdraw"; taskId: string; at: number; reason: string }
  | { type: "broker.release"; taskId: string; at: number }
  | { type: "broker.place"; at: number }
  /** An idle worker asks to hold `bytes` under `holdId`; refused (context unchanged) when it does not fit. */
  | { type: "broker.hold"; holdId: string; bytes: number; at: number }
  | { type: "broker.unhold"; holdId: string; at: number }
  /** The process is going away: every grant dies with it, so all are released and all requests withdrawn. */
  | { type: "broker.shutdown"; at: number; reason: string }
  | { type: "broker.tick"; at: number; snapshot?: TickSnapshot | undefined };

/** A measurement of the node. `at` defaults to the tick's time (and a time that cannot be this
 * clock's — in the future or older than the released-slot memory — is taken as the tick's); the CPU
 * figure averages over `windowMs` before it (default 0: an instant). */
export interface TickSnapshot {
  cpuPercent: number;
  ramUsedBytes: number;
  at?: number | undefined;
  windowMs?: number | undefined;
}

/** Domain events, appended to `broker-<node_id>` as they are emitted. */
export type BrokerEmitted =
  | { type: "SlotRequested"; data: { task_id: string; task_type: TaskType; priority: number; submitted_at: string; input_bytes: number | null; at: string } }
  | { type: "SlotGranted"; data: { task_id: string; task_type: TaskType; cpu_percent: number; ram_bytes: number; exclusive: boolean; at: string } }
  | { type: "SlotReleased"; data: { task_id: string; held_ms: number; at: string } }
  | { type: "SlotWithdrawn"; data: { task_id: string; reason: string; at: string } };

const iso = (ms: number): string => new Date(ms).toISOString();
const isWaiting = (c: BrokerContext, id: string): boolean => c.waiting.some((w) => w.taskId === id);
const isRunning = (c: BrokerContext, id: string): boolean => c.running.some((r) => r.taskId === id);

export const brokerMachine = setup({
  types: { context: {} as BrokerContext, input: {} as BrokerInput, events: {} as BrokerEvent, emitted: {} as BrokerEmitted },
  guards: {
    isNewRequest: ({ context, event }) => event.type === "broker.request" && !isWaiting(context, event.slot.taskId) && !isRunning(context, event.slot.taskId),
    isWaitingTask: ({ context, event }) => event.type === "broker.withdraw" && isWaiting(context, event.taskId),
    isRunningTask: ({ context, event }) => event.type === "broker.release" && isRunning(context, event.taskId),
    holdFits: ({ context, event }) => event.type === "broker.hold" && !(event.holdId in context.holds) && holdFits({ ...context, now: event.at, heldRamBytes: heldRamOf(context) }, event.bytes),
    isHeld: ({ context, event }) => event.type === "broker.unhold" && event.holdId in context.holds,
  },
  actions: {
    enqueueRequest: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, "broker.request");
      const s = event.slot;
      enqueue.assign({ waiting: [...context.waiting, s] });
      enqueue.emit({
        type: "SlotRequested",
        data: { task_id: s.taskId, task_type: s.taskType, priority: s.priority, submitted_at: iso(s.submittedAt), input_bytes: s.inputBytes ?? null, at: iso(s.requestedAt) },
      });
    }),
    withdraw: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, "broker.withdraw");
      enqueue.assign({ waiting: context.waiting.filter((w) => w.taskId !== event.taskId) });
      enqueue.emit({ type: "SlotWithdrawn", data: { task_id: event.taskId, reason: event.reason, at: iso(event.at) } });
    }),
    release: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, "broker.release");
      const slot = context.running.find((r) => r.taskId === event.taskId)!;
      const gone: ReleasedSlot = { cpuPercent: slot.cpuPercent, ramBytes: slot.ramBytes, grantedAt: slot.grantedAt, releasedAt: event.at };
      enqueue.assign({ running: context.running.filter((r) => r !== slot), released: [...pruneReleased(context.released, event.at), gone] });
      enqueue.emit({ type: "SlotReleased", data: { task_id: slot.taskId, held_ms: event.at - slot.grantedAt, at: iso(event.at) } });
    }),
    hold: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, "broker.hold");
      enqueue.assign({ holds: { ...context.holds, [event.holdId]: event.bytes } });
    }),
    unhold: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, "broker.unhold");
      const { [event.holdId]: _gone, ...holds } = context.holds;
      enqueue.assign({ holds });
    }),
    shutdown: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, "broker.shutdown");
      const at = iso(event.at);
      for (const r of context.running) enqueue.emit({ type: "SlotReleased", data: { task_id: r.taskId, held_ms: event.at - r.grantedAt, at } });
      for (const w of context.waiting) enqueue.emit({ type: "SlotWithdrawn", data: { task_id: w.taskId, reason: event.reason, at } });
      enqueue.assign({ running: [], waiting: [], released: [], snapshot: undefined, reservedFor: undefined, holds: {}, reclaimRamBytes: 0 });
    }),
    recordSnapshot: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, "broker.tick");
      const released = pruneReleased(context.released, event.at);
      if (!event.snapshot) return void enqueue.assign({ released });
      const { at, windowMs, ...measured } = event.snapshot;
      const plausible = at !== undefined && at <= event.at && event.at - at < RELEASED_MEMORY_MS;
      const taken = { ...measured, at: plausible ? at : event.at, windowMs: Math.max(0, windowMs ?? 0) };
      enqueue.assign({ released, snapshot: accountSnapshot(taken, context.running, released, heldRamOf(context)) });
    }),
    placeWaiting: enqueueActions(({ context, event, enqueue }) => {
      assertEvent(event, ["broker.tick", "broker.release", "broker.place", "broker.unhold"]);
      const now = event.at;
      const { grants, reservedFor, reclaimRamBytes } = place({ ...context, now, heldRamBytes: heldRamOf(context) });
      const granted = new Set(grants.map((g) => g.taskId));
      enqueue.assign({
        waiting: context.waiting.filter((w) => !granted.has(w.taskId)),
        running: [...context.running, ...grants.map((g) => ({ ...g, grantedAt: now }))],
        reservedFor,
        reclaimRamBytes,
      });
      for (const g of grants) {
        enqueue.emit({
          type: "SlotGranted",
          data: { task_id: g.taskId, task_type: g.taskType, cpu_percent: g.cpuPercent, ram_bytes: g.ramBytes, exclusive: g.exclusive, at: iso(now) },
        });
      }
    }),
  },
}).createMachine({
  id: "broker",
  context: ({ input }) => ({ ...input, waiting: [], running: [], released: [], snapshot: undefined, reservedFor: undefined, holds: {}, reclaimRamBytes: 0 }),
  on: {
    "broker.request": { guard: "isNewRequest", actions: "enqueueRequest" },
    "broker.withdraw": { guard: "isWaitingTask", actions: "withdraw" },
    "broker.release": { guard: "isRunningTask", actions: ["release", "placeWaiting"] },
    "broker.tick": { actions: ["recordSnapshot", "placeWaiting"] },
    "broker.place": { actions: "placeWaiting" },
    "broker.hold": { guard: "holdFits", actions: "hold" },
    "broker.unhold": { guard: "isHeld", actions: ["unhold", "placeWaiting"] },
    "broker.shutdown": { actions: "shutdown" },
  },
});
