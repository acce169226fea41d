import type { ResultMessage } from "../contracts/result-message.ts";

/** Sends task results to the platform (DESIGN.md §2). `messageId` is the id of the event the result
 * projects, so consumers can drop duplicates; resolves once the broker has confirmed it. */
export interface ResultPublisher {
  publish(queue: string, message: ResultMessage, messageId: string): Promise<void>;
}
