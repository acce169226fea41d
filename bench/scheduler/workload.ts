import type { TaskType } from "../../src/contracts/task-types.ts";
import type { WeightsOverride } from "../../src/broker/weights-config.ts";

const MIB = 1024 ** 2;

/** One kind of task, scaled to a 2-core / 24 GiB node: the DESIGN.md §5 CPU share (percent stays
 * percent) and RAM × 24/256. A thumbnail's 3 % would be 0.06 cores; it burns 0.1 cores for 2 s, i.e.
 * 0.2 CPU-s plus its own process start — about twice what a real thumbnail child costs (0.11 CPU-s in
 * all, bench/scheduler/thumbnail-cost.ts) and equal to the broker's minimum ask. */
export interface TaskKind {
  type: TaskType;
  cores: number;
  wallMs: number;
  ramBytes: number;
  light: boolean;
}

export const KINDS = {
  thumb: { type: "image_thumbnail", cores: 0.1, wallMs: 2000, ramBytes: 48 * MIB, light: true },
  cog: { type: "geotiff_cog", cores: 0.9, wallMs: 8000, ramBytes: 1536 * MIB, light: false },
  mesh: { type: "mesh_3d_convert", cores: 0.6, wallMs: 6000, ramBytes: 768 * MIB, light: false },
  lod: { type: "point_cloud_lod", cores: 1.5, wallMs: 30_000, ramBytes: 3072 * MIB, light: false },
} as const satisfies Record<string, TaskKind>;

export type Kinds = Record<keyof typeof KINDS, TaskKind>;

/** The thumbnail as the bench had it before the floor was measured: a quarter core (0.5 CPU-s a task,
 * 4.5× a real thumbnail), for `--quarter-core-thumbs`, which shows what the broker's other rules do alone. */
export const QUARTER_CORE_KINDS: Kinds = { ...KINDS, thumb: { ...KINDS.thumb, cores: 0.25 } };

export interface Arrival {
  id: string;
  atMs: number;
  kind: TaskKind;
}

/** Many thumbnails arriving in bursts, one heavy long task, some mid-sized ones. `scale` 2 doubles the
 * arrival span and the heavy task's length. */
export function mixedWorkload(scale: number, kinds: Kinds = KINDS): Arrival[] {
  const out: Arrival[] = [{ id: "lod-0", atMs: 1000, kind: { ...kinds.lod, wallMs: kinds.lod.wallMs * scale } }];
  const span = 40_000 * scale;
  for (let t = 0, i = 0; t < span; t += 2000) for (let k = 0; k < 3; k++) out.push({ id: `thumb-${i++}`, atMs: t, kind: kinds.thumb });
  for (let t = 3000, i = 0; t < span; t += 6000, i++) out.push({ id: `mid-${i}`, atMs: t, kind: i % 2 ? kinds.mesh : kinds.cog });
  return out.sort((a, b) => a.atMs - b.atMs);
}

/** The broker's weights for this workload: the same numbers the children burn. */
export function benchWeights(cores: number, kinds: Kinds = KINDS): WeightsOverride {
  const table: WeightsOverride = {};
  for (const k of Object.values(kinds)) {
    table[k.type] = { cpu_percent: Math.min(100, (k.cores / cores) * 100), ram_gb: k.ramBytes / 1024 ** 3 };
  }
  return table;
}
