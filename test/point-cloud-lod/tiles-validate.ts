import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { MeshoptDecoder } from "meshoptimizer";

/** The rules CesiumGS's 3d-tiles-validator checks on a tileset, checked here (it is not on npm), plus
 * decoding of every tile so tests can compare points. */

export interface DecodedTile {
  uri: string;
  /** Tileset-frame coordinates (z up, before the root transform), interleaved x,y,z. */
  positions: Float64Array;
  count: number;
  /** Dequantization step per tileset axis: how far a decoded point may sit from its source. */
  step: [number, number, number];
  rgb?: Uint8Array;
  intensity?: Uint16Array;
  classification?: Uint8Array;
  /** The glTF JSON, for extension checks. */
  gltf: GltfJson;
  /** The same tile with every meshopt stream decoded into a plain GLB, for gltf-validator. */
  plainGlb: Uint8Array;
  glb: Uint8Array;
}

export interface TilesetReport {
  issues: string[];
  tileset: TilesetJson;
  tiles: DecodedTile[];
}

interface Tile {
  boundingVolume?: { box?: number[]; region?: number[]; sphere?: number[] };
  geometricError?: number;
  refine?: string;
  transform?: number[];
  content?: { uri?: string; boundingVolume?: { box?: number[] } };
  children?: Tile[];
}
interface TilesetJson {
  asset?: { version?: string };
  geometricError?: number;
  root?: Tile;
}
export interface GltfJson {
  extensionsUsed?: string[];
  extensionsRequired?: string[];
  extensions?: Record<string, unknown>;
  nodes: { mesh?: number; translation?: number[]; scale?: number[] }[];
  meshes: { primitives: { attributes: Record<string, number>; mode?: number; extensions?: Record<string, unknown> }[] }[];
  accessors: { bufferView: number; componentType: number; type: string; count: number; normalized?: boolean; byteOffset?: number; min?: number[]; max?: number[] }[];
  bufferViews: {
    buffer: number;
    byteOffset?: number;
    byteLength: number;
    byteStride?: number;
    target?: number;
    extensions?: { EXT_meshopt_compression?: { buffer: number; byteOffset?: number; byteLength: number; byteStride: number; count: number; mode: string; filter?: string } };
  }[];
  buffers: { byteLength: number; uri?: string; extensions?: Record<string, unknown> }[];
  [k: string]: unknown;
}

const EPS = 1e-6;
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Oriented box corners from a 3D Tiles box. */
function corners(box: number[]): number[][] {
  const [cx, cy, cz, ux, uy, uz, vx, vy, vz, wx, wy, wz] = box as [number, number, number, number, number, number, number, number, number, number, number, number];
  const out: number[][] = [];
  for (const a of [-1, 1]) for (const b of [-1, 1]) for (const c of [-1, 1]) out.push([cx + a * ux + b * vx + c * wx, cy + a * uy + b * vy + c * wy, cz + a * uz + b * vz + c * wz]);
  return out;
}

/** Whether point p lies in the box, within `tol` metres along each half-axis. */
export function inBox(box: number[], p: readonly number[], tol = EPS): boolean {
  const c = [box[0]!, box[1]!, box[2]!];
  const d = [p[0]! - c[0]!, p[1]! - c[1]!, p[2]! - c[2]!];
  for (let k = 0; k < 3; k++) {
    const axis = [box[3 + k * 3]!, box[4 + k * 3]!, box[5 + k * 3]!];
    const len = Math.hypot(axis[0]!, axis[1]!, axis[2]!);
    const proj = len > 0 ? (d[0]! * axis[0]! + d[1]! * axis[1]! + d[2]! * axis[2]!) / len : 0;
    if (len === 0) {
      // A flat box: the point must lie on its plane (distance checked by the other axes' span).
      continue;
    }
    if (Math.abs(proj) > len + tol) return false;
  }
  return true;
}

const boxInBox = (inner: number[], outer: number[]): boolean => corners(inner).every((p) => inBox(outer, p, 1e-6 * (1 + Math.abs(outer[3]!) + Math.abs(outer[7]!) + Math.abs(outer[11]!))));

