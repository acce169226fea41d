import { open, rm, type FileHandle } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { AppError } from "../../../contracts/app-error.ts";
import { encodeLasRecords, newLasWriteStats } from "../../point-cloud/las/las-record-encoder.ts";
import { writeAscii, type LasVlr } from "../../point-cloud/las/las-vlr.ts";
import { buildLaszipVlr, toLazHeader } from "../../point-cloud/laz/laszip-vlr.ts";
import { itemsFor } from "../../point-cloud/laz/point-formats.ts";
import type { Vec3 } from "../../point-cloud/point-chunk.ts";
import type { Octree, OctreeNode } from "../octree/octree.ts";
import { createChunkEncodePool, type ChunkEncodePool } from "./chunk-encode-pool.ts";
import { chooseScaleOffset, copcCrsVlrs, copcRecordLayout, encodeCopcHeaderBlock, type CopcHeaderFields } from "./copc-header.ts";
import { encodeHierarchy, planHierarchy, type CopcHierarchyOptions, type HierarchyEntry } from "./copc-hierarchy.ts";
import { COPC_HIERARCHY_RECORD_ID, COPC_USER_ID, cubeCenterHalfsize, encodeCopcInfo, type CopcInfo } from "./copc-info.ts";
import { expandDeprecatedExtraBytes } from "./extra-bytes-descriptor.ts";
import { legacyOverlapToFlag } from "./legacy-overlap.ts";
import { compressionOrder, reorderChunk } from "./point-order.ts";
import { encodeVariableChunkTable } from "./variable-chunk-table.ts";

export interface CopcWriteContext {
  signal: AbortSignal;
  progress: (p: { done: number; total: number; label?: string }) => void;
}

export interface CopcWriteOptions {
  /** How the hierarchy is split into pages. Default: COPC_HIERARCHY_DEFAULTS. */
  hierarchy?: Partial<CopcHierarchyOptions>;
  /** The header's file creation day. Default: now. */
  created?: Date;
  /** Worker threads compressing chunks (0: on this thread). Default: the cores (at most
   * WRITE_COPC_DEFAULTS.maxThreads) from WRITE_COPC_DEFAULTS.parallelFromPoints points, else 0. */
  threads?: number;
}

export const WRITE_COPC_DEFAULTS = {
  /** Default: 4. */
  maxThreads: 4,
  /** Smaller octrees are compressed inline: starting workers costs more than it saves. Default: 300 000. */
  parallelFromPoints: 300_000,
} as const;
const PARALLEL_FROM_POINTS = WRITE_COPC_DEFAULTS.parallelFromPoints;

/** chunk_size in the laszip VLR that means "variable": each chunk's point count is in the table. */
const VARIABLE_CHUNKS = 0xffffffff;
const EVLR_HEADER_SIZE = 60;
const STAGE = "copc";

/** Writes `octree` as a COPC 1.0 file: LAS 1.4, point format 6/7/8, the info VLR first, one LAZ
 * chunk per octree node (in the octree's breadth-first order; within a node, in GPS time or z-order,
 * which compresses best), a variable chunk table, and the hierarchy EVLR. Memory: a few nodes'
 * points and compressed chunks at a time. */
