/** The invariants of a chaos run, judged from what a user can see: the results the platform received
 * and each task's stream. Pure, so the judge itself is tested (chaos-checks.test.ts). */

export interface SeenResult {
  messageId: string;
  body: { task_id: string; status: string; error?: { code?: string }; retry?: { will_retry?: boolean } };
}

export interface StreamEvent {
  type: string;
  data: Record<string, unknown>;
}

export interface TaskVerdict {
  taskId: string;
  /** Distinct final results (by message_id): completed, or failed with will_retry false. */
  finals: number;
  /** Result deliveries that repeated a message_id already seen (consumers drop them). */
  duplicateDeliveries: number;
  status: string | null;
  /** Stages completed more than once, or started again after they completed. */
  stagesRedone: string[];
  /** The stream records an interruption (a kill or shutdown) that the task then survived. */
  interrupted: boolean;
  /** Interrupted after at least one stage had completed: the resume had to read those outputs back. */
  resumedPastAStage: boolean;
}

export function judgeTask(taskId: string, results: readonly SeenResult[], events: readonly StreamEvent[]): TaskVerdict {
  const mine = results.filter((r) => r.body.task_id === taskId);
  const unique = new Map(mine.map((r) => [r.messageId, r.body]));
  const finals = [...unique.values()].filter((b) => b.status === "completed" || (b.status === "failed" && b.retry?.will_retry === false));
  const stagesRedone = new Set<string>();
  const completedAt = new Map<string, number>();
  events.forEach((e, i) => {
    const stage = typeof e.data.stage === "string" ? e.data.stage : null;
    if (!stage) return;
    if (e.type === "StageCompleted") {
      if (completedAt.has(stage)) stagesRedone.add(stage);
      else completedAt.set(stage, i);
    }
    if (e.type === "StageStarted" && completedAt.has(stage)) stagesRedone.add(stage);
  });
  const firstInterrupt = events.findIndex((e) => e.type === "TaskInterrupted");
  return {
    taskId,
    finals: finals.length,
    duplicateDeliveries: mine.length - unique.size,
    status: finals.at(-1)?.status ?? null,
    stagesRedone: [...stagesRedone],
    interrupted: firstInterrupt >= 0,
    resumedPastAStage: firstInterrupt >= 0 && events.slice(0, firstInterrupt).some((e) => e.type === "StageCompleted"),
  };
}

/** What must hold for every task of the run; each string is one violation. */
export function violations(verdicts: readonly TaskVerdict[], expected: ReadonlyMap<string, string> = new Map()): string[] {
  const out: string[] = [];
  for (const v of verdicts) {
    if (v.finals !== 1) out.push(`${v.taskId}: ${v.finals} final results (expected exactly 1)`);
    if (v.stagesRedone.length) out.push(`${v.taskId}: stages redone: ${v.stagesRedone.join(", ")}`);
    const want = expected.get(v.taskId);
    if (want !== undefined && v.status !== want) out.push(`${v.taskId}: ended ${v.status ?? "without a result"}, expected ${want}`);
  }
  return out;
}
