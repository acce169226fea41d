import { writeFile } from "node:fs/promises";
import { AppError } from "../../../contracts/app-error.ts";
import { glbDocument, glbPrefix } from "../../point-cloud/glb/glb-json.ts";
import type { PointChunk, PointCloudHeader, Vec3 } from "../../point-cloud/point-chunk.ts";
import { samplePoints } from "./point-sample.ts";

export interface PreviewGlbOptions {
  /** Metres per source unit (feet: 0.3048). Default: 1. */
  metresPerUnit?: number;
  /** More points than this are thinned evenly (every 2nd, 4th, …). Default: 1 000 000 (16 MB). */
  maxPoints?: number;
  signal?: AbortSignal;
}

const EMPTY_GLTF = { asset: { version: "2.0", generator: "Vision S3D Converter" }, scene: 0, scenes: [{}] };

export const PREVIEW_GLB_DEFAULTS = { metresPerUnit: 1, maxPoints: 1_000_000 } as const;

/** A small GLB for quick display: one glTF POINTS primitive, Y up, centred on the points' bounds
 * centre (no node translation, so any viewer frames it at the origin), in metres, COLOR_0 (RGBA8)
 * when the source has colour. The whole file is built in memory (≤ 16 bytes a point). */
export async function writePreviewGlb(points: AsyncIterable<PointChunk>, header: PointCloudHeader, path: string, options: PreviewGlbOptions = {}): Promise<{ points: number }> {
  const unit = options.metresPerUnit ?? PREVIEW_GLB_DEFAULTS.metresPerUnit;
  if (!(unit > 0 && Number.isFinite(unit))) throw new AppError("INVALID_PARAMS", `preview GLB: metresPerUnit must be a positive number, got ${unit}`);
  const sample = await samplePoints(points, options.maxPoints ?? PREVIEW_GLB_DEFAULTS.maxPoints, header.attributes.color, options.signal);
  const n = sample.count;
  const b = sample.bounds;
  const centre: Vec3 = b ? ([0, 1, 2].map((a) => (b.min[a]! + b.max[a]!) / 2) as Vec3) : [0, 0, 0];
  const positions = new Float32Array(n * 3);
  const min: Vec3 = [Infinity, Infinity, Infinity],
    max: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < n; i++) {
    // source Z up → glTF Y up: (x, y, z) → (x, z, −y)
    positions[3 * i] = (sample.x[i]! - centre[0]) * unit;
    positions[3 * i + 1] = (sample.z[i]! - centre[2]) * unit;
    positions[3 * i + 2] = -(sample.y[i]! - centre[1]) * unit;
    for (let a = 0; a < 3; a++) {
      const v = positions[3 * i + a]!;
      if (v < min[a]!) min[a] = v;
      if (v > max[a]!) max[a] = v;
    }
  }
  const color = sample.rgb !== undefined;
  // glbDocument's empty scene lists `nodes: []`, which glTF-Validator rejects (EMPTY_ENTITY)
  const { json, binLength } = n > 0 ? glbDocument({ count: n, translation: [0, 0, 0], min, max, color }) : { json: EMPTY_GLTF, binLength: 0 };
  const prefix = glbPrefix(json, binLength);
  const out = new Uint8Array(prefix.length + binLength);
  out.set(prefix, 0);
  if (n > 0) {
    out.set(new Uint8Array(positions.buffer), prefix.length);
    if (sample.rgb) {
      const at = prefix.length + positions.byteLength;
      for (let i = 0; i < n; i++) {
        out[at + 4 * i] = sample.rgb[3 * i]!;
        out[at + 4 * i + 1] = sample.rgb[3 * i + 1]!;
        out[at + 4 * i + 2] = sample.rgb[3 * i + 2]!;
        out[at + 4 * i + 3] = 255;
      }
    }
  }
  await writeFile(path, out).catch((error: unknown) => {
    const code = (error as { code?: unknown } | null)?.code;
    throw new AppError(code === "ENOSPC" ? "INSUFFICIENT_DISK" : "INTERNAL", `preview GLB: writing ${path} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  });
  return { points: n };
}
