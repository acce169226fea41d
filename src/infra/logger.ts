import { pino, type Logger } from "pino";

export type { Logger };

/** Structured JSON logs on stdout; every task-scoped line carries task_id through `child()`. */
export function createLogger(options: { level?: string; name?: string; destination?: NodeJS.WritableStream | pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? "info",
      base: { service: "vision-s3d-converter", ...(options.name ? { component: options.name } : {}) },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    // Logs go to stderr by default so that stdout stays clean for the CLI's --json result.
    options.destination ?? process.stderr,
  );
}

/** A logger that drops everything, for tests and quiet CLI runs. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}

/** The service's logger: JSON lines on stdout (where a container's log driver reads them), written
 * to the file descriptor itself so that `keepOutputJson` can take over process.stdout. */
export function createServiceLogger(level: string): Logger {
  return createLogger({ level, destination: pino.destination({ fd: 1, sync: true }) });
}

/** Service mode: nothing but JSON lines reaches stdout. Node's own warnings (a deprecation, an
 * experimental feature) become log lines instead of raw text, and so does whatever a dependency
 * writes through process.stdout / process.stderr (console.* included). Returns the undo. */
export function keepOutputJson(logger: Logger): () => void {
  const log = logger.child({ component: "process" });
  // Node's default printer is a 'warning' listener of its own: replaced, not joined.
  const printers = process.listeners("warning");
  process.removeAllListeners("warning");
  const onWarning = (w: Error & { code?: string }) => log.warn({ warning: { name: w.name, code: w.code, message: w.message } }, "process warning");
  process.on("warning", onWarning);
  const restore = [wrap(process.stdout, "stdout", log), wrap(process.stderr, "stderr", log)];
  return () => {
    process.off("warning", onWarning);
    for (const p of printers) process.on("warning", p);
    for (const r of restore) r();
  };
}

function wrap(stream: NodeJS.WriteStream, source: "stdout" | "stderr", log: Logger): () => void {
  const original = stream.write.bind(stream);
  stream.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    if (text.trim() !== "") log.warn({ source, text: text.replace(/\n+$/, "") }, `raw ${source} output`);
    const done = rest.find((r): r is () => void => typeof r === "function");
    if (done) queueMicrotask(done);
    return true;
  };
  return () => void (stream.write = original);
}
