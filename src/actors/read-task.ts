import { TaskEvent, taskStreamId } from "../contracts/task-events.ts";
import type { EventStore, StoredEvent } from "../ports/event-store.port.ts";
import type { TaskContext, TaskStateValue } from "../machines/task.machine.ts";
import { applyTaskEvent, initialTaskSnapshot, stateOf, type TaskSnapshot } from "../machines/task-replay.ts";

/** A task as its stream says it is now: the fold of its facts, and the revision it was read at. */
export interface TaskRead {
  state: TaskStateValue;
  context: TaskContext;
  /** The revision of the last fact folded; an append expecting it fails if anyone wrote since. */
  revision: number;
}

/** The one way to read a task: its stream folded through the machine, or null when there is none.
 * The host, the intake, HTTP and the projections all read tasks through here. */
export async function readTask(store: EventStore, taskId: string): Promise<TaskRead | null> {
  const folded = foldStored(await store.readStream(taskStreamId(taskId)));
  return folded.revision === "no_stream" ? null : readOf(folded.snapshot, folded.revision);
}

export function readOf(snapshot: TaskSnapshot, revision: number): TaskRead {
  return { state: stateOf(snapshot), context: snapshot.context, revision };
}

/** Stored events folded in order, each parsed once. */
export function foldStored(events: readonly StoredEvent[]): { snapshot: TaskSnapshot; revision: number | "no_stream"; lastEventId: string | null } {
  let snapshot = initialTaskSnapshot();
  for (const e of events) snapshot = applyTaskEvent(snapshot, parseStored(e));
  const last = events[events.length - 1];
  return { snapshot, revision: last ? last.revision : "no_stream", lastEventId: last ? last.id : null };
}

/** Events read back from a store cross a trust boundary: validated here. */
export function parseStored(event: StoredEvent): TaskEvent {
  return TaskEvent.parse(event.data);
}
