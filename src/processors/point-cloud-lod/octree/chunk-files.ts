import { appendFile, open, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Bounds, PointChunk } from "../../point-cloud/point-chunk.ts";
import { COUNT_DEPTH, countCell, planChunks } from "./chunk-plan.ts";
import { cellOf, nodeCube } from "./grid-sample.ts";
import { nodeName, type NodeKey } from "./octree.ts";
import { decodeBlocks, decodeXyz, encodeBlock, gatherChunk, recordBytes, type ColumnLayout } from "./point-columns.ts";

/** Reads a staging or chunk file block by block (only x/y/z when `xyzOnly`). */
export async function* blocks(path: string, layout: ColumnLayout, signal: AbortSignal, xyzOnly = false): AsyncGenerator<PointChunk> {
  const fh = await open(path, "r");
  try {
    const head = new Uint8Array(4),
      rb = recordBytes(layout);
    for (let at = 0; ;) {
      signal.throwIfAborted();
      const { bytesRead } = await fh.read(head, 0, 4, at);
      if (bytesRead < 4) return;
      const n = new DataView(head.buffer).getUint32(0, true);
      const block = new Uint8Array(4 + n * rb);
      await fh.read(block, 0, xyzOnly ? 4 + n * (layout.quantize ? 12 : 24) : block.byteLength, at);
      at += block.byteLength;
      yield xyzOnly ? decodeXyz(block, layout) : decodeBlocks(block, layout);
    }
  } finally {
    await fh.close();
  }
}

export interface ChunkingContext {
  /** The octree directory: chunk files go to its `chunks/`. */
  dir: string;
  layout: ColumnLayout;
  root: Bounds;
  maxChunkPoints: number;
  /** No chunk is split below this depth (identical points cannot be split at all). */
  maxDepth: number;
  signal: AbortSignal;
  /** Points counted / binned so far in this call (not in the recursive splits). */
  progress?: (phase: "count" | "bin", seen: number) => void;
}

export const chunkFile = (dir: string, k: NodeKey): string => join(dir, "chunks", `${nodeName(k)}.bin`);

/** Bins the points of `source` (all inside node `under`) into chunk files of at most
 * `maxChunkPoints`: count them on a 128³ grid of `under`'s cube, take the shallowest cells that
 * fit (planChunks), write each chunk's points in source order. A finest cell that is still too
 * full (a dense cluster) is split the same way again, one level of 128³ deeper, so a worker never
 * holds more than a chunk — except points too close together to split before `maxDepth`. */
export async function binIntoChunks(source: string, under: NodeKey, ctx: ChunkingContext): Promise<{ key: NodeKey; points: number }[]> {
  const { layout, signal } = ctx;
  const cube = nodeCube(ctx.root, under),
    size = cube.max[0] - cube.min[0];
  const G = 1 << COUNT_DEPTH;
  const cellIds = (c: PointChunk): Int32Array => {
    const out = new Int32Array(c.count);
    for (let i = 0; i < c.count; i++) out[i] = countCell(cellOf(c.x[i]!, cube.min[0], size, G), cellOf(c.y[i]!, cube.min[1], size, G), cellOf(c.z[i]!, cube.min[2], size, G));
    return out;
  };
  const counts = new Uint32Array(G ** 3);
  let seen = 0;
  for await (const c of blocks(source, layout, signal, true)) {
    for (const id of cellIds(c)) counts[id]!++;
    seen += c.count;
    ctx.progress?.("count", seen);
  }
  const plan = planChunks(counts, ctx.maxChunkPoints);
  const keys = plan.chunks.map(({ key: k }) => ({ d: under.d + k.d, x: under.x * 2 ** k.d + k.x, y: under.y * 2 ** k.d + k.y, z: under.z * 2 ** k.d + k.z }));
  const pending = new Map<number, Uint8Array[]>();
  let buffered = 0;
  const flush = async () => {
    for (const [id, parts] of [...pending.entries()].sort((a, b) => a[0] - b[0])) await appendFile(chunkFile(ctx.dir, keys[id]!), Buffer.concat(parts));
    pending.clear();
    buffered = 0;
  };
  seen = 0;
  for await (const c of blocks(source, layout, signal)) {
    const ids = cellIds(c),
      byChunk = new Map<number, number[]>();
    for (let i = 0; i < c.count; i++) {
      const id = plan.cellToChunk[ids[i]!]!;
      let list = byChunk.get(id);
      if (!list) byChunk.set(id, (list = []));
      list.push(i);
    }
    for (const [id, index] of byChunk) {
      const bytes = encodeBlock(gatherChunk(c, index, layout), layout);
      let parts = pending.get(id);
      if (!parts) pending.set(id, (parts = []));
      parts.push(bytes);
      buffered += bytes.byteLength;
    }
    if (buffered > 64 * 2 ** 20) await flush();
    seen += c.count;
    ctx.progress?.("bin", seen);
  }
  await flush();
  const out: { key: NodeKey; points: number }[] = [];
  for (const [i, { points }] of plan.chunks.entries()) {
    const key = keys[i]!;
    if (points > ctx.maxChunkPoints && key.d + COUNT_DEPTH <= ctx.maxDepth) {
      const path = chunkFile(ctx.dir, key);
      const { progress: _progress, ...quiet } = ctx;
      const parts = await binIntoChunks(path, key, quiet);
      await rm(path, { force: true });
      out.push(...parts);
    } else out.push({ key, points });
  }
  return out;
}
