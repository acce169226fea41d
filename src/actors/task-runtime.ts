import type { InspectionEvent } from "xstate";
import type { Logger } from "../infra/logger.ts";
import type { EventStore } from "../ports/event-store.port.ts";
import type { SlotBroker } from "../ports/slot-broker.port.ts";
import type { ObjectStorage } from "../ports/storage.port.ts";
import type { RetryScheduler } from "../ports/retry-scheduler.port.ts";
import type { TaskMessage } from "../contracts/task-message.ts";
import type { ResourceProfileInput } from "../contracts/resource-profile.ts";
import type { ProcessorRegistry } from "../processors/registry.ts";
import type { TaskWebhookSettings } from "../webhooks/task-webhook-check.ts";

/** Everything the task runner needs, injected: ports, not drivers. */
export interface TaskRuntime {
  store: EventStore;
  storage: ObjectStorage;
  broker: SlotBroker;
  registry: ProcessorRegistry;
  retry: RetryScheduler;
  logger: Logger;
  workRoot: string;
  /** "child" (default): each task in its own process. "inline": in this process (Deno, debugging). */
  workerMode: "child" | "inline";
  extraProcessorModules: readonly string[];
  /** Delay before attempt n+1, by n (1-based). Default: [30, 60]. */
  retryDelaysSeconds: readonly number[];
  /** `tenants/{tenant_id}/`: when set, every source and destination key must start with it. */
  tenantPrefix?: string | undefined;
  /** Which webhook URLs a new task may name, and the secrets that sign them. Absent: none. */
  webhooks?: TaskWebhookSettings | undefined;
  /** The configured resource profile of a task type (timeouts included). Default: the processor's. */
  profileOf?: (taskType: TaskMessage["task_type"]) => ResourceProfileInput | undefined;
  /** Minimum time between two ProgressReported events of one task. Default: 2100. */
  progressIntervalMs?: number;
  /** Kill a worker whose RSS exceeds its RAM grant by this factor. Default: 1.5. */
  ramGuardFactor?: number;
  clock?: () => Date;
  /** Receives every task actor's inspection events (the Stately inspector, STATELY_INSPECT). */
  inspect?: ((event: InspectionEvent) => void) | undefined;
}
