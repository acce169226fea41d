import { readFile, rm } from "node:fs/promises";
import { parentPort } from "node:worker_threads";
import type { Bounds } from "../../point-cloud/point-chunk.ts";
import { gatherChunk, type ColumnLayout } from "./point-columns.ts";
import { indexChunk, type IndexOptions } from "./index-chunk.ts";
import type { NodeKey } from "./octree.ts";
import { writeNodeFile } from "./octree-store.ts";
import { decodeBlocks } from "./point-columns.ts";

export interface IndexJob {
  chunkPath: string;
  key: NodeKey;
  root: Bounds;
  layout: ColumnLayout;
  /** The octree directory: node files go to its `nodes/`. */
  dir: string;
  options: IndexOptions;
}

export interface IndexedNodeMeta {
  key: NodeKey;
  bounds: Bounds;
  pointCount: number;
}

/** Indexes one chunk file: its subtree's node files written, the chunk file removed. */
export async function runIndexJob(job: IndexJob): Promise<IndexedNodeMeta[]> {
  const points = decodeBlocks(new Uint8Array(await readFile(job.chunkPath)), job.layout);
  const nodes = indexChunk(points, job.key, job.root, job.options);
  for (const n of nodes) await writeNodeFile(job.dir, n.key, gatherChunk(points, n.order, job.layout), job.layout);
  await rm(job.chunkPath, { force: true });
  return nodes.map((n) => ({ key: n.key, bounds: n.bounds, pointCount: n.order.length }));
}

parentPort?.on("message", (job: IndexJob) => {
  runIndexJob(job).then(
    (nodes) => parentPort!.postMessage({ ok: true, nodes }),
    (error: unknown) => parentPort!.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
});
