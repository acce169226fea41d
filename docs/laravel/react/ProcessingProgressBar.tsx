import type { EchoLike } from "./useFileProcessingProgress.ts";
import { useFileProcessingProgress } from "./useFileProcessingProgress.ts";
import type { ProgressMessage } from "./progress-message.ts";

const formatEta = (seconds: number): string =>
  seconds >= 3600 ? `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min` : seconds >= 60 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds)} s`;

/** Percent, stage label, ETA, and the end state of one file's processing. */
export function ProcessingProgressBar(props: { fileId: string; tenantId: string; echo: EchoLike; fetchLast?: () => Promise<ProgressMessage | null> }) {
  const { message, settled } = useFileProcessingProgress(props.fileId, props);
  if (!message) return <div className="processing-progress">Waiting to start…</div>;
  const { percent, stage_label: label, items_done: done, items_total: total } = message.progress;
  const failed = message.status === "failed" || message.status === "dead_lettered" || message.status === "cancelled";
  return (
    <div className="processing-progress" data-status={message.status}>
      <div role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(percent)} style={{ width: `${percent}%` }} />
      <span>
        {failed ? `Processing ${message.status.replace("_", " ")}` : settled ? "Done" : `${Math.round(percent)} %`}
        {!settled && label ? ` · ${label}` : ""}
        {!settled && done !== null && total ? ` (${done.toLocaleString()} of ${total.toLocaleString()}${message.progress.items_unit ? ` ${message.progress.items_unit}` : ""})` : ""}
        {!settled && message.eta_seconds !== null ? ` · about ${formatEta(message.eta_seconds)} left` : ""}
        {!settled && message.progress.stage_index !== null ? ` · step ${message.progress.stage_index} of ${message.progress.stage_count}` : ""}
      </span>
      {message.error ? <p role="alert">{message.error.message} ({message.error.code}{message.status === "retrying" ? ", retrying" : ""})</p> : null}
    </div>
  );
}
