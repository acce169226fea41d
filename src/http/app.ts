import { Hono, type Context, type Env, type Input } from "hono";
import { apiDocsHtml } from "./api-docs-page.ts";
import { openApiDocument } from "./openapi.ts";
import { PACKAGE_VERSION } from "./package-version.ts";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { accessControl, mayAccess } from "./access.ts";
import type { RateLimiter } from "./rate-limit.ts";
import type { HttpAccess } from "../config/http-access.ts";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import { MESSAGE_LIMITS } from "../contracts/json-safety.ts";
import { publicMessage } from "../contracts/app-error.ts";
import { TaskConflictError } from "../actors/accept-task.ts";
import { decodeTask } from "../intake/decode-task.ts";
import { submitDecoded } from "../intake/submit-task.ts";
import { logRefusedMessage } from "../intake/refused-message-log.ts";
import { taskStreamId } from "../contracts/task-events.ts";
import type { TaskHost } from "../actors/task-host.ts";
import { readTask } from "../actors/read-task.ts";
import type { EventStore } from "../ports/event-store.port.ts";
import type { ProgressBus } from "../ports/progress-bus.port.ts";
import type { ProgressMessage } from "../contracts/progress-message.ts";
import { SETTLED_STATES, stateOf } from "../machines/task-replay.ts";
import { progressMessageOf } from "../projections/pure/progress.projection.ts";
import { taskView } from "./task-view.ts";
import { registerDashboard } from "./dashboard/dashboard-assets.ts";
import { hostname } from "node:os";
import type { DeadLetter } from "./http-schemas.ts";
import { cancelReasonOf } from "./cancel-body.ts";
import { taskProgressChannel } from "../contracts/task-message.ts";
import { registerNodeRoutes } from "./node-routes.ts";
import { nodeView, type NodeLoad } from "./node-view.ts";
import { registerTaskActions } from "./task-action-routes.ts";
import { TaskIndex } from "./task-index.ts";
import { registerTaskList } from "./task-list-routes.ts";
import { replayHere } from "./task-retry.ts";
import { registerTaskFiles } from "./task-files.ts";
import { registerViewerModules } from "./viewer-modules.ts";
import { registerViewerPage } from "./viewer-page.ts";
import { registerModelViewerPage } from "./model-viewer-page.ts";

export interface HttpDeps {
  host: TaskHost;
  store: EventStore;
  bus: ProgressBus;
  /** Each dependency's readiness; the service is ready when all are ok. */
  readiness: () => Promise<Record<string, { ok: boolean; detail?: string }>>;
  /** Prometheus text exposition. */
  metrics?: () => Promise<string>;
  /** How a cancel reaches the task's owner. Default: this node's host (embedded, one node). */
  cancel?: (taskId: string, reason: string) => Promise<"requested">;
  /** API keys → tenants, the HTTP intake switch, CORS. Default: no keys (loopback only), intake on. */
  access?: HttpAccess;
  /** Per-key request limit (Redis when configured, else in memory). Default: none. */
  rateLimiter?: RateLimiter;
  /** Names the node on the dashboard's node panel. Default: the host name. */
  nodeId?: string;
  /** AMQP mode: tasks.dlq, listed and replayed (a retry from the dashboard is a DLQ replay).
   * Default: none (embedded: a retry starts the next attempt here). */
  deadLetters?: { list(limit: number): Promise<DeadLetter[]>; replay(taskId: string): Promise<boolean> };
}

const OPEN_ACCESS: HttpAccess = { keys: new Map(), host: "127.0.0.1", intake: true, ratePerMinute: 0, corsOrigins: [] };

const TaskIdParam = z.uuid();
/** Streams are named by the canonical (lowercase) task_id. */
const idOf = (c: Context) => c.req.param("id")!.toLowerCase();
// Generic in the route's types so any route's context passes as it is.
const badId = <E extends Env, P extends string, I extends Input>(c: Context<E, P, I>) => c.json({ error: { code: "INVALID_MESSAGE", message: "task id must be a UUID" } }, 400);
const SSE_PING_MS = 15_000;
/** Statuses after which the stream is checked: "failed" may still be followed by a retry. */

