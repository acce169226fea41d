import { z } from "zod";
import { ProgressMessage } from "./progress-message.ts";
import { ResultMessage } from "./result-message.ts";
import { TaskMessage } from "./task-message.ts";

/** The JSON Schemas handed to the Laravel team: the messages, and each task type's params.
 * Task messages are described as Laravel may send them (defaults optional); what the service
 * sends is described as it is sent. */
export function contractSchemas(processors: readonly { taskType: string; params: z.ZodType }[]): Record<string, unknown> {
  const out: Record<string, unknown> = {
    "task-message": z.toJSONSchema(TaskMessage, { io: "input", unrepresentable: "any" }),
    "progress-message": z.toJSONSchema(ProgressMessage, { io: "output" }),
    "result-message": z.toJSONSchema(ResultMessage, { io: "output" }),
  };
  for (const p of [...processors].sort((a, b) => a.taskType.localeCompare(b.taskType))) {
    out[`params.${p.taskType}`] = z.toJSONSchema(p.params, { io: "input", unrepresentable: "any" });
  }
  return out;
}
