import { TASK_STREAM_PREFIX, taskIdOfStream } from "../contracts/task-events.ts";
import type { EventStore } from "../ports/event-store.port.ts";
import type { TaskSnapshot } from "../machines/task-replay.ts";
import { TaskFolds } from "../projections/task-folds.ts";

export interface IndexedTask {
  taskId: string;
  snapshot: TaskSnapshot;
}

export interface TaskIndexOptions {
  /** Events read per page while catching up. Default: 500. */
  pageSize?: number;
}

export const TASK_INDEX_DEFAULTS = { pageSize: 500 } as const;

/** How long the index waits before subscribing again after its subscription failed. */
const TASK_INDEX_WATCH_RETRY_MS = 1000;

/** The operator's read model of every task: each stream folded once and kept up to date from the
 * store's log (events after the last position seen), so the list can be filtered and paged without
 * reading every stream on every request, and the changes can be pushed to live pages. It is caught
 * up on each request (reads see their own writes) and on every append while a live page listens. Held in
 * memory by this process; rebuilt from the store at start. */
export class TaskIndex {
  #store: EventStore;
  #folds: TaskFolds;
  #tasks = new Map<string, IndexedTask>();
  /** Oldest first, by first event: the store's own order of streams. */
  #order: string[] = [];
  #after: bigint | undefined;
  #refreshing: Promise<string[]> | null = null;
  /** The read that starts once the running one ends, shared by everyone who asked meanwhile. */
  #next: Promise<string[]> | null = null;
  #listeners = new Set<(changed: readonly IndexedTask[]) => void>();
  /** Stops the store subscription that wakes the index while anyone listens. */
  #watching: AbortController | null = null;
  #pageSize: number;

  constructor(store: EventStore, options: TaskIndexOptions = {}) {
    this.#store = store;
    this.#folds = new TaskFolds(store);
    this.#pageSize = options.pageSize ?? TASK_INDEX_DEFAULTS.pageSize;
  }

  /** Reads what was appended since the last call and tells the listeners which tasks changed.
   * Every caller's read starts after its call, so it sees its own writes (a GET right after the POST
   * that accepted the task); callers that arrive while a read runs share the one after it. */
  refresh(): Promise<string[]> {
    if (this.#next) return this.#next;
    if (!this.#refreshing) return this.#start();
    this.#next ??= this.#refreshing.then(
      () => this.#start(),
      () => this.#start(),
    );
    return this.#next;
  }

  #start(): Promise<string[]> {
    this.#next = null;
    const run = this.#catchUp().finally(() => {
      if (this.#refreshing === run) this.#refreshing = null;
    });
    this.#refreshing = run;
    return run;
  }

  async #catchUp(): Promise<string[]> {
    const changed = new Set<string>();
    for (;;) {
      const page = await this.#store.readAll({ streamPrefix: TASK_STREAM_PREFIX, maxCount: this.#pageSize, ...(this.#after === undefined ? {} : { after: this.#after }) });
      for (const event of page) {
        const taskId = taskIdOfStream(event.streamId);
        const snapshot = await this.#folds.apply(event);
        if (!this.#tasks.has(taskId)) this.#order.push(taskId);
        this.#tasks.set(taskId, { taskId, snapshot });
        changed.add(taskId);
        this.#after = event.position;
      }
      if (page.length < this.#pageSize) break;
    }
    if (changed.size > 0) {
      const tasks = [...changed].map((id) => this.#tasks.get(id)!);
      for (const listener of this.#listeners) listener(tasks);
    }
    return [...changed];
  }

  /** Every task, newest first. */
  newestFirst(): IndexedTask[] {
    const out: IndexedTask[] = [];
    for (let i = this.#order.length - 1; i >= 0; i--) out.push(this.#tasks.get(this.#order[i]!)!);
    return out;
  }

  get(taskId: string): IndexedTask | undefined {
    return this.#tasks.get(taskId);
  }

  /** Calls `listener` with the tasks that changed, as soon as the store has them: while anyone
   * listens, every task event the store delivers (from its shared tail, usually no query) starts a
   * refresh, and refreshes asked for while one runs share the next. A live page saw a change up to
   * a second late when the index polled instead (half a second on average: the 20-thumbnail bench
   * waited that long for its last task). */
  listen(listener: (changed: readonly IndexedTask[]) => void): () => void {
    this.#listeners.add(listener);
    if (!this.#watching) this.#watch((this.#watching = new AbortController()).signal);
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0 && this.#watching) {
        this.#watching.abort();
        this.#watching = null;
      }
    };
  }

  /** A failed read ends a subscription: the index subscribes again after a pause, from what it has
   * read, for as long as anyone listens (a store outage must not leave live pages frozen). */
  #watch(signal: AbortSignal): void {
    void (async () => {
      while (!signal.aborted) {
        try {
          const after = this.#after ?? (await this.#store.headPosition()) ?? 0n;
          for await (const _event of this.#store.subscribeToAll({ after, streamPrefix: TASK_STREAM_PREFIX, signal })) void this.refresh().catch(() => {});
          return; // ended without an error: aborted, or the store closed
        } catch {
          await new Promise<void>((resolve) => setTimeout(resolve, TASK_INDEX_WATCH_RETRY_MS).unref?.());
          void this.refresh().catch(() => {});
        }
      }
    })();
  }
}
