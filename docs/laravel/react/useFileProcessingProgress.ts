import { useEffect, useState } from "react";
import { SETTLED, type ProgressMessage } from "./progress-message.ts";

/** The part of Laravel Echo the hook uses (`window.Echo` from laravel-echo with the Reverb broadcaster). */
export interface EchoLike {
  private(channel: string): { listen(event: string, callback: (message: ProgressMessage) => void): unknown };
  leave(channel: string): void;
}

export interface FileProcessingProgress {
  /** The newest message for this file, or null before the first one. */
  message: ProgressMessage | null;
  /** True once the task has settled (completed, failed, dead-lettered, cancelled). */
  settled: boolean;
}

/**
 * Live progress of one file: listens on the tenant's private channel for this file's messages and,
 * on mount, catches up from the last stored message (`fetchLast`, e.g. a Laravel route that returns
 * Redis `task:<id>:last_progress` read through the prefix-free connection), so a page opened or
 * reconnected mid-task shows the bar where it is.
 */
export function useFileProcessingProgress(
  fileId: string,
  options: { echo: EchoLike; tenantId: string; fetchLast?: () => Promise<ProgressMessage | null> },
): FileProcessingProgress {
  const { echo, tenantId, fetchLast } = options;
  const [message, setMessage] = useState<ProgressMessage | null>(null);

  useEffect(() => {
    let live = true;
    // A message never moves the bar backwards: the catch-up read may answer after a newer live one.
    const take = (m: ProgressMessage | null): void => {
      if (!live || !m || m.file_id !== fileId) return;
      setMessage((current) => (current && !SETTLED.includes(m.status) && m.progress.percent < current.progress.percent ? current : m));
    };
    const channel = `tenant.${tenantId}.files`;
    echo.private(channel).listen(".file.processing.progress", take);
    void fetchLast?.().then(take, () => undefined);
    return () => {
      live = false;
      echo.leave(channel);
    };
  }, [echo, tenantId, fileId, fetchLast]);

  return { message, settled: message !== null && SETTLED.includes(message.status) };
}
