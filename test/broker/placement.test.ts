import { test } from "node:test";
import assert from "node:assert/strict";
import type { TaskType } from "../../src/contracts/task-types.ts";
import { askFor, GIB, PLACEMENT_DEFAULTS, type PlacementConfig } from "../../src/machines/broker-ask.ts";
import { place, type AccountedSnapshot, type PlacementInput, type RunningSlot, type WaitingSlot } from "../../src/machines/broker-placement.ts";
import { mergeWeights } from "../../src/broker/weights-config.ts";

const NODE = { cores: 2, ramBytes: 24 * GIB };
const weights = mergeWeights([]);
const T0 = 1_000_000;

let seq = 0;
function w(taskId: string, taskType: TaskType, extra: Partial<WaitingSlot> = {}): WaitingSlot {
  seq++;
  return { taskId, taskType, priority: 5, submittedAt: T0 + seq, requestedAt: T0, ...extra };
}
function r(taskId: string, taskType: TaskType, cpuPercent: number, ramBytes = GIB, exclusive = false): RunningSlot {
  return { taskId, taskType, cpuPercent, ramBytes, exclusive, grantedAt: T0 };
}
/** `cases` count in 12.5 % thumbnails, the quarter-core floor they were written with; their rules do
 * not depend on it. `defaultFloorCases` run with PLACEMENT_DEFAULTS as they are. */
const QUARTER_CORE_FLOOR: Partial<PlacementConfig> = { minCpuCores: 0.25 };
const external = (cpuPercent: number, ramUsedBytes = 0): AccountedSnapshot => ({ cpuPercent, ramUsedBytes, grantedCpuPercent: 0, grantedRamBytes: 0 });

interface Case {
  name: string;
  waiting: WaitingSlot[];
  running?: RunningSlot[];
  snapshot?: AccountedSnapshot;
  config?: Partial<PlacementConfig>;
  overrides?: Parameters<typeof mergeWeights>[0];
  now?: number;
  granted: string[];
  reservedFor?: string;
}

const thumbs = (n: number, extra: Partial<WaitingSlot> = {}): WaitingSlot[] => Array.from({ length: n }, (_, i) => w(`t${i}`, "image_thumbnail", extra));

/** Three light tasks, 60 % in all: a 45 % task has to wait for them. */
const archives = [r("a1", "archive_compress", 20), r("a2", "archive_compress", 20), r("a3", "archive_compress", 20)];

const defaultFloorCases: Case[] = [
  {
    name: "beside a 75 % task, thumbnails backfill the 10 % that a 45 % task at the head cannot use until it ends",
    overrides: [{ geotiff_cog: { ram_gb: 1.5 } }],
    running: [r("lod", "point_cloud_lod", 75)],
    waiting: [w("cog", "geotiff_cog"), ...thumbs(3)],
    granted: ["t0", "t1"],
    reservedFor: "cog",
  },
  {
    name: "light tasks backfill only what the reserved task will not need once the heavy ones end (35 % free, 25 % spare)",
    overrides: [{ mesh_3d_lod: { ram_gb: 1 } }],
    running: [r("v1", "video_transcode", 50)],
    waiting: [w("mlod", "mesh_3d_lod", { priority: 9 }), ...thumbs(8)],
    granted: ["t0", "t1", "t2", "t3", "t4"],
    reservedFor: "mlod",
  },
  {
    name: "heavy tasks never backfill: nothing but the reserved one starts beside a heavy task it waits for",
    overrides: [{ geotiff_cog: { ram_gb: 1.5 }, mesh_3d_convert: { ram_gb: 1 } }],
    running: [r("v1", "video_transcode", 50)],
    waiting: [w("cog", "geotiff_cog", { priority: 9 }), w("mesh", "mesh_3d_convert")],
    granted: [],
    reservedFor: "cog",
  },
  { name: "thumbnails ask a tenth of a core: 17 × 5 % fill the 85 % target", waiting: thumbs(20), granted: Array.from({ length: 17 }, (_, i) => `t${i}`) },
  { name: "two thumbnails fit beside a 75 % task in the 10 % left (exactly 85 %)", running: [r("lod", "point_cloud_lod", 75)], waiting: thumbs(3), granted: ["t0", "t1"] },
  {
    name: "a heavy task and thumbnails share the node: 45 % + 30 % + 2 × 5 %",
    overrides: [{ geotiff_cog: { ram_gb: 1.5 }, mesh_3d_convert: { ram_gb: 0.75 } }],
    waiting: [...thumbs(4), w("cog", "geotiff_cog"), w("mesh", "mesh_3d_convert")],
    granted: ["cog", "mesh", "t0", "t1"],
  },
];

