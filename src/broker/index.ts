export { createResourceBroker, BROKER_MACHINE_VERSION, type ResourceBroker, type ResourceBrokerOptions } from "./resource-broker.ts";
export { createManualClock, systemClock, type BrokerClock, type ManualClock } from "./broker-clock.ts";
export { readNodeCapacity, parseCpuMax, parseMemoryLimit, quotaCores, type CapacityReading } from "./node-capacity.ts";
export { startSystemSampler, sampleSystem, type NodeSnapshot, type SystemSampler } from "./system-sampler.ts";
export { loadWeights, mergeWeights, WeightsOverride } from "./weights-config.ts";
export { DEFAULT_WEIGHTS } from "./default-weights.ts";
export { createIoLimiter, IO_LIMITER_DEFAULTS, type IoLimiter } from "./io-limiter.ts";
export { place, queueOrder, type Placement, type PlacementInput, type WeightsTable } from "../machines/broker-placement.ts";
export { askFor, PLACEMENT_DEFAULTS, type NodeCapacity, type PlacementConfig } from "../machines/broker-ask.ts";
