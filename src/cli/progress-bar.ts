import type { ProgressMessage } from "../contracts/progress-message.ts";

/** A one-line progress bar on a TTY; plain lines on stage changes elsewhere. Writes to stderr so
 * stdout stays the result. */
export function createProgressRenderer(stream: NodeJS.WriteStream = process.stderr) {
  let lastStage: string | null = null;
  const tty = stream.isTTY === true;
  return {
    update(m: ProgressMessage): void {
      const label = m.progress.stage_label ?? m.progress.stage ?? m.status;
      if (tty) {
        const width = 30;
        const filled = Math.round((m.progress.percent / 100) * width);
        const eta = m.eta_seconds !== null ? ` eta ${m.eta_seconds}s` : "";
        stream.write(`\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${m.progress.percent.toFixed(0).padStart(3)}% ${m.status} ${label}${eta}`.padEnd(100).slice(0, 100));
      } else if (m.progress.stage !== lastStage) {
        stream.write(`${m.status} ${label} ${m.progress.percent.toFixed(0)}%\n`);
      }
      lastStage = m.progress.stage;
    },
    end(): void {
      if (tty) stream.write("\n");
    },
  };
}
