import { type Accessor, type Document, type Mesh, Node, type Primitive } from "@gltf-transform/core";
import { compactPrimitive } from "@gltf-transform/functions";
import { MeshoptSimplifier, type SimplifierFlags } from "meshoptimizer";
import { isTriangles, primitiveTriangles } from "./mesh-stats.ts";

export interface SimplifyOptions {
  /** meshoptimizer's error bound relative to the mesh extent. */
  maxError: number;
  /** Keep open borders in place (LockBorder). */
  lockBorders: boolean;
  /** The world-space length `maxError` is a share of (see {@link errorExtent}); absent: each
   * primitive's own extent (meshoptimizer's relative error). */
  errorExtent?: number | undefined;
}

/** Attribute weights for simplifyWithAttributes: how much a unit of difference costs against position error. */
export const ATTRIBUTE_WEIGHTS = { NORMAL: 0.5, COLOR_0: 1 } as const;

/** A strict pass that ends above target / this share is redone in permissive mode. */
export const PERMISSIVE_BELOW = 0.95;

export interface SimplifyResult {
  triangles: number;
  /** Largest error over the primitives as a share of `errorExtent` (else of each one's extent). */
  errorRelative: number;
  /** The same in world units (metres): with `errorExtent` after node transforms, else before them. */
  errorAbsolute: number;
  /** Seconds inside meshoptimizer (wall). */
  seconds: number;
  /** CPU seconds of this process over the same calls: on a loaded machine, the figure that says
   * what the simplifier costs (wall time there includes waiting for a core). */
  cpuSeconds: number;
  inputTriangles: number;
}

function floats(a: Accessor, components: number): Float32Array {
  const array = a.getArray();
  if (array instanceof Float32Array && !a.getNormalized() && a.getElementSize() === components) return array;
  const out = new Float32Array(a.getCount() * components);
  const el: number[] = [];
  for (let i = 0; i < a.getCount(); i++) {
    a.getElement(i, el);
    for (let c = 0; c < components; c++) out[i * components + c] = el[c] ?? 0;
  }
  return out;
}

/** Interleaves the weighted attributes (normals, colours) into one array for the simplifier. */
function attributesOf(p: Primitive): { data: Float32Array; stride: number; weights: number[] } | null {
  const parts: { data: Float32Array; n: number; weight: number }[] = [];
  const normal = p.getAttribute("NORMAL");
  if (normal) parts.push({ data: floats(normal, 3), n: 3, weight: ATTRIBUTE_WEIGHTS.NORMAL });
  const color = p.getAttribute("COLOR_0");
  if (color) {
    const n = color.getElementSize();
    parts.push({ data: floats(color, n), n, weight: ATTRIBUTE_WEIGHTS.COLOR_0 });
  }
  if (parts.length === 0) return null;
  const count = p.getAttribute("POSITION")!.getCount();
  const stride = parts.reduce((s, x) => s + x.n, 0);
  const data = new Float32Array(count * stride);
  let offset = 0;
  for (const part of parts) {
    for (let i = 0; i < count; i++) for (let c = 0; c < part.n; c++) data[i * stride + offset + c] = part.data[i * part.n + c]!;
    offset += part.n;
  }
  return { data, stride, weights: parts.flatMap((x) => Array<number>(x.n).fill(x.weight)) };
}

/** 2 (meshoptimizer's "protect" in permissive mode) on every vertex whose position another vertex
 * shares with different UVs: a texture seam, which must not open or slide. */
function uvSeamLocks(p: Primitive, positions: Float32Array): Uint8Array | null {
  const uv = p.getAttribute("TEXCOORD_0");
  if (!uv) return null;
  const uvs = floats(uv, 2);
  const remap = MeshoptSimplifier.generatePositionRemap(positions, 3);
  const lock = new Uint8Array(remap.length);
  for (let i = 0; i < remap.length; i++) {
    const r = remap[i]!;
    if (r !== i && (uvs[i * 2] !== uvs[r * 2] || uvs[i * 2 + 1] !== uvs[r * 2 + 1])) lock[i] = lock[r] = 2;
  }
  return lock;
}

function indicesOf(p: Primitive): Uint32Array {
  const idx = p.getIndices()?.getArray();
  if (idx) return idx instanceof Uint32Array ? idx : Uint32Array.from(idx);
  const n = p.getAttribute("POSITION")!.getCount();
  return Uint32Array.from({ length: n - (n % 3) }, (_, i) => i);
}

/** Largest scale a mesh's nodes put on it in the world (1 for a mesh no node shows). */
function worldScale(mesh: Mesh | null): number {
  const nodes = mesh?.listParents().filter((p): p is Node => p instanceof Node) ?? [];
  let scale = 0;
  for (const node of nodes) {
    const m = node.getWorldMatrix();
    scale = Math.max(scale, Math.hypot(m[0], m[1], m[2]), Math.hypot(m[4], m[5], m[6]), Math.hypot(m[8], m[9], m[10]));
  }
  return scale > 0 ? scale : 1;
}

