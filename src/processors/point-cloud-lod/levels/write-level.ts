import type { PointCloudSink } from "../../point-cloud/point-chunk.ts";
import type { Octree } from "../octree/octree.ts";
import { headChunk } from "../octree/point-columns.ts";
import { planLevel } from "./level-plan.ts";

/** Streams a level of exactly `target` points (see planLevel) into every sink at once, node by
 * node in breadth-first order; memory is one node. Returns the points written. */
export async function writeLevel(octree: Octree, target: number, sinks: readonly PointCloudSink[], signal: AbortSignal, progress: (done: number, total: number) => void): Promise<number> {
  const take = planLevel(octree.nodes, target);
  const total = take.reduce((a, b) => a + b, 0);
  let done = 0;
  for (const [i, node] of octree.nodes.entries()) {
    const n = take[i]!;
    if (n === 0) continue;
    signal.throwIfAborted();
    const chunk = headChunk(await octree.readNode(node.key), n);
    for (const sink of sinks) await sink.write(chunk);
    done += n;
    progress(done, total);
  }
  return done;
}