/** Validates a tileset.json and every tile it references. */
export async function validateTileset(tilesetPath: string): Promise<TilesetReport> {
  const issues: string[] = [];
  const tileset = JSON.parse(await readFile(tilesetPath, "utf8")) as TilesetJson;
  const base = dirname(tilesetPath);
  const tiles: DecodedTile[] = [];
  if (tileset.asset?.version !== "1.1") issues.push(`asset.version is ${JSON.stringify(tileset.asset?.version)}, not "1.1"`);
  if (!isNum(tileset.geometricError) || tileset.geometricError < 0) issues.push("tileset geometricError missing or negative");
  if (!tileset.root) {
    issues.push("no root tile");
    return { issues, tileset, tiles };
  }
  if (tileset.root.refine !== "ADD") issues.push(`root refine is ${tileset.root.refine}, expected ADD`);
  if (isNum(tileset.geometricError) && isNum(tileset.root.geometricError) && tileset.root.geometricError > tileset.geometricError) issues.push("root geometricError exceeds the tileset's");
  const seenUris = new Set<string>();
  await MeshoptDecoder.ready;

  const visit = async (tile: Tile, path: string, parent: Tile | undefined): Promise<void> => {
    const box = tile.boundingVolume?.box;
    if (!tile.boundingVolume) issues.push(`${path}: boundingVolume missing`);
    else if (!box || box.length !== 12 || !box.every(isNum)) issues.push(`${path}: boundingVolume.box is not 12 finite numbers`);
    if (!isNum(tile.geometricError) || tile.geometricError < 0) issues.push(`${path}: geometricError missing or negative`);
    if (tile.refine !== undefined && tile.refine !== "ADD" && tile.refine !== "REPLACE") issues.push(`${path}: refine ${tile.refine}`);
    if (tile.transform !== undefined && (tile.transform.length !== 16 || !tile.transform.every(isNum))) issues.push(`${path}: transform is not 16 finite numbers`);
    if (tile.transform !== undefined && parent) issues.push(`${path}: a child tile has its own transform (this writer puts it only on the root)`);
    if (tile.children !== undefined && (!Array.isArray(tile.children) || tile.children.length === 0)) issues.push(`${path}: children must be a non-empty array`);
    const children = tile.children ?? [];
    if (children.length === 0 && tile.geometricError !== 0) issues.push(`${path}: leaf geometricError is ${tile.geometricError}, not 0`);
    if (parent && isNum(parent.geometricError) && isNum(tile.geometricError) && !(tile.geometricError < parent.geometricError))
      issues.push(`${path}: geometricError ${tile.geometricError} not below its parent's ${parent.geometricError}`);
    if (parent?.boundingVolume?.box && box && !boxInBox(box, parent.boundingVolume.box)) issues.push(`${path}: box not inside its parent's box`);
    if (tile.content) {
      const uri = tile.content.uri;
      const cbox = tile.content.boundingVolume?.box;
      if (typeof uri !== "string" || uri === "") issues.push(`${path}: content.uri missing`);
      else if (seenUris.has(uri)) issues.push(`${path}: content ${uri} referenced twice`);
      else {
        seenUris.add(uri);
        const file = join(base, decodeURIComponent(uri));
        if (!existsSync(file)) issues.push(`${path}: content ${uri} does not resolve`);
        else {
          const glb = new Uint8Array(await readFile(file));
          try {
            const decoded = decodeTileGlb(uri, glb);
            tiles.push(decoded);
            for (const problem of metadataIssues(decoded.gltf)) issues.push(`${path}: ${uri}: ${problem}`);
            const b = cbox ?? box;
            if (b) {
              let outside = 0;
              for (let i = 0; i < decoded.count; i++) {
                const p = [decoded.positions[i * 3]!, decoded.positions[i * 3 + 1]!, decoded.positions[i * 3 + 2]!];
                if (!inBox(b, p, 1e-5) || (box && !inBox(box, p, 1e-5))) outside++;
              }
              if (outside > 0) issues.push(`${path}: ${outside} of ${decoded.count} points of ${uri} lie outside the content/tile box`);
            }
          } catch (e) {
            issues.push(`${path}: ${uri} does not decode: ${(e as Error).message}`);
          }
        }
      }
      if (cbox && (cbox.length !== 12 || !cbox.every(isNum))) issues.push(`${path}: content box is not 12 finite numbers`);
      else if (cbox && box && !boxInBox(cbox, box)) issues.push(`${path}: content box not inside the tile's box`);
    }
    for (let i = 0; i < children.length; i++) await visit(children[i]!, `${path}/children/${i}`, tile);
  };
  await visit(tileset.root, "root", undefined);
  return { issues, tileset, tiles };
}

