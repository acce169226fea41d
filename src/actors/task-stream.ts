import { randomUUID } from "node:crypto";
import { taskStreamId, type TaskEvent, type TaskEventBody, type TaskEventType } from "../contracts/task-events.ts";
import type { EventStore, NewEvent, StoredEvent } from "../ports/event-store.port.ts";
import { RevisionConflictError } from "../ports/revision-conflict.error.ts";
import { TASK_MACHINE_VERSION } from "../machines/task.machine.ts";
import { accepts, applyTaskEvent, stateOf, type TaskSnapshot } from "../machines/task-replay.ts";
import { foldStored, readOf, type TaskRead } from "./read-task.ts";

export { parseStored } from "./read-task.ts";

/** Thrown when another owner appended to our stream (DESIGN.md §1): stop the worker at once. */
export class LostOwnershipError extends Error {
  constructor(streamId: string, cause: unknown) {
    super(`lost ownership of ${streamId}`, { cause });
    this.name = "LostOwnershipError";
  }
}

/** Thrown when the machine would not accept a fact in the current state: a bug, never appended. */
export class RejectedEventError extends Error {
  constructor(type: string, state: string) {
    super(`event ${type} is not accepted in state ${state}`);
    this.name = "RejectedEventError";
  }
}

/** One task's stream with its folded state: appends only what the machine accepts, with the
 * expected revision as the fence, and folds what it appended. */
export class TaskStream {
  readonly taskId: string;
  readonly streamId: string;
  #store: EventStore;
  #snapshot: TaskSnapshot;
  #revision: number | "no_stream";
  #lastEventId: string | null;
  #clock: () => Date;
  #tail: Promise<void> = Promise.resolve();
  /** The message or event that caused the next append, when it is not the previous event. */
  #pendingCausation: string | null = null;

  private constructor(store: EventStore, taskId: string, events: StoredEvent[], clock: () => Date) {
    this.#store = store;
    this.taskId = taskId;
    this.streamId = taskStreamId(taskId);
    this.#clock = clock;
    const folded = foldStored(events);
    this.#snapshot = folded.snapshot;
    this.#revision = folded.revision;
    this.#lastEventId = folded.lastEventId;
  }

  static async open(store: EventStore, taskId: string, clock: () => Date = () => new Date()): Promise<TaskStream> {
    return new TaskStream(store, taskId, await store.readStream(taskStreamId(taskId)), clock);
  }

  get snapshot(): TaskSnapshot {
    return this.#snapshot;
  }
  get state() {
    return stateOf(this.#snapshot);
  }
  get exists(): boolean {
    return this.#revision !== "no_stream";
  }
  /** The task as last folded here (null before its first fact), without reading the store again. */
  get read(): TaskRead | null {
    return this.#revision === "no_stream" ? null : readOf(this.#snapshot, this.#revision);
  }

  /** Called with each batch of facts once the store has them, before the append resolves: the task
   * actor hears of a transition only after it is in the store (the checkpoint rule). */
  onAppended: (events: readonly TaskEvent[]) => void = () => {};

  /** Builds the full event (task_id, attempt, time) from a body. */
  event<T extends TaskEventType>(type: T, body: Omit<TaskEventBody<T>, "type">, attempt?: number): Extract<TaskEvent, { type: T }> {
    return { type, task_id: this.taskId, attempt: attempt ?? this.#snapshot.context.attempt, at: this.#clock().toISOString(), ...body } as unknown as Extract<TaskEvent, { type: T }>;
  }

  canAppend(event: TaskEvent): boolean {
    return accepts(this.#snapshot, event);
  }

  /** Appends one fact. Calls are serialised: a background stage upload and the next stage's start
   * may append at the same time, and each must see the revision the other left. */
  append(event: TaskEvent, causationId?: string): Promise<void> {
    const next = this.#tail.then(() => {
      if (causationId !== undefined) this.#pendingCausation = causationId;
      return this.#appendNow(event);
    });
    this.#tail = next.catch(() => {});
    return next;
  }

  /** Appends the fact only if the machine still accepts it when its turn comes. */
  appendIfAccepted(event: TaskEvent): Promise<boolean> {
    const next = this.#tail.then(async () => {
      if (!accepts(this.#snapshot, event)) return false;
      await this.#appendNow(event);
      return true;
    });
    this.#tail = next.then(
      () => {},
      () => {},
    );
    return next;
  }

  /** Appends several facts atomically (one store append): a failure and what follows from it
   * (RetryScheduled, TaskDeadLettered) must not be split by a crash. */
  appendAll(events: readonly TaskEvent[]): Promise<void> {
    const next = this.#tail.then(() => this.#appendNow(...events));
    this.#tail = next.catch(() => {});
    return next;
  }

  async #appendNow(...events: TaskEvent[]): Promise<void> {
    let snapshot = this.#snapshot;
    let causation = this.#lastEventId ?? this.taskId;
    const stored: NewEvent[] = [];
    for (const event of events) {
      if (event.type !== "TaskAccepted" && !accepts(snapshot, event)) throw new RejectedEventError(event.type, stateOf(snapshot));
      const id = randomUUID();
      stored.push({
        id,
        type: event.type,
        data: event,
        metadata: { correlation_id: this.taskId, causation_id: this.#pendingCausation ?? causation, machine_version: TASK_MACHINE_VERSION },
      });
      this.#pendingCausation = null;
      causation = id;
      snapshot = applyTaskEvent(snapshot, event);
    }
    try {
      const result = await this.#store.append(this.streamId, stored, { expectedRevision: this.#revision });
      this.#revision = result.nextRevision;
    } catch (error) {
      if (error instanceof RevisionConflictError) throw new LostOwnershipError(this.streamId, error);
      throw error;
    }
    this.#lastEventId = causation;
    this.#snapshot = snapshot;
    this.onAppended(events);
  }
}