/**
 * The length the error bound is a share of, fixed once at the source so that merging primitives
 * (whose extent then spans the scene) or quantizing them (positions on an integer grid, the scale
 * in the node) does not loosen it: the median of the triangle primitives' world extents. For a
 * single mesh it is that mesh's extent, meshoptimizer's own reference.
 */
export function errorExtent(doc: Document): number {
  const extents: number[] = [];
  for (const mesh of doc.getRoot().listMeshes()) {
    for (const p of mesh.listPrimitives()) {
      if (!isTriangles(p) || !p.getAttribute("POSITION")) continue;
      extents.push(MeshoptSimplifier.getScale(floats(p.getAttribute("POSITION")!, 3), 3) * worldScale(mesh));
    }
  }
  extents.sort((a, b) => a - b);
  return extents.length > 0 ? extents[Math.floor((extents.length - 1) / 2)]! : 1;
}

/**
 * Simplifies every triangle primitive towards `targetTriangles` in total (each primitive gets its
 * share), with meshoptimizer's simplifyWithAttributes: normals and colours weighted, attribute
 * seams (vertices split by UV or normal) kept by meshoptimizer's wedge handling, borders locked.
 * Vertices no triangle uses any more are compacted away, morph targets and skin weights with them,
 * so skinned and morphed meshes stay valid.
 */
export async function simplifyDocument(doc: Document, targetTriangles: number, options: SimplifyOptions): Promise<SimplifyResult> {
  await MeshoptSimplifier.ready;
  const prims = doc
    .getRoot()
    .listMeshes()
    .flatMap((m) => m.listPrimitives())
    .filter((p) => isTriangles(p) && p.getAttribute("POSITION"));
  const inputTriangles = prims.reduce((s, p) => s + primitiveTriangles(p), 0);
  const result: SimplifyResult = { triangles: 0, errorRelative: 0, errorAbsolute: 0, seconds: 0, cpuSeconds: 0, inputTriangles };
  const share = inputTriangles === 0 ? 1 : Math.min(1, targetTriangles / inputTriangles);
  const flags: SimplifierFlags[] = [...(options.lockBorders ? (["LockBorder"] as const) : []), ...(options.errorExtent ? (["ErrorAbsolute"] as const) : [])];
  const buffer = doc.getRoot().listBuffers()[0] ?? doc.createBuffer();
  for (const p of prims) {
    const tris = primitiveTriangles(p);
    const toWorld = worldScale(p.listParents().find((m): m is Mesh => m.propertyType === "Mesh") ?? null);
    // ErrorAbsolute: the bound in the primitive's own units (a quantized mesh's grid steps).
    const bound = options.errorExtent ? (options.maxError * options.errorExtent) / toWorld : options.maxError;
    const target = Math.floor(tris * share);
    if (share >= 1 || target >= tris) {
      result.triangles += tris;
      continue;
    }
    const positions = floats(p.getAttribute("POSITION")!, 3);
    const indices = indicesOf(p);
    const attrs = attributesOf(p);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const run = (extra: SimplifierFlags[], lock: Uint8Array | null) =>
      attrs
        ? MeshoptSimplifier.simplifyWithAttributes(indices, positions, 3, attrs.data, attrs.stride, attrs.weights, lock, target * 3, bound, [...flags, ...extra])
        : MeshoptSimplifier.simplify(indices, positions, 3, target * 3, bound, [...flags, ...extra]);
    let [out, error] = run([], null);
    // Strict mode keeps every attribute seam; a flat-shaded mesh is seams everywhere and barely
    // moves. Then permissive mode may collapse across normal creases, UV seams still protected.
    if (out.length / 3 > target / PERMISSIVE_BELOW) [out, error] = run(["Permissive"], uvSeamLocks(p, positions));
    const scale = MeshoptSimplifier.getScale(positions, 3);
    result.seconds += (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    result.cpuSeconds += (cpu.user + cpu.system) / 1e6;
    const old = p.getIndices();
    p.setIndices(
      doc
        .createAccessor()
        .setType("SCALAR")
        .setArray(out as Uint32Array<ArrayBuffer>)
        .setBuffer(buffer),
    );
    if (old && old.listParents().length <= 1) old.dispose();
    compactPrimitive(p);
    result.triangles += out.length / 3;
    const absolute = options.errorExtent ? error * toWorld : error * scale;
    result.errorAbsolute = Math.max(result.errorAbsolute, absolute);
    result.errorRelative = Math.max(result.errorRelative, options.errorExtent ? absolute / options.errorExtent : error);
  }
  return result;
}