/** The embedded intake and the developer's window on tasks (DESIGN.md §6). */
export function createHttpApp(deps: HttpDeps): Hono {
  const app = new Hono();
  const access = deps.access ?? OPEN_ACCESS;
  // CORS stays off unless origins are configured: no Access-Control headers at all.
  if (access.corsOrigins.length > 0) app.use("*", cors({ origin: access.corsOrigins, allowHeaders: ["content-type", "x-api-key", "authorization"] }));
  app.use("*", accessControl(access, deps.rateLimiter ?? null));

  app.onError((error, c) => {
    deps.host.logger.error({ err: error, path: c.req.path }, "http handler failed");
    return c.json({ error: { code: "INTERNAL", message: publicMessage(error.message) } }, 500);
  });

  registerDashboard(app);
  // The read model of all tasks, caught up from the store on each use: the dashboard's list, and
  // every poll of one task (a poll reads what was appended since the last one, shared by all
  // concurrent polls, instead of reading and folding the task's whole stream each time).
  const index = new TaskIndex(deps.store);
  const indexed = async (id: string) => {
    await index.refresh();
    return index.get(id) ?? null;
  };
  // The resource broker reports its node; another SlotBroker (a test's) has no node panel.
  const broker = deps.host.broker as { load?: () => NodeLoad };
  const load = broker.load?.bind(broker);
  const node = load ? () => nodeView(deps.nodeId ?? hostname(), load(), deps.host.runningCount) : undefined;

  // The body is capped before it is read whole (413); then the one decoder every intake shares.
  const tooLarge = (c: Context) => c.json({ error: { code: "INVALID_MESSAGE", message: `body is over the limit of ${MESSAGE_LIMITS.maxBytes} bytes` } }, 413);
  app.post("/tasks", bodyLimit({ maxSize: MESSAGE_LIMITS.maxBytes, onError: tooLarge }), async (c) => {
    const decoded = decodeTask(new Uint8Array(await c.req.arrayBuffer()));
    if (!access.intake) return c.json({ error: { code: "HTTP_INTAKE_DISABLED", message: "this node takes tasks over RabbitMQ only (HTTP_INTAKE=false)" } }, 403);
    if (decoded.kind === "invalid") {
      logRefusedMessage(deps.host.logger, { task_id: decoded.salvage?.task_id, tenant_id: decoded.salvage?.tenant_id, code: "INVALID_MESSAGE", reason: decoded.reason, intake: "http" });
      return decoded.tooLarge ? tooLarge(c) : c.json({ error: { code: "INVALID_MESSAGE", message: decoded.reason } }, 400);
    }
    if (!mayAccess(c.get("tenant"), decoded.task.tenant_id)) {
      return c.json({ error: { code: "FORBIDDEN_TENANT", message: "this API key may submit tasks of its own tenant only" } }, 403);
    }
    try {
      const { outcome, state } = await submitDecoded(deps.host, decoded);
      if (outcome === "rejected") {
        // Recorded (accepted and failed at once, so Laravel also gets its failed result), but the
        // caller hears now that it will not run, and why.
        const error = (await readTask(deps.store, decoded.task.task_id))?.context.error ?? null;
        return c.json({ task_id: decoded.task.task_id, outcome, state, error }, 422);
      }
      return c.json({ task_id: decoded.task.task_id, outcome, state }, outcome === "duplicate" ? 200 : 202);
    } catch (error) {
      if (error instanceof TaskConflictError) return c.json({ error: { code: "TASK_ID_CONFLICT", message: error.message } }, 409);
      throw error;
    }
  });

  registerTaskList(app, { index, node });
  registerNodeRoutes(app, { index, node, dlq: deps.deadLetters });

  // Every /tasks/:id route takes a UUID: anything else is a clear 400, never a stream lookup.
  app.use("/tasks/:id/*", async (c, next) => (TaskIdParam.safeParse(c.req.param("id")).success ? next() : badId(c)));
  app.use("/tasks/:id", async (c, next) => (TaskIdParam.safeParse(c.req.param("id")).success ? next() : badId(c)));
  // A key sees its own tenant's tasks only: another tenant's is answered as unknown.
  const ownTask = async (c: Context, next: () => Promise<void>) => {
    const tenant = c.get("tenant");
    if (tenant === null || tenant === "*") return next();
    const task = await indexed(idOf(c));
    if (!task || !mayAccess(tenant, task.snapshot.context.task?.tenant_id)) return c.json({ error: { code: "NOT_FOUND", message: `no task ${idOf(c)}` } }, 404);
    return next();
  };
  app.use("/tasks/:id/*", ownTask);
  app.use("/tasks/:id", ownTask);

  app.get("/tasks/:id", async (c) => {
    const id = idOf(c);
    const task = await indexed(id);
    if (!task) return c.json({ error: { code: "NOT_FOUND", message: `no task ${id}` } }, 404);
    return c.json(taskView(id, stateOf(task.snapshot), task.snapshot.context, new Date()));
  });

  app.get("/tasks/:id/events", async (c) => {
    const id = idOf(c);
    const events = await deps.store.readStream(taskStreamId(id));
    if (events.length === 0) return c.json({ error: { code: "NOT_FOUND", message: `no task ${id}` } }, 404);
    return c.json({
      stream: taskStreamId(id),
      events: events.map((e) => ({ revision: e.revision, position: e.position.toString(), id: e.id, type: e.type, created_at: e.createdAt.toISOString(), data: e.data, metadata: e.metadata })),
    });
  });

  app.post("/tasks/:id/cancel", async (c) => {
    const id = idOf(c);
    const body = cancelReasonOf(await c.req.text());
    if ("refused" in body) return c.json({ error: { code: "INVALID_MESSAGE", message: `cancel body: ${body.refused}` } }, 400);
    if (deps.cancel) return c.json({ task_id: id, cancel: await deps.cancel(id, body.reason) }, 202);
    const cancelled = await deps.host.cancel(id, body.reason);
    return cancelled ? c.json({ task_id: id, cancelled: true }, 202) : c.json({ error: { code: "NOT_CANCELLABLE", message: `task ${id} is unknown or already settled` } }, 409);
  });

  const deadLetters = deps.deadLetters;
  registerTaskActions(
    app,
    {
      store: deps.store,
      retry: async (id) => (deadLetters ? ((await deadLetters.replay(id)) ? "requested" : false) : (await replayHere(deps.host, id)) ? "replayed" : false),
    },
    idOf,
  );

  app.get("/tasks/:id/progress", async (c) => {
    const id = idOf(c);
    const task = await readTask(deps.store, id);
    if (!task) return c.json({ error: { code: "NOT_FOUND", message: `no task ${id}` } }, 404);
    const channel = task.context.task?.webhook.progress_channel ?? taskProgressChannel(id);
    return streamSSE(c, async (sse) => {
      const queue: ProgressMessage[] = [];
      let wake: (() => void) | null = null;
      const unsubscribe = await deps.bus.subscribe(channel, (m) => {
        queue.push(m);
        wake?.();
      });
      try {
        // Read the stream only once subscribed: a final message published meanwhile is then in one
        // of the two, so the stream below always ends.
        const send = (m: ProgressMessage) => sse.writeSSE({ event: "progress", data: JSON.stringify(m) });
        const current = async () => {
          const fresh = (await readTask(deps.store, id))!;
          return { settled: SETTLED_STATES.includes(fresh.state), message: progressMessageOf(fresh.state, fresh.context, new Date()) };
        };
        let now = await current();
        if (now.message) await send(now.message);
        while (!now.settled && !sse.aborted) {
          if (queue.length === 0) {
            // The ping timer goes with the wait it bounds: one left behind per message would pile up.
            await new Promise<void>((r) => {
              const ping = setTimeout(r, SSE_PING_MS);
              wake = () => {
                clearTimeout(ping);
                r();
              };
            });
            wake = null;
          }
          if (queue.length === 0) {
            // Quiet: ping, and look at the stream itself in case a message was missed.
            await sse.writeSSE({ event: "ping", data: "{}" });
            now = await current();
            if (now.settled && now.message) await send(now.message);
            continue;
          }
          const m = queue.shift()!;
          await send(m);
          if (SETTLED_STATES.includes(m.status)) now = await current();
        }
      } finally {
        await unsubscribe();
      }
    });
  });

  // Stored outputs of a task (its tileset and tiles) and the tileset viewer.
  registerTaskFiles(app, { store: deps.store, storage: deps.host.storage });
  registerViewerPage(app, { store: deps.store });
  registerModelViewerPage(app, { store: deps.store });
  registerViewerModules(app);

  app.get("/health/live", (c) => c.json({ status: "ok" }));
  app.get("/health/ready", async (c) => {
    const checks = await deps.readiness();
    const ok = Object.values(checks).every((v) => v.ok);
    return c.json({ status: ok ? "ready" : "not_ready", checks }, ok ? 200 : 503);
  });
  // The contract of this API, generated from the same zod schemas the handlers use.
  const openapi = openApiDocument(PACKAGE_VERSION);
  app.get("/openapi.json", (c) => c.json(openapi));
  app.get("/docs", (c) => c.html(apiDocsHtml()));
  app.get("/metrics", async (c) => (deps.metrics ? c.text(await deps.metrics(), 200, { "content-type": "text/plain; version=0.0.4" }) : c.text("", 404)));

  return app;
}
