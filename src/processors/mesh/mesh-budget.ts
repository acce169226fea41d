import { createReadStream } from "node:fs";
import { totalmem } from "node:os";
import { getHeapStatistics } from "node:v8";
import { AppError } from "../../contracts/app-error.ts";
import type { MeshInput } from "./mesh-input.ts";
import { readHead } from "./mesh-format.ts";

/**
 * What one vertex costs while a level is made: the document's float attributes (position, normal,
 * UV, colour ≈ 48 B), its share of the index buffer (≈ 24 B), the simplifier's copies, the
 * validator's and the writer's buffers. Measured on the bench mesh as ≈ 300 B; 400 B keeps a margin.
 */
export const BYTES_PER_VERTEX = 400;

/**
 * The RAM this worker was granted. The task runner starts each worker with
 * `--max-old-space-size` = 2 × its grant (src/actors/task-runner.ts); nothing else passes the
 * grant to a stage. So: half the heap limit when that flag is set, else the profile's `ram_gb`
 * (inline workers, tests), never more than the machine has.
 */
export function ramGrantBytes(profileRamGb: number): number {
  const flagged = process.execArgv.some((a) => a.startsWith("--max-old-space-size")) || (process.env.NODE_OPTIONS ?? "").includes("--max-old-space-size");
  const grant = flagged ? getHeapStatistics().heap_size_limit / 2 : profileRamGb * 1024 ** 3;
  return Math.min(grant, totalmem());
}

/** Most vertices a model may have: the grant's worth, or `max_vertices` when smaller. */
export function vertexCap(profileRamGb: number, maxVertices: number | undefined): number {
  const fromGrant = Math.floor(ramGrantBytes(profileRamGb) / BYTES_PER_VERTEX);
  return maxVertices === undefined ? fromGrant : Math.min(fromGrant, maxVertices);
}

interface GltfHead {
  accessors?: { count?: number }[];
  meshes?: { primitives?: { attributes?: Record<string, number> }[] }[];
}

/** Sum of the POSITION accessor counts a glTF's JSON declares (each accessor once). */
function gltfVertexCount(json: GltfHead): number {
  const seen = new Set<number>();
  for (const mesh of json.meshes ?? []) for (const p of mesh.primitives ?? []) if (p.attributes?.POSITION !== undefined) seen.add(p.attributes.POSITION);
  let n = 0;
  for (const i of seen) n += json.accessors?.[i]?.count ?? 0;
  return n;
}

async function glbJson(path: string): Promise<GltfHead | null> {
  const { head } = await readHead(path, 20);
  if (head.length < 20) return null;
  const jsonLength = head.readUInt32LE(12);
  const { head: whole } = await readHead(path, 20 + Math.min(jsonLength, 256 * 1024 ** 2));
  try {
    return JSON.parse(whole.subarray(20, 20 + jsonLength).toString("utf8")) as GltfHead;
  } catch {
    return null; // the validator reports the broken JSON with its own words
  }
}

/** Counts lines starting with `v ` in one streaming pass (an OBJ has no header). */
async function objVertexCount(path: string): Promise<number> {
  let n = 0;
  let prev = 10; // as if preceded by a newline
  let state = 0; // 1: saw "v" at line start
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (state === 1) {
        if (c === 32 || c === 9) n++;
        state = 0;
      } else if (c === 118 && prev === 10) state = 1;
      prev = c;
    }
  }
  return n;
}

/** The model's vertex count from its header, without loading it (an upper estimate for formats without one). */
export async function declaredVertexCount(input: MeshInput): Promise<{ count: number; exact: boolean }> {
  const { modelPath, format, sizeBytes } = input;
  switch (format) {
    case "glb": {
      const json = await glbJson(modelPath);
      return { count: json ? gltfVertexCount(json) : 0, exact: true };
    }
    case "gltf": {
      const { head } = await readHead(modelPath, Math.min(sizeBytes, 256 * 1024 ** 2));
      try {
        return { count: gltfVertexCount(JSON.parse(head.toString("utf8")) as GltfHead), exact: true };
      } catch {
        return { count: 0, exact: true };
      }
    }
    case "ply": {
      const { head } = await readHead(modelPath, 64 * 1024);
      const m = /^element\s+vertex\s+(\d+)/m.exec(head.toString("latin1"));
      return { count: m ? Number(m[1]) : 0, exact: true };
    }
    case "stl_binary": {
      const { head } = await readHead(modelPath, 84);
      return { count: 3 * head.readUInt32LE(80), exact: true };
    }
    case "stl_ascii":
      return { count: Math.ceil(sizeBytes / 40), exact: false }; // "vertex x y z" lines are ≥ 40 bytes with the facet around them
    case "obj":
      return { count: await objVertexCount(modelPath), exact: true };
    case "fbx_binary":
    case "fbx_ascii":
    case "dae":
      return { count: Math.ceil(sizeBytes / 24), exact: false }; // three doubles per vertex at the least
  }
}

/** INPUT_TOO_LARGE before anything is parsed, when the header says more vertices than the cap. */
export async function checkVertexBudget(input: MeshInput, cap: number): Promise<number> {
  const { count, exact } = await declaredVertexCount(input);
  if (count > cap) {
    throw new AppError("INPUT_TOO_LARGE", `the model has ${exact ? "" : "about "}${count} vertices; this worker's RAM grant allows ${cap}`, {
      details: { vertices: count, exact, cap, bytes_per_vertex: BYTES_PER_VERTEX },
    });
  }
  return count;
}

/** DESIGN.md §5's weights, with RAM per input byte (a GLB inflates ≈ 3× into a document, plus copies). */
export const MESH_PROFILES = {
  mesh_3d_convert: { cpu_percent: 30, ram_gb: 8, max_concurrent: 4, ram_bytes_per_input_byte: 8, timeout_seconds: 3600 },
  mesh_3d_lod: { cpu_percent: 60, ram_gb: 24, max_concurrent: 2, ram_bytes_per_input_byte: 12, timeout_seconds: 3600 },
} as const;
