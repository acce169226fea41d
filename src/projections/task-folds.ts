import type { TaskEvent } from "../contracts/task-events.ts";
import type { EventStore, StoredEvent } from "../ports/event-store.port.ts";
import { applyTaskEvent, initialTaskSnapshot, type TaskSnapshot } from "../machines/task-replay.ts";
import { parseStored } from "../actors/read-task.ts";
import { sharedFoldMemo, type FoldMemo } from "./fold-memo.ts";

/** Per-task folds for subscribers: applies each event to its task's cached state, and rebuilds the
 * state from the stream when the cache is cold or has a gap, so projections stay exact. */
export class TaskFolds {
  #store: EventStore;
  #cache = new Map<string, { snapshot: TaskSnapshot; revision: number }>();
  #memo: FoldMemo;

  constructor(store: EventStore, memo: FoldMemo = sharedFoldMemo) {
    this.#store = store;
    this.#memo = memo;
  }

  async apply(event: StoredEvent): Promise<TaskSnapshot> {
    return (await this.fold(event)).snapshot;
  }

  /** The event, parsed once, and its task's state after it. */
  async fold(stored: StoredEvent): Promise<{ event: TaskEvent; snapshot: TaskSnapshot }> {
    const cached = this.#cache.get(stored.streamId);
    if (cached && cached.revision >= stored.revision) return { event: parseStored(stored), snapshot: cached.snapshot };
    // Another reader of this store folded it already (the memo is per store: same stream, same facts).
    const memo = this.#memo.get(this.#key(stored.streamId), stored.revision);
    if (memo) {
      this.#cache.set(stored.streamId, { snapshot: memo.snapshot, revision: stored.revision });
      return memo;
    }
    let event: TaskEvent;
    let snapshot: TaskSnapshot;
    if (cached && cached.revision === stored.revision - 1) {
      event = parseStored(stored);
      snapshot = applyTaskEvent(cached.snapshot, event);
    } else if (stored.revision === 0) {
      // A stream's first event has nothing before it to read: every new task's first fact used to
      // cost each cold reader one stream read.
      event = parseStored(stored);
      snapshot = applyTaskEvent(initialTaskSnapshot(), event);
    } else {
      const events = (await this.#store.readStream(stored.streamId, { maxCount: stored.revision + 1 })).map(parseStored);
      snapshot = events.reduce(applyTaskEvent, initialTaskSnapshot());
      event = events[stored.revision] ?? parseStored(stored);
    }
    this.#cache.set(stored.streamId, { snapshot, revision: stored.revision });
    this.#memo.set(this.#key(stored.streamId), stored.revision, { event, snapshot });
    return { event, snapshot };
  }

  /** Two stores in one process (tests, a migration) may both have a `task-<id>`: kept apart. */
  #key(streamId: string): string {
    return `${storeIdOf(this.#store)}/${streamId}`;
  }

  forget(streamId: string): void {
    this.#cache.delete(streamId);
  }
}

const storeIds = new WeakMap<object, number>();
let nextStoreId = 0;
function storeIdOf(store: object): number {
  let id = storeIds.get(store);
  if (id === undefined) storeIds.set(store, (id = ++nextStoreId));
  return id;
}
