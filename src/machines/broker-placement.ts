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
}

export interface PlacementInput {
  capacity: NodeCapacity;
  snapshot: AccountedSnapshot | undefined;
  running: readonly RunningSlot[];
  waiting: readonly WaitingSlot[];
  weights: WeightsTable;
  config: PlacementConfig;
  now: number;
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
  return { grants, reservedFor: reserved && !grants.some((g) => g.taskId === reserved.taskId) ? reserved.taskId : undefined };
}

/** CPU dominates the size order; RAM breaks ties (a GiB weighs like a percent point). */
function size(a: TaskAsk): number {
  return a.cpuPercent * 1e6 + a.ramBytes / 1024 ** 3;
}

/** What is in use: our grants by their asks, plus whatever the last snapshot saw beyond our grants. */
export function usage(input: Pick<PlacementInput, "running" | "snapshot">): Room {
  const cpu = input.running.reduce((s, r) => s + r.cpuPercent, 0);
  const ram = input.running.reduce((s, r) => s + r.ramBytes, 0);
  const snap = input.snapshot;
  if (!snap) return { cpu, ram };
  return {
    cpu: cpu + Math.max(0, snap.cpuPercent - snap.grantedCpuPercent),
    ram: ram + Math.max(0, snap.ramUsedBytes - snap.grantedRamBytes),
  };
}
