import { z } from "zod";
import { TaskMessage } from "../contracts/task-message.ts";
import { ProgressMessage } from "../contracts/progress-message.ts";
import { ResultMessage } from "../contracts/result-message.ts";
import { WEBHOOK_HEADERS } from "../webhooks/webhook-signature.ts";
import {
  CancelAccepted,
  CancelBody,
  DeadLetterList,
  ErrorBody,
  Health,
  NodeView,
  Readiness,
  RetryAccepted,
  StreamEvents,
  SubmitAccepted,
  SubmitRejected,
  TaskList,
  TaskListQuery,
  TaskTimeline,
  TaskView,
} from "./http-schemas.ts";

/** Components of the document, each generated from the zod schema the code uses. */
const COMPONENTS: Record<string, { schema: z.ZodType; io: "input" | "output" }> = {
  TaskMessage: { schema: TaskMessage, io: "input" },
  ProgressMessage: { schema: ProgressMessage, io: "output" },
  ResultMessage: { schema: ResultMessage, io: "output" },
  SubmitAccepted: { schema: SubmitAccepted, io: "output" },
  SubmitRejected: { schema: SubmitRejected, io: "output" },
  TaskView: { schema: TaskView, io: "output" },
  TaskList: { schema: TaskList, io: "output" },
  TaskTimeline: { schema: TaskTimeline, io: "output" },
  RetryAccepted: { schema: RetryAccepted, io: "output" },
  NodeView: { schema: NodeView, io: "output" },
  DeadLetterList: { schema: DeadLetterList, io: "output" },
  StreamEvents: { schema: StreamEvents, io: "output" },
  CancelRequest: { schema: CancelBody, io: "input" },
  CancelAccepted: { schema: CancelAccepted, io: "output" },
  Health: { schema: Health, io: "output" },
  Readiness: { schema: Readiness, io: "output" },
  ErrorBody: { schema: ErrorBody, io: "output" },
};

// `x-event-data`: OpenAPI 3.1 has no word for one SSE event's payload (3.2's itemSchema).
const ref = (name: keyof typeof COMPONENTS) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: keyof typeof COMPONENTS, description: string) => ({ description, content: { "application/json": { schema: ref(name) } } });
const error = (description: string) => json("ErrorBody", description);
const taskId = { name: "id", in: "path", required: true, description: "The task's UUID (case does not matter; streams use the lowercase form)", schema: { type: "string", format: "uuid" } };

/** Query parameters from a zod object schema: the handler parses the query with the same one. */
function queryParameters(schema: z.ZodObject): Record<string, unknown>[] {
  const json = z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "any" }) as { properties: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(json.properties).map(([name, { description, ...rest }]) => ({
    name,
    in: "query",
    required: json.required?.includes(name) ?? false,
    ...(description === undefined ? {} : { description }),
    schema: rest,
  }));
}

function component(name: string): Record<string, unknown> {
  const { schema, io } = COMPONENTS[name]!;
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}

/** The POST a task's webhook.url receives once the task settles (src/webhooks). */
function taskResultWebhook(): Record<string, unknown> {
  const header = (name: string, description: string) => ({ name, in: "header", required: true, description, schema: { type: "string" } });
  return {
    post: {
      operationId: "taskResultWebhook",
      summary: "A settled task's result (completed, failed for good, cancelled), signed",
      description:
        "The same JSON as the AMQP result message. Verify X-VS3D-Signature over the raw body before parsing it (docs/laravel/src/WebhookSignature.php). " +
        "Any 2xx ends the delivery; anything else (a redirect included: redirects are not followed), a timeout or a connection error is retried with exponential backoff and jitter, a bounded number of times (WEBHOOK_MAX_ATTEMPTS). " +
        "Each attempt is recorded as a WebhookDeliveryAttempted event in the task's stream (GET /tasks/{id}/events).",
      parameters: [
        header(WEBHOOK_HEADERS.signature, `sha256=<hex HMAC-SHA256 of "<${WEBHOOK_HEADERS.timestamp}>.<raw body>"> with the tenant's webhook secret`),
        header(WEBHOOK_HEADERS.timestamp, "Unix seconds when this attempt was signed; refuse one far from your clock (replay protection)"),
        header(WEBHOOK_HEADERS.idempotency, "The result's message_id, the same on every retry: drop a repeat"),
        header(WEBHOOK_HEADERS.event, "completed, failed or cancelled"),
      ],
      requestBody: { required: true, content: { "application/json": { schema: ref("ResultMessage") } } },
      responses: { "2XX": { description: "Received; no further attempt" }, default: { description: "Not received: retried with backoff" } },
    },
  };
}

