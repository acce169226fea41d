import { join } from "node:path";
import { createPointCloudSink } from "../point-cloud/point-cloud-sink.ts";
import type { PointCloudSink } from "../point-cloud/point-chunk.ts";
import type { OutputFile, StageContext } from "../processor.ts";
import { writeLevel } from "./levels/write-level.ts";
import { ensureOctree, type LodInput } from "./lod-octree.ts";
import { DEFAULT_LOD_LEVELS, LEVEL_FORMATS, type LevelFormat, type PointCloudLodParams } from "./point-cloud-lod.params.ts";

/** A level as the stages see it: its count is either given or a share of the input's. */
export interface LevelSpec {
  label: string;
  level: number;
  count: (inputPoints: number) => number;
}

export function levelSpecs(params: PointCloudLodParams): LevelSpec[] {
  if (params.lod_levels) return params.lod_levels.map((l) => ({ label: l.label, level: l.level, count: (n) => Math.min(n, l.max_points) }));
  // At least one point per level, so a tiny cloud still gets three (small) levels.
  return DEFAULT_LOD_LEVELS.map((l) => ({ label: l.label, level: l.level, count: (n) => Math.min(n, Math.max(1, Math.round(n * l.share))) }));
}

export const levelFormats = (params: PointCloudLodParams): LevelFormat[] => LEVEL_FORMATS.filter((f) => params.output_formats.includes(f));

const millions = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : String(n));

/** One level: exactly its count of points, every attribute, in each requested level format. */
export async function runLevelStage(spec: LevelSpec, input: LodInput, ctx: StageContext): Promise<{ outputs: OutputFile[] }> {
  const octree = await ensureOctree(input, ctx);
  const target = spec.count(octree.pointCount);
  const formats = levelFormats(input.params);
  const outputs: OutputFile[] = formats.map((format) => ({ path: `lod_${spec.label}.${format}`, type: `lod_${spec.label}`, format }));
  const sinks: PointCloudSink[] = [];
  // The level's own count, and the real bounds (a source header may lie about them).
  const header = { ...octree.header, pointCount: target, bounds: octree.bounds };
  try {
    for (const o of outputs) {
      sinks.push(await createPointCloudSink(join(input.outDir, o.path), header, { output_format: o.format as LevelFormat }, { scratchDir: input.workDir, signal: ctx.signal }));
    }
    const written = await writeLevel(octree, target, sinks, ctx.signal, (done, total) => ctx.progress({ done, total, label: `LOD ${spec.label}: ${millions(done)} of ${millions(total)} points` }));
    for (const sink of sinks) await sink.close();
    ctx.log("LOD level written", { level: spec.label, points: written, formats });
  } catch (error) {
    await Promise.all(sinks.map((s) => s.abort().catch(() => undefined)));
    throw error;
  }
  return { outputs };
}
