import type { NodeKey } from "./octree.ts";

/** Depth of the counting grid: 128³ cells (8 MiB of counters). */
export const COUNT_DEPTH = 7;
const N = 1 << COUNT_DEPTH;

export const countCell = (cx: number, cy: number, cz: number): number => (cx * N + cy) * N + cz;

export interface ChunkPlan {
  chunks: { key: NodeKey; points: number }[];
  /** Counting cell → chunk index (-1: no point). */
  cellToChunk: Int32Array;
}

/** PotreeConverter 2's chunking: from the counts of the finest grid, the shallowest nodes that
 * hold at most `maxChunkPoints` become chunks (a finest cell stays one chunk however full it is). */
export function planChunks(counts: Uint32Array, maxChunkPoints: number): ChunkPlan {
  const levels: Float64Array[] = [];
  levels[COUNT_DEPTH] = Float64Array.from(counts);
  for (let d = COUNT_DEPTH - 1; d >= 0; d--) {
    const n = 1 << d,
      below = levels[d + 1]!,
      here = new Float64Array(n * n * n);
    for (let x = 0; x < 2 * n; x++) for (let y = 0; y < 2 * n; y++) for (let z = 0; z < 2 * n; z++) here[((x >> 1) * n + (y >> 1)) * n + (z >> 1)]! += below[(x * 2 * n + y) * 2 * n + z]!;
    levels[d] = here;
  }
  const chunks: ChunkPlan["chunks"] = [];
  const cellToChunk = new Int32Array(N * N * N).fill(-1);
  const visit = (d: number, x: number, y: number, z: number): void => {
    const n = 1 << d;
    const count = levels[d]![(x * n + y) * n + z]!;
    if (count === 0) return;
    if (count <= maxChunkPoints || d === COUNT_DEPTH) {
      const id = chunks.length;
      chunks.push({ key: { d, x, y, z }, points: count });
      const s = 1 << (COUNT_DEPTH - d);
      for (let i = 0; i < s; i++) for (let j = 0; j < s; j++) for (let k = 0; k < s; k++) cellToChunk[countCell(x * s + i, y * s + j, z * s + k)] = id;
      return;
    }
    for (let o = 0; o < 8; o++) visit(d + 1, 2 * x + (o & 1), 2 * y + ((o >> 1) & 1), 2 * z + ((o >> 2) & 1));
  };
  visit(0, 0, 0, 0);
  return { chunks, cellToChunk };
}
