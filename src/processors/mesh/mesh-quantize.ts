import { type Accessor, type Document, type Material, type Mesh, Node, type Primitive, Root, TextureInfo } from "@gltf-transform/core";
import { KHRMeshQuantization, KHRTextureTransform, type Transform as UvTransform } from "@gltf-transform/extensions";

/** gltfpack's defaults (`-vp 14 -vt 12`; normals are octahedral 8-bit in the meshopt filter). */
export const GRID_BITS = { position: 14, texcoord: 12 } as const;

/** The primitive's accessor for `semantic`, copied first when anything else uses it too (dedup
 * merges equal arrays: a sphere's positions and normals can be one accessor). */
function ownAccessor(doc: Document, p: Primitive, semantic: string): Accessor | null {
  const a = p.getAttribute(semantic);
  if (!a) return null;
  const uses = doc
    .getGraph()
    .listParentEdges(a)
    .filter((e) => !(e.getParent() instanceof Root)).length;
  if (uses <= 1) return a;
  const copy = a.clone();
  p.setAttribute(semantic, copy);
  return copy;
}

const positionsOf = (doc: Document, mesh: Mesh) =>
  mesh
    .listPrimitives()
    .map((p) => ownAccessor(doc, p, "POSITION"))
    .filter((a): a is Accessor => a !== null);
const isFloat = (a: Accessor | null): a is Accessor => a !== null && a.getArray() instanceof Float32Array;

/** What the integer grid does not handle: skins, morph targets, GPU instancing, the input's own UV
 * transforms, volume thickness (which scales with the mesh). Those go through glTF-Transform's quantize. */
export function gridQuantizable(doc: Document): boolean {
  const root = doc.getRoot();
  if (root.listSkins().length > 0) return false;
  if (root.listExtensionsUsed().some((e) => ["EXT_mesh_gpu_instancing", "KHR_texture_transform", "KHR_materials_volume"].includes(e.extensionName))) return false;
  return root.listMeshes().every((m) => m.listPrimitives().every((p) => p.listTargets().length === 0));
}

function bounds(arrays: Float32Array[], n: number): { min: number[]; max: number[] } {
  const min = Array<number>(n).fill(Infinity),
    max = Array<number>(n).fill(-Infinity);
  for (const a of arrays) {
    for (let i = 0; i < a.length; i += n) {
      for (let c = 0; c < n; c++) {
        const v = a[i + c]!;
        if (v < min[c]!) min[c] = v;
        if (v > max[c]!) max[c] = v;
      }
    }
  }
  return { min, max };
}

/** Float32 is what a viewer keeps of a transform: more digits are JSON bytes for nothing. */
const f32 = (v: readonly number[]) => v.map((x) => Number(Math.fround(x).toPrecision(9))) as [number, number, number];

/** Moves `offset + step × q` into the node: folded into its TRS when nothing else hangs off it, else a child node carries the mesh. */
function dequantizeInNode(doc: Document, node: Node, mesh: Mesh, offset: number[], step: number): void {
  const animated = node.listParents().some((p) => p.propertyType === "AnimationChannel");
  if (node.listChildren().length > 0 || animated) {
    const child = doc
      .createNode(node.getName())
      .setMesh(mesh)
      .setTranslation(f32(offset))
      .setScale(f32([step, step, step]));
    node.setMesh(null).addChild(child);
    return;
  }
  const [qx, qy, qz, qw] = node.getRotation();
  const s = node.getScale();
  const v = [s[0] * offset[0]!, s[1] * offset[1]!, s[2] * offset[2]!];
  // v rotated by the node's quaternion: the offset in the parent's space.
  const tx = 2 * (qy * v[2]! - qz * v[1]!),
    ty = 2 * (qz * v[0]! - qx * v[2]!),
    tz = 2 * (qx * v[1]! - qy * v[0]!);
  const r = [v[0]! + qw * tx + (qy * tz - qz * ty), v[1]! + qw * ty + (qz * tx - qx * tz), v[2]! + qw * tz + (qx * ty - qy * tx)];
  const t = node.getTranslation();
  node.setTranslation(f32([t[0] + r[0]!, t[1] + r[1]!, t[2] + r[2]!])).setScale(f32([s[0] * step, s[1] * step, s[2] * step]));
}

/** Each mesh's positions as 14-bit integers on one uniform grid over its box (as gltfpack stores them:
 * no padded low bits, which the meshopt codec pays for); the grid's offset and step go into the nodes. */
function quantizePositions(doc: Document): void {
  const scale = 2 ** GRID_BITS.position - 1;
  for (const mesh of doc.getRoot().listMeshes()) {
    const accessors = positionsOf(doc, mesh);
    if (accessors.length === 0 || !accessors.every(isFloat)) continue;
    const { min, max } = bounds(
      accessors.map((a) => a.getArray() as Float32Array),
      3,
    );
    const extent = Math.max(max[0]! - min[0]!, max[1]! - min[1]!, max[2]! - min[2]!);
    const step = extent > 0 ? extent / scale : 1;
    for (const a of accessors) {
      const src = a.getArray() as Float32Array;
      const q = new Uint16Array(src.length);
      for (let i = 0; i < src.length; i++) q[i] = Math.round((src[i]! - min[i % 3]!) / step);
      a.setArray(q).setNormalized(false);
    }
    for (const node of mesh.listParents().filter((p): p is Node => p instanceof Node)) dequantizeInNode(doc, node, mesh, min, step);
  }
}

