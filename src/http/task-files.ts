import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { Context, Hono } from "hono";
import { readTask } from "../actors/read-task.ts";
import type { StoredOutput } from "../contracts/task-events.ts";
import type { EventStore } from "../ports/event-store.port.ts";
import type { ObjectStorage } from "../ports/storage.port.ts";

export interface TaskFilesDeps {
  store: EventStore;
  storage: ObjectStorage;
}

/** Every output file a task's stream records (completed stages' checkpoints, tiles included),
 * with the bucket it was uploaded to. Nothing else in storage is reachable through it. */
export async function recordedOutputs(store: EventStore, taskId: string): Promise<{ bucket: string; outputs: StoredOutput[] } | undefined> {
  const ctx = (await readTask(store, taskId))?.context;
  if (!ctx?.task) return undefined;
  const byPath = new Map<string, StoredOutput>();
  for (const list of Object.values(ctx.completed)) for (const o of list) byPath.set(o.path, o);
  for (const o of ctx.outputs) byPath.set(o.path, o);
  return { bucket: ctx.task.destination.bucket, outputs: [...byPath.values()] };
}

const notFound = (c: Context, message: string) => c.json({ error: { code: "NOT_FOUND", message } }, 404);

/** `GET /tasks/:id/files/<output path>`: streams one output file the task's stream recorded (e.g.
 * `tiles/tileset.json` and the tiles it references), through the storage port: downloaded to a
 * temporary file, streamed, then removed. Any other path is 404, whatever storage holds. */
export function registerTaskFiles(app: Hono, deps: TaskFilesDeps): void {
  app.get("/tasks/:id/files/*", async (c) => {
    const id = c.req.param("id").toLowerCase();
    const prefix = `/tasks/${c.req.param("id")}/files/`;
    let path: string;
    try {
      path = decodeURIComponent(c.req.path.slice(prefix.length));
    } catch {
      return notFound(c, "not an output of this task");
    }
    const recorded = await recordedOutputs(deps.store, id);
    if (!recorded) return notFound(c, `no task ${id}`);
    const output = recorded.outputs.find((o) => o.path === path);
    if (!output) return notFound(c, `'${path}' is not an output of task ${id}`);
    const dir = await mkdtemp(join(tmpdir(), "vs3d-file-"));
    const file = join(dir, "object");
    let size: number;
    try {
      ({ size } = await deps.storage.download(recorded.bucket, output.key, file));
    } catch (error) {
      await rm(dir, { recursive: true, force: true });
      if ((error as { code?: string }).code === "INPUT_NOT_FOUND") return notFound(c, `'${path}' is recorded but no longer stored`);
      throw error;
    }
    const stream = createReadStream(file);
    const cleanup = () => void rm(dir, { recursive: true, force: true });
    stream.once("close", cleanup);
    return new Response(Readable.toWeb(stream) as ReadableStream, {
      headers: {
        "content-type": output.content_type,
        "content-length": String(size),
        // A completed output never changes under the same key.
        "cache-control": "private, max-age=3600",
      },
    });
  });
}
