import { randomUUID } from "node:crypto";
import { copyFile, link, mkdir, rm, stat } from "node:fs/promises";
import { basename, dirname, extname, join, resolve } from "node:path";
import { loadConfig } from "../config/config.ts";
import { decodeTask } from "../intake/decode-task.ts";
import { submitDecoded } from "../intake/submit-task.ts";
import { taskPaths } from "../actors/task-paths.ts";
import { taskStreamId } from "../contracts/task-events.ts";
import { taskProgressChannel } from "../contracts/task-message.ts";
import type { ResultMessage } from "../contracts/result-message.ts";
import { createLogger } from "../infra/logger.ts";
import { parseStored } from "../actors/task-stream.ts";
import { lastResult } from "../projections/pure/task-history.ts";
import { createService } from "../service/service.ts";
import { createProgressRenderer } from "./progress-bar.ts";

/** The CLI's own tenant: a fixed id so local tasks are easy to find. */
const LOCAL_TENANT = "00000000-0000-4000-8000-000000000000";
const CLI_BUCKET = "cli";

export interface ProcessArgs {
  file: string;
  type: string;
  params: string | undefined;
  out: string;
  json: boolean;
  inline: boolean;
}

/** `vs3d process`: one task through the embedded service (PGlite + local storage), recorded in the
 * same local store `vs3d replay` reads. Exit code 0 when it completed. */
export async function processCommand(args: ProcessArgs, env: Record<string, string | undefined>): Promise<number> {
  const base = loadConfig(env);
  const storageRoot = join(base.dataDir, "storage");
  const config = { ...base, amqpUrl: undefined, redisUrl: undefined, storage: { kind: "local" as const, rootDir: storageRoot } };
  const logger = createLogger({ level: env.LOG_LEVEL ?? "warn" });
  const taskId = randomUUID();
  const filePath = resolve(args.file);
  const info = await stat(filePath).catch(() => null);
  if (!info?.isFile()) return fail(args, taskId, "INPUT_NOT_FOUND", `no such file: ${args.file}`);

  let params: unknown = {};
  if (args.params !== undefined) {
    try {
      params = JSON.parse(args.params);
    } catch (error) {
      return fail(args, taskId, "INVALID_PARAMS", `--params is not valid JSON: ${(error as Error).message}`);
    }
  }
  const inputKey = `${taskId}/input/${basename(filePath)}`;
  // The same decoder as AMQP and HTTP: size, depth, storable strings, then the schema.
  const decoded = decodeTask(
    new TextEncoder().encode(
      JSON.stringify({
        task_id: taskId,
        tenant_id: LOCAL_TENANT,
        file_id: randomUUID(),
        task_type: args.type,
        submitted_at: new Date().toISOString(),
        source: { bucket: CLI_BUCKET, key: inputKey, size_bytes: info.size, format: extname(filePath).slice(1).toLowerCase() || undefined },
        destination: { bucket: CLI_BUCKET, base_key: `${taskId}/out/` },
        params,
        retry: { attempt: 1, max_attempts: 1 },
      }),
    ),
  );
  if (decoded.kind === "invalid") return fail(args, taskId, "INVALID_MESSAGE", decoded.reason);

  await placeInput(filePath, join(storageRoot, CLI_BUCKET, inputKey));
  const service = await createService(config, logger, args.inline ? { workerMode: "inline" } : {});
  // SIGTERM/SIGINT: the task records TaskInterrupted (the host stops it), its work dir is removed
  // (a CLI run is not resumed by a later start), and the result line says INTERRUPTED.
  let stoppedBy: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppedBy) return;
    stoppedBy = signal;
    void service.host.shutdown(base.shutdownGraceSeconds * 1000);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  try {
    const bar = createProgressRenderer();
    const unsubscribe = args.json && !process.stderr.isTTY ? async () => {} : await service.bus.subscribe(taskProgressChannel(taskId), (m) => bar.update(m));
    const { done } = await submitDecoded(service.host, decoded);
    await done;
    await unsubscribe();
    bar.end();
    if (stoppedBy) {
      await rm(taskPaths(config.workDir, taskId).root, { recursive: true, force: true });
      fail(args, taskId, "INTERRUPTED", `stopped by ${String(stoppedBy)}: the task recorded TaskInterrupted and its work directory was removed`);
      return stoppedBy === "SIGINT" ? 130 : 143;
    }
    const events = (await service.store.readStream(taskStreamId(taskId))).map(parseStored);
    const result = lastResult(events);
    if (!result) return fail(args, taskId, "INTERNAL", "the task ended without a result");
    if (result.status === "completed") {
      await mkdir(resolve(args.out), { recursive: true });
      for (const o of result.outputs) {
        const relative = o.key.slice(`${taskId}/out/`.length);
        await service.storage.download(CLI_BUCKET, o.key, join(resolve(args.out), relative));
      }
    }
    print(args, result);
    return result.status === "completed" ? 0 : 1;
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    await service.close();
  }
}

/** Hard-links the input into local storage (no copy of a 2 GB cloud), copying across filesystems. */
async function placeInput(src: string, dest: string): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  await link(src, dest).catch(() => copyFile(src, dest));
}

function print(args: ProcessArgs, result: ResultMessage): void {
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  if (result.status === "completed") {
    process.stdout.write(`completed in ${result.duration_seconds.toFixed(2)} s — task ${result.task_id}\n`);
    for (const o of result.outputs) process.stdout.write(`  ${o.type}\t${o.format}\t${o.size_bytes} B\t${join(args.out, o.key.split("/out/")[1] ?? o.key)}\n`);
  } else {
    process.stdout.write(`failed: ${result.error.code} (${result.error.stage ?? "no stage"}): ${result.error.message} — task ${result.task_id}\n`);
  }
}

function fail(args: ProcessArgs, taskId: string, code: string, message: string): number {
  const body = { task_id: taskId, status: "failed", failed_at: new Date().toISOString(), error: { code, message, stage: null, recoverable: false } };
  if (args.json) process.stdout.write(`${JSON.stringify(body)}\n`);
  else process.stderr.write(`vs3d: ${code}: ${message}\n`);
  return 2;
}
