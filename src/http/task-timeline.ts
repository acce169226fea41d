import type { TaskEvent } from "../contracts/task-events.ts";
import type { TimelineEntry } from "./http-schemas.ts";
// One formatter for sizes people read, the CLI's tables and this timeline alike.
import { humanBytes } from "../cli/human-units.ts";

const seconds = (from: string, to: string): number => Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);

/** A task's stream read as an operator reads it: spans (download, slot wait, each stage) with their
 * durations, and the moments that matter (failures with their message, retries with the next
 * attempt's time, cancel and dead-letter reasons). Progress reports are left out: the bar shows them.
 * Pure. A span whose end is not in the stream stays open (`duration_seconds: null`). */
export function taskTimeline(events: readonly TaskEvent[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const labels = new Map<string, string>();
  // The entry each open span will close: keyed by what ends it.
  const open = new Map<string, TimelineEntry>();
  const point = (e: TaskEvent, kind: TimelineEntry["kind"], title: string, detail: string | null = null): TimelineEntry => {
    const entry: TimelineEntry = { at: e.at, attempt: e.attempt, kind, title, detail, duration_seconds: null, stage: null, next_attempt_at: null };
    entries.push(entry);
    return entry;
  };
  const startSpan = (key: string, e: TaskEvent, kind: TimelineEntry["kind"], title: string): TimelineEntry => {
    const entry = point(e, kind, title);
    open.set(key, entry);
    return entry;
  };
  const endSpan = (key: string, e: TaskEvent): TimelineEntry | undefined => {
    const entry = open.get(key);
    open.delete(key);
    if (entry) entry.duration_seconds = seconds(entry.at, e.at);
    return entry;
  };
  // Anything still open when the attempt ends was cut short: it keeps its start, not a duration.
  const closeAll = () => open.clear();

  for (const e of events) {
    switch (e.type) {
      case "TaskAccepted":
        for (const s of e.stages) labels.set(s.name, s.label);
        point(e, "accepted", `Accepted: ${e.task.task_type}`, `attempt ${e.attempt} of ${e.task.retry.max_attempts}, ${e.stages.length} stage(s)`);
        break;
      case "AttemptStarted":
        closeAll();
        point(e, "attempt", `Attempt ${e.attempt} started`, e.reason === "replay" ? "replayed by an operator" : "automatic retry");
        break;
      case "DownloadStarted":
        startSpan("download", e, "download", "Download");
        break;
      case "DownloadCompleted": {
        const entry = endSpan("download", e) ?? point(e, "download", "Download");
        entry.detail = humanBytes(e.size_bytes);
        break;
      }
      case "SlotRequested":
        startSpan("slot", e, "slot_wait", "Waited for a CPU/RAM slot");
        break;
      case "SlotGranted": {
        const entry = endSpan("slot", e) ?? point(e, "slot_wait", "Waited for a CPU/RAM slot");
        entry.detail = `granted ${e.cpu_percent}% CPU, ${humanBytes(e.ram_bytes)} RAM${e.exclusive ? ", alone on the node" : ""}`;
        break;
      }
      case "StageStarted": {
        const entry = startSpan(`stage:${e.stage}`, e, "stage", `Stage: ${labels.get(e.stage) ?? e.stage}`);
        entry.stage = e.stage;
        break;
      }
      case "StageCompleted": {
        const entry = endSpan(`stage:${e.stage}`, e) ?? point(e, "stage", `Stage: ${labels.get(e.stage) ?? e.stage}`);
        entry.stage = e.stage;
        entry.detail = `${e.outputs.length} output(s)`;
        break;
      }
      case "UploadCompleted":
        point(e, "upload", "Outputs uploaded", `${e.outputs.length} file(s)`);
        break;
      case "TaskCompleted":
        closeAll();
        point(e, "completed", "Completed", null).duration_seconds = e.duration_seconds;
        break;
      case "TaskFailed": {
        closeAll();
        const entry = point(e, "failed", `Failed: ${e.error.code}`, e.error.message);
        entry.stage = e.error.stage ?? null;
        break;
      }
      case "RetryScheduled":
        point(e, "retry", `Retry scheduled: attempt ${e.next_attempt}`, `in ${e.delay_seconds} s`).next_attempt_at = new Date(Date.parse(e.at) + e.delay_seconds * 1000).toISOString();
        break;
      case "TaskDeadLettered":
        closeAll();
        point(e, "dead_lettered", "Dead-lettered", e.reason);
        break;
      case "TaskCancelled":
        closeAll();
        point(e, "cancelled", "Cancelled", e.reason);
        break;
      case "TaskInterrupted":
        closeAll();
        point(e, "interrupted", "Interrupted", e.reason);
        break;
      case "WebhookDeliveryAttempted": {
        const answer = e.status === undefined ? (e.error ?? "no answer") : `HTTP ${e.status}`;
        const entry = point(e, "webhook", `Webhook ${e.delivered ? "delivered" : "not delivered"} (try ${e.delivery_attempt})`, `${e.url}: ${answer}`);
        entry.duration_seconds = e.duration_ms / 1000;
        entry.next_attempt_at = e.next_attempt_at ?? null;
        break;
      }
      case "ProgressReported":
        // The bar shows progress; the timeline would drown in it.
        break;
      default:
        // Facts this page does not describe yet.
        break;
    }
  }
  return entries;
}
