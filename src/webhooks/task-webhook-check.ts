import { webhookSecretFor, type WebhookSettings } from "../config/webhook-settings.ts";
import type { TaskMessage } from "../contracts/task-message.ts";
import { webhookUrlRefusal } from "./webhook-url-policy.ts";

export type TaskWebhookSettings = Pick<WebhookSettings, "defaultSecret" | "tenantSecrets" | "allowedHosts" | "allowPrivate">;

/** Why a new task's webhook cannot be honoured (its task is then refused with WEBHOOK_REFUSED), or
 * null: a URL the policy refuses, or no secret to sign with — an unsigned webhook is never sent. */
export function taskWebhookRefusal(task: Pick<TaskMessage, "tenant_id" | "webhook">, settings: TaskWebhookSettings | undefined): string | null {
  const url = task.webhook.url;
  if (url === undefined) return null;
  const refusal = webhookUrlRefusal(url, settings ?? { allowedHosts: [], allowPrivate: false });
  if (refusal !== null) return `webhook.url ${refusal}`;
  if (settings === undefined || webhookSecretFor(settings, task.tenant_id) === undefined) {
    return `webhook.url is given but no webhook secret covers tenant ${task.tenant_id} (WEBHOOK_SECRET or WEBHOOK_SECRETS)`;
  }
  return null;
}
