import { assign, fromPromise, setup } from "xstate";
import type { PlannedStage, StoredOutput, TaskEvent } from "../contracts/task-events.ts";
import type { TaskMessage } from "../contracts/task-message.ts";
import type { ResultError } from "../contracts/result-message.ts";

/** Bumped whenever a change alters how an existing stream folds; stored in every event's metadata. */
export const TASK_MACHINE_VERSION = "task-machine@1";

export interface TaskContext {
  task: TaskMessage | null;
  attempt: number;
  stages: PlannedStage[];
  /** Stage name → its uploaded outputs: the checkpoint a resumed task starts after. */
  completed: Record<string, StoredOutput[]>;
  currentStage: string | null;
  progress: { stage: string; done: number; total: number; label: string | null; unit: string | null } | null;
  outputs: StoredOutput[];
  error: ResultError | null;
  willRetry: boolean;
  nextAttempt: number | null;
  retryDelaySeconds: number | null;
  /** Why the task was cancelled, dead-lettered or last interrupted. */
  reason: string | null;
  acceptedAt: string | null;
  lastEventAt: string | null;
  durationSeconds: number | null;
  /** How often each stage was started, across restarts: an audit of rework. */
  stageStarts: Record<string, number>;
  /** Seconds spent processing (holding a slot) in closed spans, across attempts: the ETA's clock,
   * which queue and retry waits do not move. */
  processingSeconds: number;
  /** When the open processing span began (its SlotGranted), or null. */
  processingSince: string | null;
}

const INITIAL_CONTEXT: TaskContext = {
  task: null,
  attempt: 1,
  stages: [],
  completed: {},
  currentStage: null,
  progress: null,
  outputs: [],
  error: null,
  willRetry: false,
  nextAttempt: null,
  retryDelaySeconds: null,
  reason: null,
  acceptedAt: null,
  lastEventAt: null,
  durationSeconds: null,
  stageStarts: {},
  processingSeconds: 0,
  processingSince: null,
};

type Ev<T extends TaskEvent["type"]> = Extract<TaskEvent, { type: T }>;

const allStagesDone = (c: TaskContext): boolean => c.stages.every((s) => c.completed[s.name] !== undefined);

/** How every active state ends early: a failure (retry or not) or a cancel. */
const ENDINGS = {
  TaskFailed: [
    { guard: "willRetry", target: "retrying", actions: ["touch", "recordFailure"] },
    { target: "failed", actions: ["touch", "recordFailure"] },
  ],
  TaskCancelled: { target: "cancelled", actions: ["touch", "recordReason"] },
} as const;

/** An owned state found mid-flight goes back to the queue, keeping its completed stages. */
const BACK_TO_QUEUE = { TaskInterrupted: { target: "queued", actions: ["touch", "recordReason"] } } as const;

/** The effect each active state invokes. The host supplies them (`taskMachine.provide({ actors })`,
 * src/actors/task-effects.ts): an effect does its work, appends its fact and only then resolves, and
 * the fact, sent to the actor, is what moves it on. Keyed by every state that is neither resting nor
 * final, so a new state without its effect fails the type check. */
export const TASK_EFFECTS = {
  queued: "startDownload",
  downloading: "download",
  waiting_for_slot: "requestSlot",
  processing: "runStages",
  uploading: "upload",
  retrying: "scheduleRetry",
} as const satisfies Record<Exclude<TaskStateValue, RestingState | FinalState>, string>;
export type TaskEffect = (typeof TASK_EFFECTS)[keyof typeof TASK_EFFECTS];

/** States that wait for the outside (a message, a person's replay): nothing to invoke. */
export const RESTING_STATES = ["new", "failed", "dead_lettered"] as const;
export type RestingState = (typeof RESTING_STATES)[number];
export type FinalState = "completed" | "cancelled";

/** Inert until the host provides it: folding a stream (`transition`) never starts an effect. */
const inert = fromPromise<void>(async () => {});

