import type { TaskEvent } from "../contracts/task-events.ts";
import type { EventStore, StoredEvent } from "../ports/event-store.port.ts";
import { applyTaskEvent, initialTaskSnapshot, type TaskSnapshot } from "../machines/task-replay.ts";
import { parseStored } from "../actors/read-task.ts";

/** Per-task folds for subscribers: applies each event to its task's cached state, and rebuilds the
 * state from the stream when the cache is cold or has a gap, so projections stay exact. */
export class TaskFolds {
  #store: EventStore;
  #cache = new Map<string, { snapshot: TaskSnapshot; revision: number }>();

  constructor(store: EventStore) {
    this.#store = store;
  }

  async apply(event: StoredEvent): Promise<TaskSnapshot> {
    return (await this.fold(event)).snapshot;
  }

  /** The event, parsed once, and its task's state after it. */
  async fold(stored: StoredEvent): Promise<{ event: TaskEvent; snapshot: TaskSnapshot }> {
    const cached = this.#cache.get(stored.streamId);
    if (cached && cached.revision >= stored.revision) return { event: parseStored(stored), snapshot: cached.snapshot };
    let event: TaskEvent;
    let snapshot: TaskSnapshot;
    if (cached && cached.revision === stored.revision - 1) {
      event = parseStored(stored);
      snapshot = applyTaskEvent(cached.snapshot, event);
    } else {
      const events = (await this.#store.readStream(stored.streamId, { maxCount: stored.revision + 1 })).map(parseStored);
      snapshot = events.reduce(applyTaskEvent, initialTaskSnapshot());
      event = events[stored.revision] ?? parseStored(stored);
    }
    this.#cache.set(stored.streamId, { snapshot, revision: stored.revision });
    return { event, snapshot };
  }

  forget(streamId: string): void {
    this.#cache.delete(streamId);
  }
}
