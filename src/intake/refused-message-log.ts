import type { Logger } from "../infra/logger.ts";

export interface RefusedMessage {
  task_id?: string | undefined;
  task_type?: string | undefined;
  tenant_id?: string | undefined;
  attempt?: number | undefined;
  code: string;
  reason: string;
  intake: "amqp" | "http";
}

/** The log line of a message refused before it became a task (not JSON, breaks the contract, a
 * task_id already taken): the store never sees it, so the intake that refused it says so — once,
 * at warn (the sender's mistake), with the same fields as the task log's "task rejected". What it
 * could not read is null, not left out, so every rejection line has the same keys. */
export function logRefusedMessage(logger: Logger, m: RefusedMessage): void {
  logger.warn(
    {
      event: "MessageRefused",
      intake: m.intake,
      task_id: m.task_id ?? null,
      task_type: m.task_type ?? null,
      tenant_id: m.tenant_id ?? null,
      attempt: m.attempt ?? null,
      code: m.code,
      reason: m.reason,
    },
    "task rejected",
  );
}
