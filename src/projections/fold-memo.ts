import type { TaskEvent } from "../contracts/task-events.ts";
import type { TaskSnapshot } from "../machines/task-replay.ts";

export interface Folded {
  event: TaskEvent;
  snapshot: TaskSnapshot;
}

/** The newest folds of stored task events, shared by every reader in the process (the results and
 * progress projections, the task index): a task's state after revision r is a pure function of its
 * stream's first r + 1 events, so the first reader to fold an event parses it and runs the machine,
 * and the others take its result instead of doing both again. Bounded: the oldest entries go first. */
export class FoldMemo {
  #entries = new Map<string, Folded>();
  #max: number;

  constructor(max = 4096) {
    this.#max = max;
  }

  get(streamId: string, revision: number): Folded | undefined {
    return this.#entries.get(`${revision}@${streamId}`);
  }

  set(streamId: string, revision: number, folded: Folded): void {
    this.#entries.set(`${revision}@${streamId}`, folded);
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }
}

/** The process's one memo: the readers it serves share nothing else. */
export const sharedFoldMemo = new FoldMemo();
