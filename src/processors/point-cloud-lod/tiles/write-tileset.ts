import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { MeshoptEncoder } from "meshoptimizer";
import { AppError } from "../../../contracts/app-error.ts";
import type { OutputFile } from "../../processor.ts";
import type { Bounds, PointChunk } from "../../point-cloud/point-chunk.ts";
import { colorShiftFor } from "../../point-cloud/color-depth.ts";
import { createGeoreference, unplacedGeoreference, type Georeference } from "../georef/georeference.ts";
import { mapToLocal } from "../georef/local-grid.ts";
import { resolveCrs } from "../georef/resolve-crs.ts";
import { nodeName, type Octree } from "../octree/octree.ts";
import { encodeTileGlb } from "./tile-glb.ts";
import { tilesetJson, type TileSummary } from "./tileset-json.ts";

export const WRITE_TILESET_DEFAULTS = {
  /** Multiplies every tile's geometric error (its sampling spacing in metres): above 1 the viewer
   * refines sooner (denser, more tiles loaded), below 1 later. Default: 1. */
  geometricErrorScale: 1,
  /** CRS of the coordinates ("EPSG:2994", "EPSG:2994+6360", proj4 string or WKT); overrides the
   * file's. Default: the file's CRS. */
  srsIn: undefined as string | undefined,
};

export interface WriteTilesetOptions {
  geometricErrorScale?: number;
  srsIn?: string | undefined;
}

export interface WriteTilesetContext {
  signal: AbortSignal;
  /** done/total count points. */
  progress(p: { done: number; total: number; label?: string }): void;
  log?(message: string, fields?: Record<string, unknown>): void;
}

export interface WriteTilesetResult {
  /** `tiles/tileset.json` (type `tileset`) first, then every tile (`tiles/<node>.glb`, type `tile`). */
  outputs: OutputFile[];
  georeferenced: boolean;
  crs?: string;
  /** Where the local frame's origin is on the globe, when georeferenced. */
  origin?: { longitude: number; latitude: number; height: number };
}

const GENERATOR = "vs3d point_cloud_lod";
/** Degrees of latitude in metres, for the geometric error of a geographic CRS's cloud. */
const METRES_PER_DEGREE = 111_320;
const TILES_DIR = "tiles";
const TILESET_PATH = `${TILES_DIR}/tileset.json`;

/** Writes a 3D Tiles 1.1 tileset of the octree under `outDir/tiles/`: one glTF POINTS tile per node
 * (ADD refinement: each point in exactly one tile), read and written one node at a time. */
export async function writeTileset(octree: Octree, outDir: string, options: WriteTilesetOptions, ctx: WriteTilesetContext): Promise<WriteTilesetResult> {
  const scale = options.geometricErrorScale ?? WRITE_TILESET_DEFAULTS.geometricErrorScale;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new AppError("INVALID_PARAMS", `geometric error scale must be a positive number, not ${scale}`);
  if (octree.nodes.length === 0 || octree.pointCount === 0) throw new AppError("INPUT_EMPTY", "the point cloud has no points to tile");
  const { geo, metres } = await georeferenceFor(octree, options.srsIn, ctx);
  await MeshoptEncoder.ready;
  await mkdir(join(outDir, TILES_DIR), { recursive: true });

  const total = octree.pointCount;
  const label = (done: number): string => `Tiling ${formatCount(done)} of ${formatCount(total)} points`;
  ctx.progress({ done: 0, total, label: label(0) });
  const summaries = new Map<string, TileSummary>();
  const outputs: OutputFile[] = [{ path: TILESET_PATH, type: "tileset", format: "3dtiles", contentType: "application/json" }];
  let colorShift: 0 | 8 | undefined;
  let done = 0;
  for (const node of octree.nodes) {
    if (ctx.signal.aborted) throw ctx.signal.reason ?? new AppError("CANCELLED", "cancelled");
    const chunk = await octree.readNode(node.key);
    if (chunk.count === 0) continue;
    colorShift ??= colorShiftFor(chunk);
    const local = mapToLocal(geo, node.bounds, metres, chunk);
    const box = boundsOf(local, nodeName(node.key));
    const name = nodeName(node.key);
    const glb = encodeTileGlb({ count: chunk.count, local, ...attributes(chunk, colorShift) }, box, GENERATOR);
    const path = `${TILES_DIR}/${name}.glb`;
    await writeFile(join(outDir, path), glb);
    outputs.push({ path, type: "tile", format: "glb", contentType: "model/gltf-binary", partOf: TILESET_PATH });
    summaries.set(name, {
      name,
      contentBox: box,
      error: node.children.length > 0 ? node.spacing * metres : 0,
      children: node.children.map(nodeName),
    });
    done += chunk.count;
    ctx.progress({ done, total, label: label(done) });
  }
  // Children that held no points were skipped: drop them from their parents' lists.
  for (const s of summaries.values()) s.children = s.children.filter((c) => summaries.has(c));
  const rootName = nodeName(octree.nodes[0]!.key);
  if (!summaries.has(rootName)) throw new AppError("INPUT_EMPTY", "the octree's root holds no points");
  const json = tilesetJson(summaries, {
    rootName,
    ...(geo.georeferenced ? { transform: geo.transform } : {}),
    geometricErrorScale: scale,
    generator: GENERATOR,
    extras: {
      vs3d: {
        points: done,
        georeferenced: geo.georeferenced,
        ...(geo.crs ? { crs: geo.crs } : {}),
        ...(geo.origin ? { origin: geo.origin } : {}),
      },
    },
  });
  await writeFile(join(outDir, TILESET_PATH), JSON.stringify(json));
  return {
    outputs,
    georeferenced: geo.georeferenced,
    ...(geo.crs ? { crs: geo.crs } : {}),
    ...(geo.origin ? { origin: geo.origin } : {}),
  };
}

