export { openKurrentDbEventStore } from "./open-kurrentdb-event-store.ts";
export { createKurrentDbEventStore, KURRENTDB_EVENT_STORE_DEFAULTS, type KurrentDbEventStore, type KurrentDbEventStoreOptions } from "./kurrentdb-event-store.ts";
export { createStreamCheckpointStore, type StreamCheckpointStoreOptions, type StreamOps } from "./stream-checkpoint-store.ts";
export { createStreamLeaseLeadership, STREAM_LEASE_LEADERSHIP_DEFAULTS, type StreamLeaseLeadershipOptions } from "./stream-lease-leadership.ts";
export { isKurrentDbUrl, redactUrl, toConnectionString } from "./kurrentdb-url.ts";
export { INTERNAL_STREAM_PREFIX } from "./kurrentdb-streams.ts";