const COMPONENT_TYPES: Record<string, number> = { UINT8: 5121, INT8: 5120, UINT16: 5123, INT16: 5122, UINT32: 5125, FLOAT32: 5126 };

/** EXT_structural_metadata as 3D Tiles 1.1 content needs it: a schema whose classes declare every
 * property a property attribute maps, attributes that exist on the primitive with the declared
 * component type, and primitives that point at existing property attributes. */
export function metadataIssues(gltf: GltfJson): string[] {
  const out: string[] = [];
  const ext = gltf.extensions?.EXT_structural_metadata as
    | {
        schema?: { id?: string; classes?: Record<string, { properties?: Record<string, { type?: string; componentType?: string }> }> };
        propertyAttributes?: { class?: string; properties?: Record<string, { attribute?: string }> }[];
      }
    | undefined;
  const prim = gltf.meshes[0]?.primitives[0];
  const used = (prim?.extensions?.EXT_structural_metadata as { propertyAttributes?: number[] } | undefined)?.propertyAttributes;
  if (!ext) return used ? ["primitive uses EXT_structural_metadata but the glTF declares none"] : [];
  if (!gltf.extensionsUsed?.includes("EXT_structural_metadata")) out.push("EXT_structural_metadata not in extensionsUsed");
  if (!ext.schema?.id || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(ext.schema.id)) out.push("schema.id missing or not an identifier");
  const classes = ext.schema?.classes ?? {};
  (ext.propertyAttributes ?? []).forEach((pa, i) => {
    const cls = pa.class ? classes[pa.class] : undefined;
    if (!cls) return void out.push(`propertyAttributes[${i}].class ${pa.class} is not in the schema`);
    for (const [name, prop] of Object.entries(pa.properties ?? {})) {
      const def = cls.properties?.[name];
      if (!def) out.push(`property ${name} is not declared by class ${pa.class}`);
      const attr = prop.attribute;
      const accessor = attr !== undefined ? prim?.attributes[attr] : undefined;
      if (!attr || !attr.startsWith("_")) out.push(`property ${name}: attribute ${attr} must be an application-specific (_) attribute`);
      else if (accessor === undefined) out.push(`property ${name}: attribute ${attr} is not on the primitive`);
      else if (def?.componentType && gltf.accessors[accessor]?.componentType !== COMPONENT_TYPES[def.componentType])
        out.push(`property ${name}: ${attr}'s component type does not match ${def.componentType}`);
      if (def && def.type !== "SCALAR") out.push(`property ${name}: type ${def.type}, expected SCALAR`);
    }
  });
  if (!used || used.length === 0) out.push("no primitive references the property attributes");
  else for (const u of used) if (!ext.propertyAttributes?.[u]) out.push(`primitive references missing propertyAttributes[${u}]`);
  return out;
}

const SIZE: Record<number, number> = { 5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4 };
const COMPONENTS: Record<string, number> = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4 };

/** Parses a GLB, decodes its EXT_meshopt_compression streams with meshoptimizer's decoder and
 * dequantizes positions into the tileset frame (glTF y-up → 3D Tiles z-up). */
