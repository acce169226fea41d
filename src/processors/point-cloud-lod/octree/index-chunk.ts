import type { Bounds, PointChunk } from "../../point-cloud/point-chunk.ts";
import { boundsOf, childKey, gridSample, nodeCube, octants, progressiveOrder } from "./grid-sample.ts";
import type { NodeKey } from "./octree.ts";

export interface IndexOptions {
  /** A node with at most this many points keeps them all (a leaf). */
  maxLeafPoints: number;
  /** Nodes at this depth keep every point that reaches them: identical or near-identical points
   * cannot recurse forever. */
  maxDepth: number;
}

export interface IndexedNode {
  key: NodeKey;
  /** Indices into the chunk, in the node's (progressive) order. */
  order: Uint32Array;
  bounds: Bounds;
}

const identical = (b: Bounds): boolean => b.min[0] === b.max[0] && b.min[1] === b.max[1] && b.min[2] === b.max[2];

/** Builds the subtree of one chunk (all its points in memory): each node keeps a grid sample of
 * the points reaching it and passes the rest to its children; small, maximum-depth or all-identical
 * sets become leaves. Pure and deterministic: the same chunk gives the same nodes. */
export function indexChunk(points: PointChunk, chunkKey: NodeKey, root: Bounds, o: IndexOptions): IndexedNode[] {
  const out: IndexedNode[] = [];
  const all = new Uint32Array(points.count);
  for (let i = 0; i < all.length; i++) all[i] = i;
  const stack: { key: NodeKey; index: Uint32Array }[] = [{ key: chunkKey, index: all }];
  while (stack.length > 0) {
    const { key, index } = stack.pop()!;
    const cube = nodeCube(root, key);
    const bounds = boundsOf(points, index);
    if (index.length <= o.maxLeafPoints || key.d >= o.maxDepth || identical(bounds)) {
      out.push({ key, order: progressiveOrder(points, index, cube), bounds });
      continue;
    }
    const { kept, rest } = gridSample(points, index, cube);
    out.push({ key, order: progressiveOrder(points, kept, cube), bounds: boundsOf(points, kept) });
    if (rest.length === 0) continue;
    const oct = octants(points, rest, cube);
    const counts = new Uint32Array(8);
    for (const k of oct) counts[k]!++;
    const parts = Array.from(counts, (n) => new Uint32Array(n));
    const fill = new Uint32Array(8);
    for (let j = 0; j < rest.length; j++) parts[oct[j]!]![fill[oct[j]!]!++] = rest[j]!;
    for (let k = 7; k >= 0; k--) if (parts[k]!.length > 0) stack.push({ key: childKey(key, k), index: parts[k]! });
  }
  return out;
}