const cases: Case[] = [
  {
    name: "higher priority wins a contested type slot",
    overrides: [{ video_transcode: { max_concurrent: 1 } }],
    waiting: [w("old-low", "video_transcode", { priority: 2 }), w("new-high", "video_transcode", { priority: 9 })],
    granted: ["new-high"],
  },
  {
    name: "same priority: the oldest submitted_at wins",
    overrides: [{ video_transcode: { max_concurrent: 1 } }],
    waiting: [w("young", "video_transcode", { submittedAt: T0 + 50 }), w("old", "video_transcode", { submittedAt: T0 - 50 })],
    granted: ["old"],
  },
  { name: "light tasks fill up to the 85 % CPU target (3 % raised to a quarter core = 12.5 %)", waiting: thumbs(10), granted: ["t0", "t1", "t2", "t3", "t4", "t5"] },
  { name: "per-type max_concurrent holds even with room left", overrides: [{ image_thumbnail: { max_concurrent: 3 } }], waiting: thumbs(5), granted: ["t0", "t1", "t2"] },
  {
    name: "running tasks of a type count toward its limit",
    overrides: [{ image_thumbnail: { max_concurrent: 3 } }],
    running: [r("x", "image_thumbnail", 12.5), r("y", "image_thumbnail", 12.5)],
    waiting: thumbs(5),
    granted: ["t0"],
  },
  { name: "heavy first, then light ones fill the rest", waiting: [...thumbs(4), w("video", "video_transcode")], granted: ["video", "t0", "t1"] },
  {
    name: "heavy pass is first-fit-decreasing: the bigger heavy task takes the room",
    snapshot: external(35),
    waiting: [w("thumb", "image_thumbnail", { priority: 9 }), w("resize", "geotiff_resize"), w("cog", "geotiff_cog")],
    granted: ["cog"],
  },
  { name: "…but a heavy task at the head of the queue goes first", snapshot: external(35), waiting: [w("resize", "geotiff_resize"), w("cog", "geotiff_cog")], granted: ["resize"] },
  { name: "load outside the broker counts: 60 % busy leaves room for two thumbnails", snapshot: external(60), waiting: thumbs(5), granted: ["t0", "t1"] },
  {
    name: "our own grants are not counted twice when the snapshot already shows them",
    running: [r("v", "video_transcode", 50)],
    snapshot: { cpuPercent: 55, ramUsedBytes: 0, grantedCpuPercent: 50, grantedRamBytes: 0 },
    waiting: thumbs(5),
    granted: ["t0", "t1"],
  },
  { name: "RAM target binds: 12 GiB asks fit once in 20.4 GiB", overrides: [{ archive_extract: { ram_gb: 12 } }], waiting: [w("a", "archive_extract"), w("b", "archive_extract")], granted: ["a"] },
  { name: "a task bigger than the node waits while others run", running: [r("x", "image_thumbnail", 12.5)], waiting: [w("big", "point_cloud_lod")], granted: [], reservedFor: "big" },
  { name: "a task bigger than the node runs alone once the node is idle", waiting: [w("big", "point_cloud_lod"), ...thumbs(3)], granted: ["big"] },
  { name: "nothing starts beside an exclusive task", running: [r("big", "point_cloud_lod", 75, 24 * GIB, true)], waiting: thumbs(3), granted: [] },
  {
    name: "a heavy task at the head holds its capacity back from light ones when light work is what stands in its way",
    running: archives,
    waiting: [w("cog", "geotiff_cog", { priority: 9 }), ...thumbs(3)],
    granted: [],
    reservedFor: "cog",
  },
  {
    name: "a young heavy task behind light ones does not block them",
    running: [r("v1", "video_transcode", 50)],
    waiting: [...thumbs(3, { priority: 9 }), w("cog", "geotiff_cog")],
    granted: ["t0", "t1"],
  },
  {
    name: "once it has waited reserveAfterMs, it holds its capacity back",
    now: T0 + 30_000,
    running: archives,
    waiting: [...thumbs(3, { priority: 9, requestedAt: T0 + 29_000 }), w("cog", "geotiff_cog")],
    granted: [],
    reservedFor: "cog",
  },
  { name: "idle node under someone else's load still runs the head task", snapshot: external(97), waiting: thumbs(3), granted: ["t0"] },
  { name: "…unless progressWhenIdle is off", snapshot: external(97), config: { progressWhenIdle: false }, waiting: thumbs(3), granted: [] },
];

