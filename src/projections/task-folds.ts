import type { EventStore, StoredEvent } from "../ports/event-store.port.ts";
import { applyTaskEvent, initialTaskSnapshot, type TaskSnapshot } from "../machines/task-replay.ts";
import { parseStored } from "../actors/task-stream.ts";

/** Per-task folds for subscribers: applies each event to its task's cached state, and rebuilds the
 * state from the stream when the cache is cold or has a gap, so projections stay exact. */
export class TaskFolds {
  #store: EventStore;
  #cache = new Map<string, { snapshot: TaskSnapshot; revision: number }>();

  constructor(store: EventStore) {
    this.#store = store;
  }

  async apply(event: StoredEvent): Promise<TaskSnapshot> {
    const cached = this.#cache.get(event.streamId);
    let snapshot: TaskSnapshot;
    if (cached && cached.revision === event.revision - 1) {
      snapshot = applyTaskEvent(cached.snapshot, parseStored(event));
    } else if (cached && cached.revision >= event.revision) {
      return cached.snapshot;
    } else {
      const events = await this.#store.readStream(event.streamId, { maxCount: event.revision + 1 });
      snapshot = initialTaskSnapshot();
      for (const e of events) snapshot = applyTaskEvent(snapshot, parseStored(e));
    }
    this.#cache.set(event.streamId, { snapshot, revision: event.revision });
    return snapshot;
  }

  forget(streamId: string): void {
    this.#cache.delete(streamId);
  }
}
