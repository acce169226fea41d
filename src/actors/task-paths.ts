import { join } from "node:path";

/** A task's local layout under WORK_DIR. Everything a task writes stays below `root`. */
export function taskPaths(workRoot: string, taskId: string) {
  const root = join(workRoot, taskId);
  return { root, input: join(root, "input"), work: join(root, "work"), out: join(root, "out") };
}
export type TaskPaths = ReturnType<typeof taskPaths>;
