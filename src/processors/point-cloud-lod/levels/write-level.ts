import type { PointChunk, PointCloudSink } from "../../point-cloud/point-chunk.ts";
import type { Octree } from "../octree/octree.ts";
import { headChunk } from "../octree/point-columns.ts";
import { planLevel } from "./level-plan.ts";

/** The points of a level of exactly `target` points (see planLevel), node by node in breadth-first
 * order; memory is one node. */
export async function* levelChunks(octree: Octree, target: number, signal?: AbortSignal): AsyncGenerator<PointChunk> {
  const take = planLevel(octree.nodes, target);
  for (const [i, node] of octree.nodes.entries()) {
    const n = take[i]!;
    if (n === 0) continue;
    signal?.throwIfAborted();
    yield headChunk(await octree.readNode(node.key), n);
  }
}

/** Streams a level into every sink at once. Returns the points written. */
export async function writeLevel(octree: Octree, target: number, sinks: readonly PointCloudSink[], signal: AbortSignal, progress: (done: number, total: number) => void): Promise<number> {
  const total = Math.min(octree.pointCount, Math.max(0, Math.floor(target)));
  let done = 0;
  for await (const chunk of levelChunks(octree, target, signal)) {
    for (const sink of sinks) await sink.write(chunk);
    done += chunk.count;
    progress(done, total);
  }
  return done;
}
