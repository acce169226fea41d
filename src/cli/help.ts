/** Every command's usage line and help text, in one table, so `--help`, usage errors and the
 * overview say the same thing. */
export interface CommandHelp {
  usage: string;
  summary: string;
  details: string;
}

export const COMMANDS: Record<string, CommandHelp> = {
  process: {
    usage: "vs3d process <file> --type <task_type> [--params '<json>'] [--out <dir>] [--json] [--inline]",
    summary: "run one task on a local file, no servers",
    details: `Runs a task the way the service does (stream, stages, worker process) on <file> and writes its
outputs to --out (default ./out). With --json the last line of stdout is the result message; the
exit code is 0 when the task completed, 1 when it failed, 2 for a usage error.
  --type     a task type: image_thumbnail, image_convert, image_process, image_ocr, image_detect,
             geotiff_cog, geotiff_resize, video_transcode, point_cloud_convert, point_cloud_lod,
             mesh_3d_convert, mesh_3d_lod, archive_extract, archive_compress
  --params   the task's params as JSON (schemas/params.<task_type>.schema.json)
  --inline   run the processor in this process instead of a worker child`,
  },
  replay: {
    usage: "vs3d replay <task_id> [--json]",
    summary: "every transition of a task, with times, from its stream",
    details: `Reads stream task-<task_id> from the local store (DATA_DIR) and prints each event and the state
it leads to. While \`vs3d serve\` holds the store, read the same stream with
GET /tasks/<task_id>/events on the service.`,
  },
  tasks: {
    usage: "vs3d tasks [--state <s>[,<s>…]] [--type <task_type>[,…]] [--tenant <id>] [--rejected hide|include|only] [--limit N] [--json] [--url <url>] [--api-key <key>]",
    summary: "list tasks, newest first, with their state, progress, output sizes and durations",
    details: `Reads the local store (DATA_DIR or EVENT_STORE_URL); while \`vs3d serve\` holds the store it asks the
service instead (GET /tasks on VS3D_URL or --url, default http://127.0.0.1:HTTP_PORT, with the key
from VS3D_API_KEY or --api-key). Filters are the HTTP list's: states (queued, downloading,
waiting_for_slot, processing, uploading, retrying, completed, failed, cancelled, dead_lettered),
task types and a tenant; tasks refused at acceptance are hidden unless --rejected include|only.
--limit defaults to 50 (at most 500). --json prints the list as GET /tasks returns it.`,
  },
  cancel: {
    usage: "vs3d cancel <task_id> [--reason <text>] [--json] [--url <url>] [--api-key <key>]",
    summary: "cancel a task that is waiting or running (its result: failed, CANCELLED)",
    details: `While the service holds the store, the cancel goes through its HTTP API (POST /tasks/<id>/cancel).
With RabbitMQ (AMQP_URL) it is broadcast on vision.s3d.control, so the node running the task stops
it. Otherwise no service runs the task and the cancel is recorded in its stream directly.
Exit code 0 when cancelled or sent, 1 when the task has already settled, 2 when there is no such task.`,
  },
  serve: {
    usage: "vs3d serve",
    summary: "the service (same as npm start)",
    details: "Starts the service as configured by the environment and ./.env (README: Configuration).",
  },
  dlq: {
    usage: "vs3d dlq list [--limit N] [--json] | vs3d dlq replay (--task-id <id> | --all) [--json]",
    summary: "list or replay RabbitMQ dead letters (AMQP_URL)",
    details: `list     task id, type, attempt, error code, time and reason of each dead letter; removes nothing
replay   republishes a task as its next attempt; the dead letter is removed once the broker confirmed`,
  },
  machine: {
    usage: "vs3d machine [task|broker] [--stately]",
    summary: "a machine's definition as JSON, or as code Stately's editor imports",
    details: `Prints the XState definition of the task machine (default) or the broker machine, with its version.
--stately  prints createMachine({...}) instead: paste it into Stately's editor (Import from code) as-is`,
  },
};

export function overview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `usage: vs3d <command> [options]   (vs3d <command> --help for one command)

${rows.join("\n")}

The local store is DATA_DIR (default ./.vs3d); ./.env is read at start-up; see the README for every variable.`;
}

export function commandHelp(name: string): string | undefined {
  const c = COMMANDS[name];
  return c && `usage: ${c.usage}\n\n${c.summary}.\n\n${c.details}`;
}