export async function writeCopc(octree: Octree, path: string, ctx: CopcWriteContext, options: CopcWriteOptions = {}): Promise<{ points: number; nodes: number }> {
  const { header } = octree;
  const records = copcRecordLayout(header);
  const { scale, offset } = chooseScaleOffset(header, octree.bounds);
  const vlrs: LasVlr[] = await copcCrsVlrs(header, ctx.signal);
  if (header.extraBytes?.descriptor) {
    vlrs.push({ userId: "LASF_Spec", recordId: 4, description: "Extra bytes", data: expandDeprecatedExtraBytes(header.extraBytes.descriptor) });
  }
  const laszip = buildLaszipVlr(itemsFor(records.pointFormat, records.recordLength), VARIABLE_CHUNKS, true);
  const fields: CopcHeaderFields = {
    header,
    records,
    scale,
    offset,
    pointCount: 0,
    byReturn: [],
    min: [0, 0, 0],
    max: [0, 0, 0],
    startOfFirstEvlr: 0,
    numberOfEvlrs: 0,
    created: options.created ?? new Date(),
  };
  const info: CopcInfo = { ...cubeOf(octree), spacing: rootSpacing(octree), rootHierOffset: 0, rootHierSize: 0, gpsTimeMin: 0, gpsTimeMax: 0 };
  const block = (): Uint8Array => toLazHeader(encodeCopcHeaderBlock(fields, encodeCopcInfo(info), vlrs), laszip);

  const file = await open(path, "w").catch((error: unknown) => {
    throw writeError(error);
  });
  let pool: ChunkEncodePool | undefined;
  try {
    const first = block();
    await put(file, first, 0);
    let position = first.length + 8; // the 8 bytes hold the chunk table's offset
    const codec = { layout: records.layout, recordLength: records.recordLength, scale, offset };
    const stats = newLasWriteStats();
    const entries: HierarchyEntry[] = [];
    const chunks: { points: number; bytes: number }[] = [];
    let gpsMin = Infinity,
      gpsMax = -Infinity;
    const total = octree.pointCount;
    const legacy = header.las !== undefined && header.las.pointFormat < 6;
    const threads = options.threads ?? (total >= PARALLEL_FROM_POINTS ? Math.min(availableParallelism(), WRITE_COPC_DEFAULTS.maxThreads) : 0);
    pool = createChunkEncodePool(records.pointFormat, records.recordLength, threads);
    // nodes read and encoded ahead of the one being written: bounded, so memory stays a few nodes
    const inFlight: { node: OctreeNode; bytes: Promise<Uint8Array> }[] = [];
    let written = 0;
    const writeOldest = async (): Promise<void> => {
      const { node, bytes: job } = inFlight.shift()!;
      const bytes = await job;
      await put(file, bytes, position);
      entries.push({ key: node.key, offset: position, byteSize: bytes.length, pointCount: node.pointCount });
      chunks.push({ points: node.pointCount, bytes: bytes.length });
      position += bytes.length;
      written += node.pointCount;
      ctx.progress({ done: written, total, label: `Writing COPC: ${inWords(written)} of ${inWords(total)} points` });
    };
    for (const node of octree.nodes) {
      ctx.signal.throwIfAborted();
      if (node.pointCount === 0) continue;
      const chunk = await octree.readNode(node.key);
      if (chunk.count !== node.pointCount) {
        throw new AppError("INTERNAL", `COPC writer: node ${node.key.d}-${node.key.x}-${node.key.y}-${node.key.z} lists ${node.pointCount} points but holds ${chunk.count}`, { stage: STAGE });
      }
      const order = compressionOrder(chunk, node.cube);
      const ordered = order ? reorderChunk(chunk, order, header.extraBytes?.size ?? 0) : chunk;
      const raw = encodeLasRecords(legacy ? legacyOverlapToFlag(ordered) : ordered, codec, stats);
      if (chunk.gpsTime) {
        for (let i = 0; i < chunk.count; i++) {
          const t = chunk.gpsTime[i]!;
          if (t < gpsMin) gpsMin = t;
          if (t > gpsMax) gpsMax = t;
        }
      } else {
        gpsMin = Math.min(gpsMin, 0);
        gpsMax = Math.max(gpsMax, 0);
      }
      const job = pool.encode(raw);
      job.catch(() => undefined); // awaited in order below; a failure must not surface as unhandled first
      inFlight.push({ node, bytes: job });
      if (inFlight.length > Math.max(1, 2 * threads)) await writeOldest();
    }
    while (inFlight.length > 0) await writeOldest();
    if (stats.count !== total) {
      throw new AppError("INTERNAL", `COPC writer: the octree's nodes hold ${stats.count} points, it announces ${total}`, { stage: STAGE });
    }
    const table = encodeVariableChunkTable(chunks);
    const tableOffset = new Uint8Array(8);
    new DataView(tableOffset.buffer).setBigUint64(0, BigInt(position), true);
    await put(file, table, position);
    await put(file, tableOffset, first.length);
    position += table.length;

    const hierarchy = encodeHierarchy(planHierarchy(entries, options.hierarchy), position + EVLR_HEADER_SIZE);
    await put(file, evlrHeader(COPC_USER_ID, COPC_HIERARCHY_RECORD_ID, hierarchy.bytes.length, "EPT Hierarchy"), position);
    await put(file, hierarchy.bytes, position + EVLR_HEADER_SIZE);

    Object.assign(fields, { pointCount: stats.count, byReturn: stats.byReturn, startOfFirstEvlr: position, numberOfEvlrs: 1 });
    if (stats.count > 0) [fields.min, fields.max] = [stats.min, stats.max];
    Object.assign(info, { rootHierOffset: hierarchy.rootOffset, rootHierSize: hierarchy.rootSize });
    if (stats.count > 0) Object.assign(info, { gpsTimeMin: gpsMin, gpsTimeMax: gpsMax });
    const last = block();
    if (last.length !== first.length) throw new AppError("INTERNAL", "COPC writer: the final header changed size", { stage: STAGE });
    await put(file, last, 0);
    await file.close();
    return { points: stats.count, nodes: entries.length };
  } catch (error) {
    await pool?.close().catch(() => undefined);
    pool = undefined;
    await file.close().catch(() => undefined);
    await rm(path, { force: true }).catch(() => undefined);
    throw error instanceof AppError || (error instanceof Error && error.name === "AbortError") ? error : writeError(error);
  } finally {
    await pool?.close();
  }
}

/** 12 M, 340 k, 999: what a progress label shows. */
const inWords = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(1).replace(/\.0$/, "")} M` : n >= 1e4 ? `${Math.round(n / 1e3)} k` : String(n));

function cubeOf(octree: Octree): { center: Vec3; halfsize: number } {
  const { center, halfsize } = cubeCenterHalfsize(octree.cube);
  const extents = [0, 1, 2].map((a) => octree.cube.max[a]! - octree.cube.min[a]!);
  if (!extents.every((e) => Number.isFinite(e) && e >= 0) || Math.max(...extents) - Math.min(...extents) > 1e-9 * Math.max(1, ...extents)) {
    throw new AppError("INTERNAL", `COPC writer: the octree's root cube is not a cube (extents ${extents.join(", ")})`, { stage: STAGE });
  }
  return { center, halfsize };
}

/** COPC's spacing is the root's; a tree whose first node is deeper (none is) scales it back up. */
function rootSpacing(octree: Octree): number {
  const first = octree.nodes[0];
  return first ? first.spacing * 2 ** first.key.d : 0;
}

function evlrHeader(userId: string, recordId: number, length: number, description: string): Uint8Array {
  const out = new Uint8Array(EVLR_HEADER_SIZE);
  const v = new DataView(out.buffer);
  writeAscii(out, 2, 16, userId);
  v.setUint16(18, recordId, true);
  v.setBigUint64(20, BigInt(length), true);
  writeAscii(out, 28, 32, description);
  return out;
}

async function put(file: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  await file.write(bytes, 0, bytes.length, position).catch((error: unknown) => {
    throw writeError(error);
  });
}

function writeError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const message = `COPC writer: writing the file failed: ${error instanceof Error ? error.message : String(error)}`;
  return new AppError(code === "ENOSPC" ? "INSUFFICIENT_DISK" : "INTERNAL", message, { stage: STAGE, cause: error });
}