/** OpenAPI 3.1 for the HTTP API (DESIGN.md §8), served at /openapi.json. `version`: the package's. */
export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "Vision S3D Converter HTTP API",
      version,
      description:
        "The HTTP intake (the same task JSON as the AMQP message, DESIGN.md §2) and the operator's window. " +
        "Results and progress of AMQP-submitted tasks go to RabbitMQ and Redis; see docs/laravel.",
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    paths: {
      "/tasks": {
        post: {
          operationId: "submitTask",
          summary: "Submit a task",
          requestBody: { required: true, content: { "application/json": { schema: ref("TaskMessage") } } },
          responses: {
            "202": json("SubmitAccepted", "Accepted: the task is queued"),
            "200": json("SubmitAccepted", "Already submitted with the same body: nothing new happens"),
            "400": error("Not JSON, or the message breaks the contract (INVALID_MESSAGE)"),
            "401": error("No or unknown API key (UNAUTHORIZED), when API_KEYS are configured"),
            "403": error("The key's tenant is not the task's (FORBIDDEN_TENANT), or HTTP_INTAKE=false (HTTP_INTAKE_DISABLED)"),
            "409": error("The same task_id was submitted with a different body (TASK_ID_CONFLICT)"),
            "422": json(
              "SubmitRejected",
              "A valid message the service will not run (bad params, a type it cannot do, a webhook.url it may not call: WEBHOOK_REFUSED): recorded as failed, and its failed result sent",
            ),
            "429": error("Over the key's rate limit (RATE_LIMITED); see Retry-After"),
            "413": error("The body is over the message size limit"),
          },
        },
        get: {
          operationId: "listTasks",
          summary: "Tasks, newest first: filtered by state, type, tenant and id, paged by cursor",
          description: "A key sees its own tenant's tasks only. Tasks refused at acceptance are hidden unless `rejected` asks for them.",
          parameters: queryParameters(TaskListQuery),
          responses: { "200": json("TaskList", "One page of tasks with their folded state"), "400": error("A query parameter is invalid or unknown (INVALID_QUERY)") },
        },
      },
      "/tasks/{id}": {
        get: {
          operationId: "getTask",
          summary: "A task's state, folded from its stream",
          parameters: [taskId],
          responses: { "200": json("TaskView", "The task"), "400": error("Not a UUID"), "404": error("No such task (NOT_FOUND)") },
        },
      },
      "/tasks/{id}/events": {
        get: {
          operationId: "getTaskEvents",
          summary: "The raw stream task-<id>: every fact, in order",
          parameters: [taskId],
          responses: { "200": json("StreamEvents", "The stream"), "400": error("Not a UUID"), "404": error("No such task (NOT_FOUND)") },
        },
      },
      "/tasks/{id}/progress": {
        get: {
          operationId: "streamTaskProgress",
          summary: "Progress as Server-Sent Events until the task settles",
          description: "Events `progress` (data: a ProgressMessage) and `ping` (every 15 s while quiet). The stream ends once the task has settled.",
          parameters: [taskId],
          responses: {
            "200": { description: "An SSE stream", content: { "text/event-stream": { schema: { type: "string" }, "x-event-data": ref("ProgressMessage") } } },
            "400": error("Not a UUID"),
            "404": error("No such task (NOT_FOUND)"),
          },
        },
      },
      "/tasks/{id}/timeline": {
        get: {
          operationId: "getTaskTimeline",
          summary: "The task's stream as a timeline: spans with durations (download, slot wait, stages), failures, retries with the next attempt's time, cancel and dead-letter reasons",
          parameters: [taskId],
          responses: { "200": json("TaskTimeline", "The timeline, oldest first"), "400": error("Not a UUID"), "404": error("No such task (NOT_FOUND)") },
        },
      },
      "/tasks/{id}/retry": {
        post: {
          operationId: "retryTask",
          summary: "Start the next attempt of a task that ran out of attempts",
          description:
            "Embedded mode: the task's message at its next attempt is submitted here (AttemptStarted, reason replay) and it resumes after its last completed stage. AMQP mode: its dead letter in tasks.dlq is republished, as `vs3d dlq replay --task-id` does.",
          parameters: [taskId],
          responses: {
            "202": json("RetryAccepted", "The next attempt was started or republished"),
            "400": error("Not a UUID"),
            "404": error("No such task (NOT_FOUND)"),
            "409": error("Not failed or dead-lettered, refused at acceptance, or not in the DLQ (NOT_RETRYABLE)"),
          },
        },
      },
      "/events/tasks": {
        get: {
          operationId: "streamTaskChanges",
          summary: "Changes of every task the caller may see, as Server-Sent Events (the dashboard's live feed)",
          description:
            "Events `hello` once, `task` (data: a TaskView) each time a task's stream grows, `node` (data: a NodeView) every 2 s when the node runs a resource broker, `ping` while quiet. Read it with fetch to send X-API-Key.",
          responses: { "200": { description: "An SSE stream that stays open", content: { "text/event-stream": { schema: { type: "string" }, "x-event-data": ref("TaskView") } } } },
        },
      },
      "/node": {
        get: {
          operationId: "getNode",
          summary: "This node as its resource broker sees it: capacity, target, CPU/RAM in use, slots by task type",
          responses: { "200": json("NodeView", "The node"), "404": error("The node runs no resource broker (NOT_FOUND)") },
        },
      },
      "/dlq": {
        get: {
          operationId: "listDeadLetters",
          summary: "What waits for a replay: tasks.dlq (AMQP mode) or the tasks out of attempts (embedded mode)",
          description: "Replay one with POST /tasks/{id}/retry.",
          responses: { "200": json("DeadLetterList", "Up to 500 entries") },
        },
      },
      "/tasks/{id}/cancel": {
        post: {
          operationId: "cancelTask",
          summary: "Cancel a task: the stream ends in TaskCancelled, the result is failed/CANCELLED",
          parameters: [taskId],
          requestBody: { required: false, content: { "application/json": { schema: ref("CancelRequest") } } },
          responses: {
            "202": json("CancelAccepted", "The cancel was recorded or sent to the owning node"),
            "400": error("Not a UUID, or a body that is not a CancelRequest (INVALID_MESSAGE)"),
            "409": error("Unknown or already settled (NOT_CANCELLABLE)"),
          },
        },
      },
      "/tasks/{id}/files/{path}": {
        get: {
          operationId: "getTaskFile",
          summary: "One output file the task's stream recorded (e.g. tiles/tileset.json and its tiles), streamed from storage",
          parameters: [taskId, { name: "path", in: "path", required: true, description: "The output's path below the task's destination (may contain '/')", schema: { type: "string" } }],
          responses: {
            "200": { description: "The file, with its recorded content type", content: { "application/octet-stream": { schema: { type: "string", contentMediaType: "application/octet-stream" } } } },
            "404": error("No such task, or not an output of it (NOT_FOUND)"),
          },
        },
      },
      "/tasks/{id}/view": {
        get: {
          operationId: "viewTaskTileset",
          summary: "A page showing the task's 3D Tiles tileset in the browser",
          parameters: [taskId],
          responses: { "200": { description: "HTML", content: { "text/html": { schema: { type: "string" } } } }, "404": error("The task has no tileset output (NOT_FOUND)") },
        },
      },
      "/tasks/{id}/model/{path}": {
        get: {
          operationId: "viewTaskModel",
          summary: "A page showing one GLB output of the task in the browser (three.js served by the service)",
          parameters: [taskId, { name: "path", in: "path", required: true, description: "The GLB output's path below the task's destination (may contain '/')", schema: { type: "string" } }],
          responses: { "200": { description: "HTML", content: { "text/html": { schema: { type: "string" } } } }, "404": error("Not a GLB output of the task (NOT_FOUND)") },
        },
      },
      "/health/live": { get: { operationId: "live", summary: "Liveness", responses: { "200": json("Health", "The process answers") } } },
      "/health/ready": {
        get: {
          operationId: "ready",
          summary: "Readiness per dependency",
          responses: { "200": json("Readiness", "Every dependency answers and the intake consumes"), "503": json("Readiness", "At least one dependency is down") },
        },
      },
      "/metrics": {
        get: { operationId: "metrics", summary: "Prometheus metrics", responses: { "200": { description: "Prometheus text format", content: { "text/plain": { schema: { type: "string" } } } } } },
      },
      "/openapi.json": {
        get: { operationId: "openapi", summary: "This document", responses: { "200": { description: "OpenAPI 3.1", content: { "application/json": { schema: { type: "object" } } } } } },
      },
    },
    // What the service sends, not serves: OpenAPI 3.1's place for it (the task's webhook.url).
    webhooks: { taskResult: taskResultWebhook() },
    components: { schemas: Object.fromEntries(Object.keys(COMPONENTS).map((name) => [name, component(name)])) },
  };
}
