import { parseArgs } from "node:util";
import { loadEnvFile } from "../config/env-file.ts";
import { dlqCommand } from "./dlq-command.ts";
import { machineCommand } from "./machine-command.ts";
import { processCommand } from "./process-command.ts";
import { replayCommand } from "./replay-command.ts";

const USAGE = `usage:
  vs3d process <file> --type <task_type> [--params '<json>'] --out <dir> [--json] [--inline]
  vs3d replay <task_id> [--json]
  vs3d serve
  vs3d dlq list [--limit N] [--json]
  vs3d dlq replay (--task-id <id> | --all) [--json]
  vs3d machine [task|broker]

The local store is DATA_DIR (default ./.vs3d); see the README for every variable.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "process") {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { type: { type: "string" }, params: { type: "string" }, out: { type: "string" }, json: { type: "boolean", default: false }, inline: { type: "boolean", default: false } },
    });
    if (positionals.length !== 1 || !values.type) return usage("process needs one <file> and --type");
    return processCommand({ file: positionals[0]!, type: values.type, params: values.params, out: values.out ?? "out", json: values.json, inline: values.inline }, process.env);
  }
  if (command === "machine") return machineCommand(rest[0] ?? "task");
  if (command === "replay") {
    const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { json: { type: "boolean", default: false } } });
    if (positionals.length !== 1) return usage("replay needs one <task_id>");
    return replayCommand({ taskId: positionals[0]!, json: values.json }, process.env);
  }
  if (command === "dlq") {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { "task-id": { type: "string" }, all: { type: "boolean", default: false }, limit: { type: "string" }, json: { type: "boolean", default: false } },
    });
    const action = positionals[0];
    if ((action !== "list" && action !== "replay") || positionals.length !== 1) return usage("dlq needs list or replay");
    return dlqCommand({ action, taskId: values["task-id"], all: values.all, limit: values.limit === undefined ? undefined : Number(values.limit), json: values.json }, process.env);
  }
  if (command === "serve") {
    const { runServe } = await import("../service/serve.ts");
    await runServe();
    return -1;
  }
  return usage(command ? `unknown command ${command}` : "");
}

function usage(problem: string): number {
  if (problem) process.stderr.write(`vs3d: ${problem}\n`);
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

// `.env` (or ENV_FILE) first, as the service does: the CLI shares its DATA_DIR and stores.
try {
  loadEnvFile();
} catch (error) {
  process.stderr.write(`vs3d: ${(error as Error).message}\n`);
  process.exit(2);
}
const code = await main(process.argv.slice(2));
if (code >= 0) process.exit(code);