/** The CRS to place the cloud with, and metres per horizontal unit (for geometric errors and the
 * interpolation grid). */
async function georeferenceFor(octree: Octree, srsIn: string | undefined, ctx: WriteTilesetContext): Promise<{ geo: Georeference; metres: number }> {
  const resolved = await resolveCrs(octree.header, srsIn, ctx.signal);
  if (!resolved.crs) {
    if (resolved.warning) ctx.log?.(`tileset not georeferenced: ${resolved.warning}`, { warning: resolved.warning });
    return { geo: unplacedGeoreference(octree.bounds), metres: 1 };
  }
  const crs = resolved.crs;
  const metres = crs.horizontalUnit ?? METRES_PER_DEGREE;
  try {
    return { geo: createGeoreference(crs, octree.bounds), metres };
  } catch (e) {
    const why = `${(e as Error).message}`;
    if (resolved.from === "srs_in") throw new AppError("INVALID_PARAMS", `srs_in does not fit the points: ${why}`);
    ctx.log?.(`tileset not georeferenced: ${why}`, { warning: why });
    return { geo: unplacedGeoreference(octree.bounds, crs.horizontalUnit ?? 1), metres: crs.horizontalUnit ?? 1 };
  }
}

function attributes(chunk: PointChunk, shift: 0 | 8): { rgb?: Uint8Array; intensity?: Uint16Array; classification?: Uint8Array } {
  const out: { rgb?: Uint8Array; intensity?: Uint16Array; classification?: Uint8Array } = {};
  const { red, green, blue } = chunk;
  if (red && green && blue) {
    const rgb = new Uint8Array(chunk.count * 3);
    for (let i = 0; i < chunk.count; i++) {
      rgb[i * 3] = red[i]! >> shift;
      rgb[i * 3 + 1] = green[i]! >> shift;
      rgb[i * 3 + 2] = blue[i]! >> shift;
    }
    out.rgb = rgb;
  }
  if (chunk.intensity) out.intensity = chunk.intensity;
  if (chunk.classification) out.classification = chunk.classification;
  return out;
}

/** Tight bounds; a NaN or infinite coordinate (which would quantize silently to the box corner) is
 * INPUT_CORRUPT. */
function boundsOf(local: Float64Array, node: string): Bounds {
  const min: [number, number, number] = [Infinity, Infinity, Infinity];
  const max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < local.length; i += 3) {
    for (let a = 0; a < 3; a++) {
      const v = local[i + a]!;
      if (!Number.isFinite(v)) throw new AppError("INPUT_CORRUPT", `point ${i / 3} of octree node ${node} has a non-finite coordinate`);
      if (v < min[a]!) min[a] = v;
      if (v > max[a]!) max[a] = v;
    }
  }
  return { min, max };
}

const formatCount = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : n >= 1e4 ? `${Math.round(n / 1e3)} k` : String(n));
