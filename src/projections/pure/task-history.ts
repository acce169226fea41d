import type { ResultMessage } from "../../contracts/result-message.ts";
import type { TaskEvent } from "../../contracts/task-events.ts";
import type { TaskStateValue } from "../../machines/task.machine.ts";
import { applyTaskEvent, initialTaskSnapshot, stateOf, type TaskSnapshot } from "../../machines/task-replay.ts";
import { resultMessageOf } from "./result.projection.ts";

export interface HistoryStep {
  event: TaskEvent;
  state: TaskStateValue;
  result: ResultMessage | null;
}

/** The stream as a list of transitions, each with the state it led to and the result it projects. */
export function taskHistory(events: readonly TaskEvent[]): { steps: HistoryStep[]; final: TaskSnapshot } {
  let snapshot = initialTaskSnapshot();
  const steps: HistoryStep[] = [];
  for (const event of events) {
    snapshot = applyTaskEvent(snapshot, event);
    steps.push({ event, state: stateOf(snapshot), result: resultMessageOf(event, snapshot.context) });
  }
  return { steps, final: snapshot };
}

/** The result of the task's latest outcome, if it has one. */
export function lastResult(events: readonly TaskEvent[]): ResultMessage | null {
  const { steps } = taskHistory(events);
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i]!.result) return steps[i]!.result;
  return null;
}