for (const [c, floor] of [...defaultFloorCases.map((c) => [c, {}] as const), ...cases.map((c) => [c, QUARTER_CORE_FLOOR] as const)]) {
  void test(`placement: ${c.name}`, () => {
    const input: PlacementInput = {
      capacity: NODE,
      snapshot: c.snapshot,
      running: c.running ?? [],
      waiting: c.waiting,
      weights: c.overrides ? mergeWeights(c.overrides) : weights,
      config: { ...PLACEMENT_DEFAULTS, ...floor, ...c.config },
      now: c.now ?? T0,
    };
    const result = place(input);
    assert.deepEqual(
      result.grants.map((g) => g.taskId),
      c.granted,
    );
    assert.equal(result.reservedFor, c.reservedFor);
  });
}

const askCases: Array<{
  name: string;
  type: TaskType;
  cores: number;
  ramGiB: number;
  inputBytes?: number;
  overrides?: Parameters<typeof mergeWeights>[0];
  cpu: number;
  ramBytes: number;
  heavy: boolean;
  exclusive: boolean;
}> = [
  { name: "percent stays percent for a heavy task on 2 cores", type: "video_transcode", cores: 2, ramGiB: 24, cpu: 50, ramBytes: 4 * GIB, heavy: true, exclusive: false },
  { name: "small asks rise to a tenth of a core on 2 cores", type: "image_thumbnail", cores: 2, ramGiB: 24, cpu: 5, ramBytes: 0.5 * GIB, heavy: false, exclusive: false },
  { name: "…and to a whole node's share on a node smaller than the floor", type: "image_thumbnail", cores: 0.05, ramGiB: 24, cpu: 100, ramBytes: 0.5 * GIB, heavy: true, exclusive: true },
  { name: "small asks stay as they are on the 128-core reference", type: "image_thumbnail", cores: 128, ramGiB: 256, cpu: 3, ramBytes: 0.5 * GIB, heavy: false, exclusive: false },
  {
    name: "RAM scales with the input size",
    type: "image_convert",
    cores: 2,
    ramGiB: 24,
    inputBytes: 2 * GIB,
    overrides: [{ image_convert: { ram_bytes_per_input_byte: 4 } }],
    cpu: 5,
    ramBytes: 9 * GIB,
    heavy: false,
    exclusive: false,
  },
  { name: "RAM is clamped to the node and the task becomes exclusive", type: "point_cloud_lod", cores: 2, ramGiB: 24, cpu: 75, ramBytes: 24 * GIB, heavy: true, exclusive: true },
  { name: "the same task fits the reference server", type: "point_cloud_lod", cores: 128, ramGiB: 256, cpu: 75, ramBytes: 32 * GIB, heavy: true, exclusive: false },
  {
    name: "a CPU ask over the target is exclusive",
    type: "mesh_3d_lod",
    cores: 2,
    ramGiB: 256,
    overrides: [{ mesh_3d_lod: { cpu_percent: 95 } }],
    cpu: 95,
    ramBytes: 24 * GIB,
    heavy: true,
    exclusive: true,
  },
];

for (const c of askCases) {
  void test(`ask: ${c.name}`, () => {
    const table = c.overrides ? mergeWeights(c.overrides) : weights;
    const a = askFor(table[c.type], c.inputBytes, { cores: c.cores, ramBytes: c.ramGiB * GIB }, PLACEMENT_DEFAULTS);
    assert.deepEqual(a, { cpuPercent: c.cpu, ramBytes: c.ramBytes, heavy: c.heavy, exclusive: c.exclusive });
  });
}
