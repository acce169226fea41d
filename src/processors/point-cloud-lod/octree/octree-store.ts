import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Bounds, PointChunk, PointCloudHeader } from "../../point-cloud/point-chunk.ts";
import { nodeName, type NodeKey, type Octree, type OctreeNode } from "./octree.ts";
import { decodeBlocks, encodeBlock, type ColumnLayout } from "./point-columns.ts";

/** What `octree.json` holds: everything but the points, which live one file per node. */
export interface OctreeManifest {
  version: 1;
  header: PointCloudHeader;
  pointCount: number;
  bounds: Bounds;
  cube: Bounds;
  layout: ColumnLayout;
  nodes: OctreeNode[];
}

export const MANIFEST = "octree.json";
export const nodeFile = (dir: string, key: NodeKey): string => join(dir, "nodes", `${nodeName(key)}.bin`);

export async function writeNodeFile(dir: string, key: NodeKey, points: PointChunk, layout: ColumnLayout): Promise<void> {
  await writeFile(nodeFile(dir, key), encodeBlock(points, layout));
}

export async function readNodeFile(dir: string, key: NodeKey, layout: ColumnLayout): Promise<PointChunk> {
  return decodeBlocks(new Uint8Array(await readFile(nodeFile(dir, key))), layout);
}

// Uint8Arrays of the header (GeoTIFF keys, extra-bytes descriptor) survive JSON as base64.
const replacer = (_k: string, v: unknown): unknown => (v instanceof Uint8Array ? { $u8: Buffer.from(v).toString("base64") } : v);
const reviver = (_k: string, v: unknown): unknown => (v !== null && typeof v === "object" && "$u8" in v && typeof v.$u8 === "string" ? new Uint8Array(Buffer.from(v.$u8, "base64")) : v);

export async function writeManifest(dir: string, m: OctreeManifest): Promise<void> {
  await writeFile(join(dir, MANIFEST), JSON.stringify(m, replacer));
}

/** The octree built in `dir`, or undefined when there is none (never built, or built elsewhere). */
export async function loadOctree(dir: string): Promise<Octree | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST), "utf8");
  } catch {
    return undefined;
  }
  const m = JSON.parse(text, reviver) as OctreeManifest;
  if (m.version !== 1) return undefined;
  return openOctree(dir, m);
}

export function openOctree(dir: string, m: OctreeManifest): Octree & { layout: ColumnLayout } {
  return {
    header: m.header,
    pointCount: m.pointCount,
    bounds: m.bounds,
    cube: m.cube,
    nodes: m.nodes,
    layout: m.layout,
    readNode: (key) => readNodeFile(dir, key, m.layout),
  };
}
