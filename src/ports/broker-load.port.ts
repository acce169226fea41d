import type { NodeCapacity, PlacementConfig } from "../machines/broker-ask.ts";
import type { AccountedSnapshot, RunningSlot, WaitingSlot } from "../machines/broker-placement.ts";

/** What a node's resource broker shows an observer (/metrics, the node panel): what the node has,
 * what the broker fills it up to, its last measurement, and its slots. */
export interface BrokerLoad {
  capacity: NodeCapacity;
  config: PlacementConfig;
  snapshot: AccountedSnapshot | undefined;
  waiting: readonly WaitingSlot[];
  running: readonly RunningSlot[];
  /** RAM idle warm workers hold in the broker's account (bytes), counted as used. */
  heldRamBytes: number;
}
