import { z } from "zod";
import { CancelMessage } from "./control-message.ts";
import { MESSAGE_LIMITS } from "./json-safety.ts";
import { ProgressMessage } from "./progress-message.ts";
import { ResultMessage } from "./result-message.ts";
import { CALLBACK_QUEUE_PATTERN, TaskMessage } from "./task-message.ts";

/** Where the schemas say they live: `$id`s are this base plus the file name in schemas/. */
export const SCHEMA_BASE_URI = "https://schemas.vision-s3d.dev/converter/";

type Json = Record<string, unknown>;
const toSchema = (schema: z.ZodType, io: "input" | "output"): Json => z.toJSONSchema(schema, { io, unrepresentable: "any" });
const named = (file: string, title: string, description: string, schema: Json): Json => ({
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: `${SCHEMA_BASE_URI}${file}.schema.json`,
  title,
  description,
  ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "$schema")),
});

/** Rules the service checks that no JSON Schema can: said in the task schema's description, and
 * test/contracts/schema-agreement.test.ts proves each one is refused by the service. */
export const SERVICE_ONLY_RULES: readonly string[] = [
  "retry.attempt must not exceed retry.max_attempts",
  "no string may hold a lone UTF-16 surrogate (PostgreSQL jsonb refuses it)",
  `no value may nest deeper than ${MESSAGE_LIMITS.maxDepth} levels, and the message must fit in ${MESSAGE_LIMITS.maxBytes} bytes`,
  "webhook.progress_channel, when given, names this task's own id",
  "with TENANT_PREFIX configured, every key starts with that tenant's prefix",
  "webhook.url names no private, loopback or link-local address unless WEBHOOK_ALLOWED_HOSTS or WEBHOOK_ALLOW_PRIVATE allows it, and a webhook secret covers the tenant (else WEBHOOK_REFUSED)",
];

/** No NUL anywhere, in keys or strings, at any depth: jsonb cannot store one. */
const NO_NUL: Json = {
  if: { type: "string" },
  then: { pattern: "^[^\\u0000]*$" },
  else: {
    if: { type: "object" },
    then: { propertyNames: { pattern: "^[^\\u0000]*$" }, additionalProperties: { $ref: "#/$defs/no_nul" } },
    else: { if: { type: "array" }, then: { items: { $ref: "#/$defs/no_nul" } } },
  },
};

/** The task message as Laravel sends it, refusing what the service refuses: the key rules are
 * patterns on the zod schema itself; the rules that live in IncomingTaskMessage's refinements
 * (callback queue namespace, the task's own progress channel) are added here; `params` is tied to
 * `task_type` by each processor's params schema. */
function taskMessageSchema(processors: readonly { taskType: string; params: z.ZodType }[]): Json {
  const base = toSchema(TaskMessage, "input");
  const props = base["properties"] as Record<string, Json>;
  const webhook = props["webhook"]!;
  const webhookProps = webhook["properties"] as Record<string, Json>;
  webhookProps["callback_queue"] = { ...webhookProps["callback_queue"], pattern: CALLBACK_QUEUE_PATTERN.source, description: "A queue in the service's namespace (vision-s3d.…)" };
  webhookProps["progress_channel"] = { ...webhookProps["progress_channel"], pattern: "^task:[0-9a-fA-F-]{36}:progress$", description: "The task's own channel task:<task_id>:progress (or absent)" };
  const byType = [...processors]
    .sort((a, b) => a.taskType.localeCompare(b.taskType))
    .map((p) => ({
      if: { properties: { task_type: { const: p.taskType } }, required: ["task_type"] },
      then: { properties: { params: { $ref: `params.${p.taskType}.schema.json` } } },
    }));
  return named(
    "task-message",
    "Vision S3D Converter task message",
    "Published by the platform to exchange vision.s3d.tasks with the task type as routing key (DESIGN.md §2). " + `The service also refuses, beyond this schema: ${SERVICE_ONLY_RULES.join("; ")}.`,
    { ...base, allOf: [{ $ref: "#/$defs/no_nul" }, ...byType], $defs: { ...(base["$defs"] ?? {}), no_nul: NO_NUL } },
  );
}

/** The JSON Schemas handed to the Laravel team: the messages, and each task type's params.
 * Task messages are described as Laravel may send them (defaults optional); what the service
 * sends is described as it is sent. Draft 2020-12 (PHP: opis/json-schema 2.x reads it). */
export function contractSchemas(processors: readonly { taskType: string; params: z.ZodType }[]): Record<string, unknown> {
  const out: Record<string, unknown> = {
    "task-message": taskMessageSchema(processors),
    "cancel-message": named(
      "cancel-message",
      "Vision S3D Converter cancel message",
      "Published to exchange vision.s3d.control (fanout): stops the task wherever it runs.",
      toSchema(CancelMessage, "input"),
    ),
    "progress-message": named(
      "progress-message",
      "Vision S3D Converter progress message",
      "Redis channel task:<task_id>:progress and key task:<task_id>:last_progress (1 h TTL).",
      toSchema(ProgressMessage, "output"),
    ),
    "result-message": named(
      "result-message",
      "Vision S3D Converter result message",
      "To exchange vision.s3d.results, routed to the task's callback queue; message_id = the id of the event it projects.",
      toSchema(ResultMessage, "output"),
    ),
  };
  for (const p of [...processors].sort((a, b) => a.taskType.localeCompare(b.taskType))) {
    out[`params.${p.taskType}`] = named(`params.${p.taskType}`, `params of ${p.taskType}`, `The params object of a ${p.taskType} task.`, toSchema(p.params, "input"));
  }
  return out;
}
