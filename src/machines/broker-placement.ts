import type { ResourceProfile } from "../contracts/resource-profile.ts";
import type { TaskType } from "../contracts/task-types.ts";
import { askFor, type NodeCapacity, type PlacementConfig, type TaskAsk } from "./broker-ask.ts";

export type WeightsTable = Record<TaskType, ResourceProfile>;

export interface WaitingSlot {
  taskId: string;
  taskType: TaskType;
  priority: number;
  /** Epoch ms the platform submitted the task (ties in priority go to the oldest). */
  submittedAt: number;
  /** Epoch ms the broker got the request: how long it has waited here. */
  requestedAt: number;
  inputBytes?: number | undefined;
}

export interface RunningSlot {
  taskId: string;
  taskType: TaskType;
  cpuPercent: number;
  ramBytes: number;
  exclusive: boolean;
  grantedAt: number;
}

/** The last measurement of the node, with what the broker had granted when it was taken, so the
 * part of the load that is not ours (other processes, tasks using more than they asked) shows. */
export interface AccountedSnapshot {
  cpuPercent: number;
  ramUsedBytes: number;
  grantedCpuPercent: number;
  grantedRamBytes: number;
  /** RAM idle warm workers held when it was taken: their processes are in `ramUsedBytes` too. Default: 0. */
  heldRamBytes?: number;
}

export interface PlacementInput {
  capacity: NodeCapacity;
  snapshot: AccountedSnapshot | undefined;
  running: readonly RunningSlot[];
  waiting: readonly WaitingSlot[];
  weights: WeightsTable;
  config: PlacementConfig;
  now: number;
  /** RAM idle warm workers hold now (the pool's holds): used, but given back on request. Default: 0. */
  heldRamBytes?: number;
}

export interface PlannedGrant {
  taskId: string;
  taskType: TaskType;
  cpuPercent: number;
  ramBytes: number;
  exclusive: boolean;
}

export interface Placement {
  grants: PlannedGrant[];
  /** The task whose capacity is held back from the others, if any. */
  reservedFor: string | undefined;
  /** Held RAM the pool should give back (by retiring idle workers): what waiting tasks blocked by
   * it alone need, plus how far the RAM in use is past the target (an exclusive task, the head
   * granted on an idle node, other processes growing): idle workers are the first RAM to give up.
   * At most what is held. */
  reclaimRamBytes: number;
}

interface Room {
  cpu: number;
  ram: number;
}

/** Priority desc, then submitted_at asc, then arrival: the queue order of DESIGN.md §5. */
export function queueOrder(a: WaitingSlot, b: WaitingSlot): number {
  return b.priority - a.priority || a.submittedAt - b.submittedAt || a.requestedAt - b.requestedAt;
}

/** Pure: which waiting tasks to grant now. Heavy tasks first (first-fit-decreasing within a
 * priority), then light ones fill the rest. One heavy task, the head of the queue or one that has
 * waited `reserveAfterMs`, has its capacity held back so a stream of light tasks cannot starve it.
 * Held back from heavy tasks in full; light ones may backfill what the reserved task will not need
 * once the heavy tasks now running end (EASY backfilling without run times): a thumbnail in the 10 %
 * beside a 75 % task does not delay a 45 % task waiting for it, so holding it back would only idle
 * the node. No heavy task starts while one is reserved, so the wait stays bounded by theirs. */
export function place(input: PlacementInput): Placement {
  const held = input.heldRamBytes ?? 0;
  const placed = placeWithin(input);
  if (held <= 0) return { grants: placed.grants, reservedFor: placed.reservedFor, reclaimRamBytes: 0 };
  // What would start if no worker held RAM: any task that would is waiting on held RAM alone.
  const granted = new Set(placed.grants.map((g) => g.taskId));
  const blocked = placeWithin({ ...input, heldRamBytes: 0 }).grants.filter((g) => !granted.has(g.taskId));
  const blockedRam = blocked.reduce((s, g) => s + g.ramBytes, 0);
  const overcommitted = Math.max(0, -placed.freeRam);
  // At least one byte when a task is blocked, so one worker retires and placement runs again.
  const wanted = overcommitted + (blocked.length > 0 ? Math.max(1, blockedRam - Math.max(0, placed.freeRam)) : 0);
  return { grants: placed.grants, reservedFor: placed.reservedFor, reclaimRamBytes: Math.min(held, wanted) };
}

/** Pure: whether idle workers may hold `bytes` more: the RAM in use with them stays within the RAM
 * target, and placement grants every task it would grant if no worker held anything (a hold never
 * makes a task wait; while one waits on held RAM, no new hold is taken). */
export function holdFits(input: PlacementInput, bytes: number): boolean {
  const target = (input.capacity.ramBytes * input.config.targetRamPercent) / 100;
  if (bytes < 0 || usage(input).ram + bytes > target) return false;
  const withHold = { ...input, heldRamBytes: (input.heldRamBytes ?? 0) + bytes };
  const granted = new Set(placeWithin(withHold).grants.map((g) => g.taskId));
  return placeWithin({ ...input, heldRamBytes: 0 }).grants.every((g) => granted.has(g.taskId));
}

