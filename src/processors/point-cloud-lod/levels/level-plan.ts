import type { OctreeNode } from "../octree/octree.ts";

/** How many points of each node (in `nodes` order) a level of exactly `target` points takes.
 * Breadth-first order is progressive: every depth above the cut is taken whole; the depth where the
 * cut falls gives each of its nodes a share proportional to its size (largest remainder, ties to the
 * earlier node), and a node's share is a prefix of its points, which are stored in a spatially
 * even order. Pure: the same octree and target give the same plan. */
export function planLevel(nodes: readonly Pick<OctreeNode, "key" | "pointCount">[], target: number): number[] {
  const total = nodes.reduce((n, x) => n + x.pointCount, 0);
  const want = Math.max(0, Math.min(Math.floor(target), total));
  const take = nodes.map(() => 0);
  let taken = 0,
    cutDepth = -1;
  const byDepth = new Map<number, number>();
  for (const n of nodes) byDepth.set(n.key.d, (byDepth.get(n.key.d) ?? 0) + n.pointCount);
  for (const d of [...byDepth.keys()].sort((a, b) => a - b)) {
    const here = byDepth.get(d)!;
    if (taken + here > want) {
      cutDepth = d;
      break;
    }
    taken += here;
    for (const [i, n] of nodes.entries()) if (n.key.d === d) take[i] = n.pointCount;
  }
  if (cutDepth < 0) return take;
  const left = want - taken,
    layer = byDepth.get(cutDepth)!;
  const shares: { i: number; rem: number }[] = [];
  let given = 0;
  for (const [i, n] of nodes.entries()) {
    if (n.key.d !== cutDepth) continue;
    const exact = (left * n.pointCount) / layer;
    take[i] = Math.floor(exact);
    given += take[i];
    shares.push({ i, rem: exact - take[i] });
  }
  shares.sort((a, b) => b.rem - a.rem || a.i - b.i);
  for (let k = 0; given < left; k++, given++) take[shares[k % shares.length]!.i]!++;
  return take;
}
