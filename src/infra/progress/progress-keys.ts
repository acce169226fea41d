import process from "node:process";

/** Redis names of DESIGN.md §2 and helpers shared by the progress bus adapters. */

/** How long the last progress stays readable for a page that reconnects: 1 h. */
export const LAST_PROGRESS_TTL_SECONDS = 3600;

export function lastProgressKey(taskId: string): string {
  return `task:${taskId}:last_progress`;
}

/** Default for a bus's onError: a subscriber bug must not take down the task that publishes, but it
 * must not vanish either; a warning reaches the log without a logger dependency here. */
export function warnProgressError(error: unknown, channel: string): void {
  process.emitWarning(`progress bus, channel ${channel}: ${error instanceof Error ? error.message : String(error)}`, "ProgressBusWarning");
}
