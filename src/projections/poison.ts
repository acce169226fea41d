import { ZodError } from "zod";
import type { StoredEvent } from "../ports/event-store.port.ts";

/** A poison event: one whose effect can never succeed (a result to a queue the broker refuses, a
 * message that breaks its contract). Adapters mark such errors with `poison: true`; a ZodError is
 * one by nature. Anything else — a dependency that is away — is worth a restart from the checkpoint. */
export function isPoisonError(error: unknown): boolean {
  if (error instanceof ZodError) return true;
  return typeof error === "object" && error !== null && (error as { poison?: unknown }).poison === true;
}

/** What a projection records when it parks a poison event: logged as `ProjectionParked`, counted in
 * its stats, and handed to the projection's sink (the results projection: tasks.dlq). */
export interface ParkedEvent {
  projection: string;
  event: Pick<StoredEvent, "id" | "streamId" | "position" | "type">;
  reason: string;
}

export const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error));
