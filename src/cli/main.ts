import { parseArgs } from "node:util";
import { loadEnvFile } from "../config/env-file.ts";
import { dlqCommand } from "./dlq-command.ts";
import { COMMANDS, commandHelp, overview } from "./help.ts";
import { StoreInUseError } from "../service/data-dir-lock.ts";
import { machineCommand } from "./machine-command.ts";
import { processCommand } from "./process-command.ts";
import { replayCommand } from "./replay-command.ts";
import { cancelCommand } from "./cancel-command.ts";
import { ServiceApiError } from "./service-api.ts";
import { tasksCommand, TasksUsageError } from "./tasks-command.ts";

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    const topic = command === "help" ? rest[0] : undefined;
    process.stdout.write(`${(topic && commandHelp(topic)) ?? overview()}\n`);
    return command === undefined ? 2 : 0;
  }
  if (COMMANDS[command] && (rest.includes("--help") || rest.includes("-h"))) {
    process.stdout.write(`${commandHelp(command)}\n`);
    return 0;
  }
  try {
    return await run(command, rest);
  } catch (error) {
    // parseArgs' own errors (an unknown option, a missing value) are usage errors: one line, exit 2.
    if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS")) return usage(command, error.message);
    if (error instanceof TasksUsageError) return usage(command, error.message);
    // The service was asked and refused, or is not there: its answer is the one line.
    if (error instanceof ServiceApiError) {
      process.stderr.write(`vs3d ${command}: ${error.message}\n`);
      return 1;
    }
    if (error instanceof StoreInUseError) {
      // The service holds the store: its HTTP API serves the same streams.
      process.stderr.write(`vs3d ${command}: ${error.message}; while the service runs, read tasks through it: GET /tasks, GET /tasks/<task_id>/events\n`);
      return 1;
    }
    throw error;
  }
}

async function run(command: string, rest: string[]): Promise<number> {
  if (command === "process") {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { type: { type: "string" }, params: { type: "string" }, out: { type: "string" }, json: { type: "boolean", default: false }, inline: { type: "boolean", default: false } },
    });
    if (positionals.length !== 1 || !values.type) return usage(command, "needs one <file> and --type");
    return processCommand({ file: positionals[0]!, type: values.type, params: values.params, out: values.out ?? "out", json: values.json, inline: values.inline }, process.env);
  }
  if (command === "machine") {
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { stately: { type: "boolean", default: false } } });
    if (positionals.length > 1 || (positionals[0] !== undefined && positionals[0] !== "task" && positionals[0] !== "broker")) return usage(command, "takes task or broker");
    return machineCommand(positionals[0] ?? "task", { stately: values.stately });
  }
  if (command === "replay") {
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { json: { type: "boolean", default: false } } });
    if (positionals.length !== 1) return usage(command, "needs one <task_id>");
    return replayCommand({ taskId: positionals[0]!, json: values.json }, process.env);
  }
  if (command === "dlq") {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { "task-id": { type: "string" }, all: { type: "boolean", default: false }, limit: { type: "string" }, json: { type: "boolean", default: false } },
    });
    const action = positionals[0];
    if ((action !== "list" && action !== "replay") || positionals.length !== 1) return usage(command, "needs list or replay");
    return dlqCommand({ action, taskId: values["task-id"], all: values.all, limit: values.limit === undefined ? undefined : Number(values.limit), json: values.json }, process.env);
  }
  // Both read through the service's HTTP API when it holds the store: --url / --api-key reach it.
  const viaService = { url: { type: "string" }, "api-key": { type: "string" } } as const;
  if (command === "tasks") {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        state: { type: "string" },
        type: { type: "string" },
        tenant: { type: "string" },
        limit: { type: "string" },
        rejected: { type: "string" },
        json: { type: "boolean", default: false },
        ...viaService,
      },
    });
    if (positionals.length > 0) return usage(command, `takes no arguments, only options (got '${positionals[0]}')`);
    return tasksCommand(
      { state: values.state, type: values.type, tenant: values.tenant, limit: values.limit, rejected: values.rejected, json: values.json, url: values.url, apiKey: values["api-key"] },
      process.env,
    );
  }
  if (command === "cancel") {
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { reason: { type: "string" }, json: { type: "boolean", default: false }, ...viaService } });
    if (positionals.length !== 1) return usage(command, "needs one <task_id>");
    return cancelCommand({ taskId: positionals[0]!, reason: values.reason, json: values.json, url: values.url, apiKey: values["api-key"] }, process.env);
  }
  if (command === "serve") {
    const { runServe } = await import("../service/serve.ts");
    await runServe();
    return -1;
  }
  process.stderr.write(`vs3d: unknown command '${command}' (vs3d --help lists them)\n`);
  return 2;
}

/** A usage error: one line naming the problem and where the help is, exit code 2. */
function usage(command: string, problem: string): number {
  process.stderr.write(`vs3d ${command}: ${problem} (usage: ${COMMANDS[command]?.usage ?? "vs3d --help"})\n`);
  return 2;
}

// Piped into `head`: the reader went away, which is not an error of ours.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

// `.env` (or ENV_FILE) first, as the service does: the CLI shares its DATA_DIR and stores.
try {
  loadEnvFile();
} catch (error) {
  process.stderr.write(`vs3d: ${(error as Error).message}\n`);
  process.exit(2);
}
const code = await main(process.argv.slice(2));
if (code >= 0) process.exit(code);
