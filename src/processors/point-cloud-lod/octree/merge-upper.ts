import type { Bounds } from "../../point-cloud/point-chunk.ts";
import { boundsOf, childKey, gridSample, nodeCube, progressiveOrder } from "./grid-sample.ts";
import { nodeName, type NodeKey } from "./octree.ts";
import { readNodeFile, writeNodeFile } from "./octree-store.ts";
import { concatChunks, gatherChunk, type ColumnLayout } from "./point-columns.ts";
import type { IndexedNodeMeta } from "./index-worker.ts";

const parentOf = (k: NodeKey): NodeKey => ({ d: k.d - 1, x: k.x >> 1, y: k.y >> 1, z: k.z >> 1 });

/** Builds the nodes above the chunks, deepest first: a parent keeps a grid sample of the points its
 * children hold, which move up (ADD refinement: each point stays in exactly one node). Every child
 * keeps at least its first point, so no listed node becomes empty. */
export async function mergeUpperLevels(dir: string, layout: ColumnLayout, root: Bounds, chunkKeys: readonly NodeKey[], nodes: Map<string, IndexedNodeMeta>, signal: AbortSignal): Promise<void> {
  const upper = new Map<string, NodeKey>();
  for (const k of chunkKeys)
    for (let p = k; p.d > 0;) {
      p = parentOf(p);
      upper.set(nodeName(p), p);
    }
  const order = [...upper.values()].sort((a, b) => b.d - a.d || a.x - b.x || a.y - b.y || a.z - b.z);
  for (const key of order) {
    signal.throwIfAborted();
    const children: NodeKey[] = [];
    for (let o = 0; o < 8; o++) {
      const c = childKey(key, o);
      if (nodes.has(nodeName(c))) children.push(c);
    }
    const parts = await Promise.all(children.map((c) => readNodeFile(dir, c, layout)));
    const all = concatChunks(parts, layout);
    const owner = new Uint8Array(all.count),
      firstOf = new Int32Array(children.length);
    let at = 0;
    for (const [i, p] of parts.entries()) {
      owner.fill(i, at, at + p.count);
      firstOf[i] = at;
      at += p.count;
    }
    const index = new Uint32Array(all.count);
    for (let i = 0; i < index.length; i++) index[i] = i;
    const cube = nodeCube(root, key);
    const { kept } = gridSample(all, index, cube);
    const up = new Uint8Array(all.count);
    for (const i of kept) up[i] = 1;
    for (const first of firstOf) up[first] = 0;
    const mine: number[] = [];
    for (let i = 0; i < all.count; i++) if (up[i]) mine.push(i);
    if (mine.length === 0) {
      // The sample fell only on the points the children keep (e.g. clusters of identical points):
      // the parent takes the second point of its fullest child (a parent above a chunk holds
      // more points than children, so one has two).
      const fullest = parts.reduce((b, p, i) => (p.count > parts[b]!.count ? i : b), 0);
      if (parts[fullest]!.count < 2) throw new Error(`octree node ${nodeName(key)} has no point to keep: its children hold one point each`);
      up[firstOf[fullest]! + 1] = 1;
      mine.push(firstOf[fullest]! + 1);
    }
    for (const [ci, child] of children.entries()) {
      const stay: number[] = [];
      for (let i = firstOf[ci]!, end = i + parts[ci]!.count; i < end; i++) if (!up[i]) stay.push(i);
      if (stay.length === parts[ci]!.count) continue;
      await writeNodeFile(dir, child, gatherChunk(all, stay, layout), layout);
      nodes.set(nodeName(child), { key: child, bounds: boundsOf(all, stay), pointCount: stay.length });
    }
    const ordered = progressiveOrder(all, mine, cube);
    await writeNodeFile(dir, key, gatherChunk(all, ordered, layout), layout);
    nodes.set(nodeName(key), { key, bounds: boundsOf(all, ordered), pointCount: ordered.length });
  }
}