const textureInfos = (m: Material) =>
  [m.getBaseColorTextureInfo(), m.getNormalTextureInfo(), m.getEmissiveTextureInfo(), m.getOcclusionTextureInfo(), m.getMetallicRoughnessTextureInfo()].filter(
    (t, i): t is TextureInfo => t !== null && [m.getBaseColorTexture(), m.getNormalTexture(), m.getEmissiveTexture(), m.getOcclusionTexture(), m.getMetallicRoughnessTexture()][i] !== null,
  );

/** TEXCOORD_0 as 12-bit integers over each material's UV box, rescaled by KHR_texture_transform on
 * the material's textures (gltfpack's way). Materials whose extensions hold textures keep float UVs. */
function quantizeTexcoords(doc: Document): void {
  const scale = 2 ** GRID_BITS.texcoord - 1;
  const ext = doc.createExtension(KHRTextureTransform);
  let used = false;
  for (const material of doc.getRoot().listMaterials()) {
    const extensionTextures = material.listExtensions().some((e) =>
      doc
        .getGraph()
        .listChildren(e)
        .some((c) => c instanceof TextureInfo),
    );
    const infos = textureInfos(material);
    if (extensionTextures || infos.length === 0 || infos.some((t) => t.getTexCoord() !== 0)) continue;
    const prims = material.listParents().filter((p): p is Primitive => p.propertyType === "Primitive");
    const accessors = prims.map((p) => ownAccessor(doc, p, "TEXCOORD_0")).filter((a): a is Accessor => a !== null);
    if (accessors.length === 0 || !accessors.every(isFloat)) continue;
    const { min, max } = bounds(
      accessors.map((a) => a.getArray() as Float32Array),
      2,
    );
    const range = [Math.max(max[0]! - min[0]!, 1e-9), Math.max(max[1]! - min[1]!, 1e-9)];
    for (const a of accessors) {
      const src = a.getArray() as Float32Array;
      const q = new Uint16Array(src.length);
      for (let i = 0; i < src.length; i++) q[i] = Math.round(((src[i]! - min[i % 2]!) / range[i % 2]!) * scale);
      a.setArray(q).setNormalized(false);
    }
    for (const info of infos) {
      info.setExtension(
        "KHR_texture_transform",
        ext
          .createTransform()
          .setOffset([min[0]!, min[1]!])
          .setScale([range[0]! / scale, range[1]! / scale]),
      );
    }
    used = true;
  }
  if (used) ext.setRequired(true);
  else ext.dispose();
}

/** Positions and TEXCOORD_0 on gltfpack's integer grids (KHR_mesh_quantization). Call only when {@link gridQuantizable}. */
export function quantizeOnGrid(doc: Document): void {
  doc.createExtension(KHRMeshQuantization).setRequired(true);
  quantizePositions(doc);
  quantizeTexcoords(doc);
}

/** Puts a texture transform back into the UVs it scales (every texture of the material with the same
 * one), so code that samples textures by TEXCOORD_0 (thumbnail, USDZ, the next level) needs no transform. */
export function bakeTextureTransforms(doc: Document): void {
  for (const material of doc.getRoot().listMaterials()) {
    const transforms = textureInfos(material).map((t) => t.getExtension<UvTransform>("KHR_texture_transform"));
    const first = transforms[0];
    if (!first || transforms.some((t) => !t || t.getRotation() !== 0 || String(t.getOffset()) !== String(first.getOffset()) || String(t.getScale()) !== String(first.getScale()))) continue;
    const [ox, oy] = first.getOffset(),
      [sx, sy] = first.getScale();
    const prims = material.listParents().filter((p): p is Primitive => p.propertyType === "Primitive");
    for (const a of new Set(prims.map((p) => p.getAttribute("TEXCOORD_0")))) {
      if (!a) continue;
      const out = new Float32Array(a.getCount() * 2);
      const el: number[] = [];
      for (let i = 0; i < a.getCount(); i++) {
        a.getElement(i, el);
        out[i * 2] = ox + sx * el[0]!;
        out[i * 2 + 1] = oy + sy * el[1]!;
      }
      a.setArray(out).setNormalized(false);
    }
    for (const t of textureInfos(material)) t.setExtension("KHR_texture_transform", null);
  }
  for (const e of doc.getRoot().listExtensionsUsed())
    if (
      e.extensionName === "KHR_texture_transform" &&
      doc
        .getRoot()
        .listMaterials()
        .every((m) => textureInfos(m).every((t) => !t.getExtension("KHR_texture_transform")))
    )
      e.dispose();
}
