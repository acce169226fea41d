import { createHmac } from "node:crypto";

/** The headers of a webhook POST. Receivers verify `sha256=HMAC-SHA256(secret, "<timestamp>.<raw
 * body>")` in constant time and refuse a timestamp far from their clock (a replayed request). */
export const WEBHOOK_HEADERS = {
  signature: "X-VS3D-Signature",
  /** Unix seconds when this POST was signed (each retry is signed anew). */
  timestamp: "X-VS3D-Timestamp",
  /** The result's message_id: the same on every retry of one result, so receivers drop repeats. */
  idempotency: "Idempotency-Key",
  /** completed, failed or cancelled. */
  event: "X-VS3D-Event",
} as const;

export function webhookSignature(secret: string, timestampSeconds: number, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestampSeconds}.${body}`).digest("hex")}`;
}

/** Everything a POST carries besides the body, signed for `now`. */
export function signedWebhookHeaders(o: { secret: string; body: string; messageId: string; event: string; now: Date }): Record<string, string> {
  const timestamp = Math.floor(o.now.getTime() / 1000);
  return {
    "content-type": "application/json",
    [WEBHOOK_HEADERS.signature]: webhookSignature(o.secret, timestamp, o.body),
    [WEBHOOK_HEADERS.timestamp]: String(timestamp),
    [WEBHOOK_HEADERS.idempotency]: o.messageId,
    [WEBHOOK_HEADERS.event]: o.event,
  };
}