export function decodeTileGlb(uri: string, glb: Uint8Array): DecodedTile {
  const v = new DataView(glb.buffer, glb.byteOffset, glb.byteLength);
  if (v.getUint32(0, true) !== 0x46546c67) throw new Error("not a GLB");
  if (v.getUint32(8, true) !== glb.byteLength) throw new Error("GLB length mismatch");
  const jsonLength = v.getUint32(12, true);
  const gltf = JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + jsonLength))) as GltfJson;
  const binLength = v.getUint32(20 + jsonLength, true);
  const bin = glb.subarray(28 + jsonLength, 28 + jsonLength + binLength);
  const views = gltf.bufferViews.map((bv) => {
    const ext = bv.extensions?.EXT_meshopt_compression;
    if (ext) {
      if (ext.buffer !== 0) throw new Error("compressed data outside the GLB buffer");
      const target = new Uint8Array(ext.count * ext.byteStride);
      MeshoptDecoder.decodeGltfBuffer(target, ext.count, ext.byteStride, bin.subarray(ext.byteOffset ?? 0, (ext.byteOffset ?? 0) + ext.byteLength), ext.mode, ext.filter);
      return target;
    }
    if (bv.buffer !== 0) throw new Error("uncompressed view outside the GLB buffer");
    return bin.subarray(bv.byteOffset ?? 0, (bv.byteOffset ?? 0) + bv.byteLength);
  });
  const read = (index: number): { values: number[] | Float64Array; count: number; comps: number } => {
    const a = gltf.accessors[index]!;
    const bv = gltf.bufferViews[a.bufferView]!;
    const data = views[a.bufferView]!;
    const comps = COMPONENTS[a.type]!,
      size = SIZE[a.componentType]!;
    const stride = bv.byteStride ?? comps * size;
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const out = new Float64Array(a.count * comps);
    for (let i = 0; i < a.count; i++)
      for (let c = 0; c < comps; c++) {
        const at = (a.byteOffset ?? 0) + i * stride + c * size;
        out[i * comps + c] =
          a.componentType === 5123
            ? dv.getUint16(at, true)
            : a.componentType === 5121
              ? dv.getUint8(at)
              : a.componentType === 5122
                ? dv.getInt16(at, true)
                : a.componentType === 5126
                  ? dv.getFloat32(at, true)
                  : dv.getUint32(at, true);
      }
    return { values: out, count: a.count, comps };
  };
  const node = gltf.nodes.find((n) => n.mesh === 0)!;
  const prim = gltf.meshes[0]!.primitives[0]!;
  if ((prim.mode ?? 4) !== 0) throw new Error("primitive is not POINTS");
  const pos = read(prim.attributes.POSITION!);
  const t = node.translation ?? [0, 0, 0],
    s = node.scale ?? [1, 1, 1];
  const positions = new Float64Array(pos.count * 3);
  for (let i = 0; i < pos.count; i++) {
    const gx = t[0]! + pos.values[i * 3]! * s[0]!,
      gy = t[1]! + pos.values[i * 3 + 1]! * s[1]!,
      gz = t[2]! + pos.values[i * 3 + 2]! * s[2]!;
    // glTF y-up → tileset z-up: (x, y, z) → (x, −z, y).
    positions[i * 3] = gx;
    positions[i * 3 + 1] = -gz;
    positions[i * 3 + 2] = gy;
  }
  const tile: DecodedTile = { uri, positions, count: pos.count, step: [s[0]!, s[2]!, s[1]!], gltf, glb, plainGlb: plainGlb(gltf, views) };
  if (prim.attributes.COLOR_0 !== undefined) {
    const c = read(prim.attributes.COLOR_0);
    tile.rgb = Uint8Array.from({ length: c.count * 3 }, (_, k) => c.values[Math.floor(k / 3) * c.comps + (k % 3)]!);
  }
  if (prim.attributes._INTENSITY !== undefined) tile.intensity = Uint16Array.from(read(prim.attributes._INTENSITY).values);
  if (prim.attributes._CLASSIFICATION !== undefined) tile.classification = Uint8Array.from(read(prim.attributes._CLASSIFICATION).values);
  return tile;
}

/** The same glTF with every compressed view decoded into one plain GLB buffer, so gltf-validator
 * (which cannot decode meshopt) checks the real accessor data: bounds, ranges, strides. */
function plainGlb(gltf: GltfJson, views: Uint8Array[]): Uint8Array {
  const copy = JSON.parse(JSON.stringify(gltf)) as GltfJson;
  let length = 0;
  const offsets = views.map((vw) => {
    const at = length;
    length += (vw.byteLength + 3) & ~3;
    return at;
  });
  copy.bufferViews = copy.bufferViews.map((bv, i) => {
    const { extensions: _e, ...rest } = bv;
    return { ...rest, buffer: 0, byteOffset: offsets[i]!, byteLength: views[i]!.byteLength };
  });
  copy.buffers = [{ byteLength: length }];
  copy.extensionsUsed = (copy.extensionsUsed ?? []).filter((e) => e !== "EXT_meshopt_compression");
  copy.extensionsRequired = (copy.extensionsRequired ?? []).filter((e) => e !== "EXT_meshopt_compression");
  const bin = new Uint8Array(length);
  views.forEach((vw, i) => bin.set(vw, offsets[i]));
  const text = new TextEncoder().encode(JSON.stringify(copy));
  const jl = (text.byteLength + 3) & ~3;
  const out = new Uint8Array(28 + jl + length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0x46546c67, true);
  dv.setUint32(4, 2, true);
  dv.setUint32(8, out.byteLength, true);
  dv.setUint32(12, jl, true);
  dv.setUint32(16, 0x4e4f534a, true);
  out.set(text, 20);
  out.fill(0x20, 20 + text.byteLength, 20 + jl);
  dv.setUint32(20 + jl, length, true);
  dv.setUint32(24 + jl, 0x004e4942, true);
  out.set(bin, 28 + jl);
  return out;
}

