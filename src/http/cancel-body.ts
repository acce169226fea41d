import { z } from "zod";
import { unsafeTextReason } from "../contracts/json-safety.ts";
import { CancelBody } from "./http-schemas.ts";

/** Said when the caller gives no reason (no body, or a body without `reason`). */
export const DEFAULT_CANCEL_REASON = "cancelled via HTTP";

/** The reason of POST /tasks/:id/cancel, or why the body is refused. No body at all is a cancel
 * without a reason; a body that is there must be a CancelRequest, so a client bug (a form post, a
 * number for a reason, a 10 kB reason) is a 400 it can see rather than a cancel with another reason. */
export function cancelReasonOf(raw: string): { reason: string } | { refused: string } {
  if (raw.trim() === "") return { reason: DEFAULT_CANCEL_REASON };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { refused: 'the body is not JSON (send {"reason": "…"} or nothing)' };
  }
  const parsed = CancelBody.safeParse(json);
  if (!parsed.success) return { refused: z.prettifyError(parsed.error) };
  const reason = parsed.data.reason;
  if (reason === undefined) return { reason: DEFAULT_CANCEL_REASON };
  const unsafe = unsafeTextReason(reason);
  return unsafe === null ? { reason } : { refused: `reason ${unsafe}` };
}
