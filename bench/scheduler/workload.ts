import type { TaskType } from "../../src/contracts/task-types.ts";
import type { WeightsOverride } from "../../src/broker/weights-config.ts";

const MIB = 1024 ** 2;

/** One kind of task, scaled to a 2-core / 24 GiB node: the DESIGN.md §5 CPU share (percent stays
 * percent, a thumbnail's 3 % raised to the broker's quarter-core floor) and RAM × 24/256. */
export interface TaskKind { type: TaskType; cores: number; wallMs: number; ramBytes: number; light: boolean }

export const KINDS = {
  thumb: { type: "image_thumbnail", cores: 0.25, wallMs: 2000, ramBytes: 48 * MIB, light: true },
  cog: { type: "geotiff_cog", cores: 0.9, wallMs: 8000, ramBytes: 1536 * MIB, light: false },
  mesh: { type: "mesh_3d_convert", cores: 0.6, wallMs: 6000, ramBytes: 768 * MIB, light: false },
  lod: { type: "point_cloud_lod", cores: 1.5, wallMs: 30_000, ramBytes: 3072 * MIB, light: false },
} as const satisfies Record<string, TaskKind>;

export interface Arrival { id: string; atMs: number; kind: TaskKind }

/** Many thumbnails arriving in bursts, one heavy long task, some mid-sized ones. `scale` 2 doubles the
 * arrival span and the heavy task's length. */
export function mixedWorkload(scale: number): Arrival[] {
  const out: Arrival[] = [{ id: "lod-0", atMs: 1000, kind: { ...KINDS.lod, wallMs: KINDS.lod.wallMs * scale } }];
  const span = 40_000 * scale;
  for (let t = 0, i = 0; t < span; t += 2000) for (let k = 0; k < 3; k++) out.push({ id: `thumb-${i++}`, atMs: t, kind: KINDS.thumb });
  for (let t = 3000, i = 0; t < span; t += 6000, i++) out.push({ id: `mid-${i}`, atMs: t, kind: i % 2 ? KINDS.mesh : KINDS.cog });
  return out.sort((a, b) => a.atMs - b.atMs);
}

/** The broker's weights for this workload: the same numbers the children burn. */
export function benchWeights(cores: number): WeightsOverride {
  const table: WeightsOverride = {};
  for (const k of Object.values(KINDS)) {
    table[k.type] = { cpu_percent: Math.min(100, (k.cores / cores) * 100), ram_gb: k.ramBytes / 1024 ** 3 };
  }
  return table;
}