/** The placement itself, with the RAM left free after its grants (negative: past the target). */
function placeWithin(input: PlacementInput): Omit<Placement, "reclaimRamBytes"> & { freeRam: number } {
  const { capacity, running, weights, config, now } = input;
  const order = [...input.waiting].sort(queueOrder);
  const asks = new Map<string, TaskAsk>(order.map((w) => [w.taskId, askFor(weights[w.taskType], w.inputBytes, capacity, config)]));
  const ask = (w: WaitingSlot): TaskAsk => asks.get(w.taskId)!;

  const used = usage(input);
  const free: Room = { cpu: config.targetCpuPercent - used.cpu, ram: (capacity.ramBytes * config.targetRamPercent) / 100 - used.ram };
  const counts = new Map<TaskType, number>();
  for (const r of running) counts.set(r.taskType, (counts.get(r.taskType) ?? 0) + 1);
  let busy = running.length > 0;
  let exclusiveRunning = running.some((r) => r.exclusive);
  const grants: PlannedGrant[] = [];

  const grant = (w: WaitingSlot): void => {
    const a = ask(w);
    grants.push({ taskId: w.taskId, taskType: w.taskType, cpuPercent: a.cpuPercent, ramBytes: a.ramBytes, exclusive: a.exclusive });
    free.cpu -= a.cpuPercent;
    free.ram -= a.ramBytes;
    counts.set(w.taskType, (counts.get(w.taskType) ?? 0) + 1);
    busy = true;
    exclusiveRunning ||= a.exclusive;
  };
  const tryPlace = (w: WaitingSlot, room: Room): void => {
    const a = ask(w);
    if (exclusiveRunning || (counts.get(w.taskType) ?? 0) >= weights[w.taskType].max_concurrent) return;
    // The epsilon keeps an exact fit (75 + 5 + 5 = 85) from failing on float rounding.
    if (a.exclusive ? busy : a.cpuPercent > room.cpu + 1e-9 || a.ramBytes > room.ram) return;
    grant(w);
  };

  // A task whose type is at its limit cannot start anyway, so it reserves nothing.
  const reserved = order.find((w, i) => ask(w).heavy && (counts.get(w.taskType) ?? 0) < weights[w.taskType].max_concurrent && (i === 0 || now - w.requestedAt >= config.reserveAfterMs));
  if (reserved) tryPlace(reserved, free);
  // Running heavy tasks' asks: what the reserved task gets back when they end.
  const ending = running.filter((r) => r.cpuPercent >= config.heavyCpuPercent);
  const releasable: Room = { cpu: ending.reduce((s, r) => s + r.cpuPercent, 0), ram: ending.reduce((s, r) => s + r.ramBytes, 0) };
  const held = (backfill: boolean): Room => {
    if (!reserved || grants.some((g) => g.taskId === reserved.taskId)) return free;
    const a = ask(reserved);
    if (a.exclusive) return { cpu: -Infinity, ram: -Infinity };
    const later = backfill ? releasable : { cpu: 0, ram: 0 };
    return {
      cpu: Math.min(free.cpu, free.cpu + later.cpu - a.cpuPercent),
      ram: Math.min(free.ram, free.ram + later.ram - a.ramBytes),
    };
  };

  const heavy = order.filter((w) => w !== reserved && ask(w).heavy).sort((a, b) => b.priority - a.priority || size(ask(b)) - size(ask(a)) || queueOrder(a, b));
  for (const w of heavy) tryPlace(w, held(false));
  for (const w of order) if (!ask(w).heavy) tryPlace(w, held(true));

  const head = reserved ?? order[0];
  if (config.progressWhenIdle && !busy && head) grant(head);
  return { grants, reservedFor: reserved && !grants.some((g) => g.taskId === reserved.taskId) ? reserved.taskId : undefined, freeRam: free.ram };
}

/** CPU dominates the size order; RAM breaks ties (a GiB weighs like a percent point). */
function size(a: TaskAsk): number {
  return a.cpuPercent * 1e6 + a.ramBytes / 1024 ** 3;
}

/** What is in use: our grants by their asks and the RAM idle workers hold, plus whatever the last
 * snapshot saw beyond both. The snapshot's RAM already includes the held workers' processes, so
 * they are taken out of its external part rather than counted twice. */
export function usage(input: Pick<PlacementInput, "running" | "snapshot" | "heldRamBytes">): Room {
  const cpu = input.running.reduce((s, r) => s + r.cpuPercent, 0);
  const ram = input.running.reduce((s, r) => s + r.ramBytes, 0) + (input.heldRamBytes ?? 0);
  const snap = input.snapshot;
  if (!snap) return { cpu, ram };
  return {
    cpu: cpu + Math.max(0, snap.cpuPercent - snap.grantedCpuPercent),
    ram: ram + Math.max(0, snap.ramUsedBytes - snap.grantedRamBytes - (snap.heldRamBytes ?? 0)),
  };
}