/** `invoke` of a state's effect; an effect that throws is handed to the host's failure rules
 * (when-a-stage-fails.ts) through `effectFailed`, and the facts they append move the task on. */
const effectOf = <S extends keyof typeof TASK_EFFECTS>(state: S) =>
  ({ id: TASK_EFFECTS[state], src: TASK_EFFECTS[state], onDone: { actions: "effectDone" }, onError: { actions: "effectFailed" } }) as const;

/** The task's lifecycle: its events are the facts in stream `task-<id>`, so the state of a task is
 * the fold of its stream through this machine, and the same machine, with the host's effects, is the
 * running task actor. Pure: the effects and the two actions below are inert defaults here. */
export const taskMachine = setup({
  types: { context: {} as TaskContext, events: {} as TaskEvent },
  actors: {
    startDownload: inert,
    download: inert,
    requestSlot: inert,
    runStages: inert,
    upload: inert,
    scheduleRetry: inert,
  },
  guards: {
    allStagesDone: ({ context }) => allStagesDone(context),
    lastStage: ({ context, event }) => {
      const e = event as Ev<"StageCompleted">;
      return context.stages.every((s) => s.name === e.stage || context.completed[s.name] !== undefined);
    },
    knownIncompleteStage: ({ context, event }) => {
      const stage = (event as Ev<"StageStarted"> | Ev<"StageCompleted"> | Ev<"ProgressReported">).stage;
      return context.stages.some((s) => s.name === stage) && context.completed[stage] === undefined;
    },
    willRetry: ({ event }) => (event as Ev<"TaskFailed">).will_retry,
    nextAttempt: ({ context, event }) => event.attempt === context.attempt + 1,
  },
  actions: {
    touch: assign({ lastEventAt: ({ event }) => event.at }),
    openProcessing: assign({ processingSince: ({ event }) => event.at }),
    closeProcessing: assign(({ context, event }) => ({
      processingSeconds: context.processingSeconds + (context.processingSince ? Math.max(0, (Date.parse(event.at) - Date.parse(context.processingSince)) / 1000) : 0),
      processingSince: null,
    })),
    accept: assign(({ event }) => {
      const e = event as Ev<"TaskAccepted">;
      return { task: e.task, attempt: e.attempt, stages: e.stages, acceptedAt: e.at, lastEventAt: e.at };
    }),
    startAttempt: assign(({ event }) => ({
      attempt: event.attempt,
      error: null,
      willRetry: false,
      nextAttempt: null,
      retryDelaySeconds: null,
      currentStage: null,
      progress: null,
    })),
    startStage: assign(({ context, event }) => {
      const e = event as Ev<"StageStarted">;
      return {
        currentStage: e.stage,
        progress: { stage: e.stage, done: 0, total: 0, label: null, unit: null },
        stageStarts: { ...context.stageStarts, [e.stage]: (context.stageStarts[e.stage] ?? 0) + 1 },
      };
    }),
    reportProgress: assign(({ event }) => {
      const e = event as Ev<"ProgressReported">;
      return { progress: { stage: e.stage, done: e.done, total: e.total, label: e.label ?? null, unit: e.unit ?? null } };
    }),
    completeStage: assign(({ context, event }) => {
      const e = event as Ev<"StageCompleted">;
      // A stage's upload may finish while the next stage already runs: keep that one current.
      const current = context.currentStage === e.stage ? null : context.currentStage;
      return { completed: { ...context.completed, [e.stage]: e.outputs }, currentStage: current };
    }),
    recordUpload: assign({ outputs: ({ event }) => (event as Ev<"UploadCompleted">).outputs }),
    recordCompletion: assign({ durationSeconds: ({ event }) => (event as Ev<"TaskCompleted">).duration_seconds, progress: null }),
    recordFailure: assign(({ event }) => {
      const e = event as Ev<"TaskFailed">;
      return { error: e.error, willRetry: e.will_retry, currentStage: null };
    }),
    recordRetry: assign(({ event }) => {
      const e = event as Ev<"RetryScheduled">;
      return { nextAttempt: e.next_attempt, retryDelaySeconds: e.delay_seconds };
    }),
    recordReason: assign({ reason: ({ event }) => (event as Ev<"TaskCancelled" | "TaskDeadLettered" | "TaskInterrupted">).reason }),
    /** Inert by default; the host provides them: an effect finished, or threw. */
    effectDone: () => {},
    effectFailed: () => {},
  },
}).createMachine({
  id: "task",
  context: INITIAL_CONTEXT,
  initial: "new",
  states: {
    new: { on: { TaskAccepted: { target: "queued", actions: ["accept"] } } },
    queued: {
      tags: ["active"],
      invoke: effectOf("queued"),
      on: {
        DownloadStarted: { target: "downloading", actions: ["touch"] },
        ...ENDINGS,
      },
    },
    downloading: {
      tags: ["active", "owned"],
      invoke: effectOf("downloading"),
      on: {
        DownloadCompleted: { target: "waiting_for_slot", actions: ["touch"] },
        ...ENDINGS,
        ...BACK_TO_QUEUE,
      },
    },
    waiting_for_slot: {
      tags: ["active", "owned"],
      invoke: effectOf("waiting_for_slot"),
      on: {
        SlotRequested: { actions: ["touch"] },
        SlotGranted: [
          { guard: "allStagesDone", target: "uploading", actions: ["touch"] },
          { target: "processing", actions: ["touch"] },
        ],
        ...ENDINGS,
        ...BACK_TO_QUEUE,
      },
    },
    processing: {
      tags: ["active", "owned"],
      invoke: effectOf("processing"),
      // The span between SlotGranted and leaving, whatever the way out, is processing time.
      entry: "openProcessing",
      exit: "closeProcessing",
      on: {
        StageStarted: { guard: "knownIncompleteStage", actions: ["touch", "startStage"] },
        ProgressReported: { guard: "knownIncompleteStage", actions: ["touch", "reportProgress"] },
        StageCompleted: [
          { guard: "lastStage", target: "uploading", actions: ["touch", "completeStage"] },
          { guard: "knownIncompleteStage", actions: ["touch", "completeStage"] },
        ],
        ...ENDINGS,
        ...BACK_TO_QUEUE,
      },
    },
    uploading: {
      tags: ["active", "owned"],
      invoke: effectOf("uploading"),
      on: {
        UploadCompleted: { actions: ["touch", "recordUpload"] },
        TaskCompleted: { target: "completed", actions: ["touch", "recordCompletion"] },
        ...ENDINGS,
        TaskInterrupted: { target: "uploading", reenter: true, actions: ["touch", "recordReason"] },
      },
    },
    retrying: {
      invoke: effectOf("retrying"),
      on: {
        RetryScheduled: { actions: ["touch", "recordRetry"] },
        AttemptStarted: { guard: "nextAttempt", target: "queued", actions: ["touch", "startAttempt"] },
        TaskDeadLettered: { target: "dead_lettered", actions: ["touch", "recordReason"] },
        TaskCancelled: { target: "cancelled", actions: ["touch", "recordReason"] },
      },
    },
    completed: { type: "final" },
    failed: {
      on: {
        TaskDeadLettered: { target: "dead_lettered", actions: ["touch", "recordReason"] },
        AttemptStarted: { guard: "nextAttempt", target: "queued", actions: ["touch", "startAttempt"] },
      },
    },
    dead_lettered: {
      on: { AttemptStarted: { guard: "nextAttempt", target: "queued", actions: ["touch", "startAttempt"] } },
    },
    cancelled: { type: "final" },
  },
});

export type TaskMachine = typeof taskMachine;
/** Every state of the task machine, in lifecycle order: the one list the HTTP schemas and the
 * type use (test/machines/task-machine.test.ts checks it against the machine's own states). */
export const TASK_STATES = ["new", "queued", "downloading", "waiting_for_slot", "processing", "uploading", "retrying", "completed", "failed", "dead_lettered", "cancelled"] as const;
export type TaskStateValue = (typeof TASK_STATES)[number];