export interface GltfValidatorReport {
  issues: { numErrors: number; numWarnings: number; messages: { code: string; message: string; severity: number; pointer?: string }[] };
}

const require = createRequire(import.meta.url);

/** Khronos glTF-Validator on GLB bytes. */
export function gltfValidator(bytes: Uint8Array): Promise<GltfValidatorReport> {
  const validator = require("gltf-validator") as { validateBytes(b: Uint8Array, o: { maxIssues: number }): Promise<GltfValidatorReport> };
  return validator.validateBytes(bytes, { maxIssues: 50 });
}

/** Every expected point matched by exactly one decoded point: same attributes and within the tile's
 * quantization step (+ `slack` metres). Returns the unmatched counts both ways. */
export function matchPoints(
  expected: { positions: Float64Array; rgb?: Uint8Array; intensity?: Uint16Array; classification?: Uint8Array; count: number },
  tiles: readonly DecodedTile[],
  slack: number,
): { unmatchedExpected: number; unmatchedDecoded: number; maxError: number } {
  const maxStep = Math.max(...tiles.flatMap((t) => t.step));
  const cell = Math.max(maxStep, slack) * 2;
  const grid = new Map<string, number[]>();
  const keyOf = (x: number, y: number, z: number): string => `${Math.floor(x / cell)},${Math.floor(y / cell)},${Math.floor(z / cell)}`;
  for (let i = 0; i < expected.count; i++) {
    const k = keyOf(expected.positions[i * 3]!, expected.positions[i * 3 + 1]!, expected.positions[i * 3 + 2]!);
    let list = grid.get(k);
    if (!list) grid.set(k, (list = []));
    list.push(i);
  }
  const used = new Uint8Array(expected.count);
  let unmatchedDecoded = 0,
    maxError = 0;
  // Finest tiles first: their tolerance is smallest, so they claim their points before coarse ones.
  const order = [...tiles].sort((a, b) => Math.max(...a.step) - Math.max(...b.step));
  for (const t of order) {
    const tol = t.step.map((s) => s / 2 + slack);
    for (let i = 0; i < t.count; i++) {
      const x = t.positions[i * 3]!,
        y = t.positions[i * 3 + 1]!,
        z = t.positions[i * 3 + 2]!;
      const [gx, gy, gz] = [Math.floor(x / cell), Math.floor(y / cell), Math.floor(z / cell)];
      let best = -1,
        bestD = Infinity;
      for (let a = -1; a <= 1; a++)
        for (let b = -1; b <= 1; b++)
          for (let c = -1; c <= 1; c++) {
            for (const j of grid.get(`${gx + a},${gy + b},${gz + c}`) ?? []) {
              if (used[j]) continue;
              const dx = Math.abs(expected.positions[j * 3]! - x),
                dy = Math.abs(expected.positions[j * 3 + 1]! - y),
                dz = Math.abs(expected.positions[j * 3 + 2]! - z);
              if (dx > tol[0]! || dy > tol[1]! || dz > tol[2]!) continue;
              if (t.intensity && expected.intensity && t.intensity[i] !== expected.intensity[j]) continue;
              if (t.classification && expected.classification && t.classification[i] !== expected.classification[j]) continue;
              if (t.rgb && expected.rgb && (t.rgb[i * 3] !== expected.rgb[j * 3] || t.rgb[i * 3 + 1] !== expected.rgb[j * 3 + 1] || t.rgb[i * 3 + 2] !== expected.rgb[j * 3 + 2])) continue;
              const d = dx + dy + dz;
              if (d < bestD) {
                bestD = d;
                best = j;
              }
            }
          }
      if (best < 0) unmatchedDecoded++;
      else {
        used[best] = 1;
        const j = best;
        maxError = Math.max(maxError, Math.hypot(expected.positions[j * 3]! - x, expected.positions[j * 3 + 1]! - y, expected.positions[j * 3 + 2]! - z));
      }
    }
  }
  let unmatchedExpected = 0;
  for (let i = 0; i < expected.count; i++) if (!used[i]) unmatchedExpected++;
  return { unmatchedExpected, unmatchedDecoded, maxError };
}
