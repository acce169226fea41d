import { initialTransition, transition, type SnapshotFrom } from "xstate";
import { isAuditEvent, type TaskEvent } from "../contracts/task-events.ts";
import { taskMachine, type TaskStateValue } from "./task.machine.ts";

export type TaskSnapshot = SnapshotFrom<typeof taskMachine>;

export function initialTaskSnapshot(): TaskSnapshot {
  return initialTransition(taskMachine)[0];
}

/** One fact folded into the state; pure (no actions run). Audit events are not transitions. */
export function applyTaskEvent(snapshot: TaskSnapshot, event: TaskEvent): TaskSnapshot {
  if (isAuditEvent(event)) return snapshot;
  return transition(taskMachine, snapshot, event)[0];
}

/** The state of a task is the left fold of its stream through the machine (DESIGN.md §1). */
export function replayTask(events: Iterable<TaskEvent>): TaskSnapshot {
  let snapshot = initialTaskSnapshot();
  for (const event of events) snapshot = applyTaskEvent(snapshot, event);
  return snapshot;
}

export function stateOf(snapshot: TaskSnapshot): TaskStateValue {
  return snapshot.value;
}

/** Would the machine accept this fact now? The host appends only what the machine accepts. */
export function accepts(snapshot: TaskSnapshot, event: TaskEvent): boolean {
  return snapshot.can(event);
}

/** States where nothing more happens unless a person replays the task. */
export const SETTLED_STATES: readonly TaskStateValue[] = ["completed", "cancelled", "failed", "dead_lettered"];

export function isSettled(snapshot: TaskSnapshot): boolean {
  return SETTLED_STATES.includes(stateOf(snapshot));
}
