import { MeshoptEncoder } from "meshoptimizer";
import type { Bounds } from "../../point-cloud/point-chunk.ts";

/** One tile's points in the tileset's local frame (metres, x east, y north, z up). */
export interface TilePoints {
  count: number;
  /** Interleaved x,y,z. */
  local: Float64Array;
  /** 8-bit RGB, interleaved. */
  rgb?: Uint8Array;
  intensity?: Uint16Array;
  classification?: Uint8Array;
}

const USHORT = 5123,
  UBYTE = 5121,
  ARRAY_BUFFER = 34962;
const QMAX = 65535;

/** The glTF schema of the per-point properties (EXT_structural_metadata). */
const PROPERTIES = {
  intensity: { attribute: "_INTENSITY", componentType: "UINT16", description: "Pulse return magnitude (LAS intensity, 16-bit)" },
  classification: { attribute: "_CLASSIFICATION", componentType: "UINT8", description: "ASPRS LAS classification code" },
} as const;

/** Quantization of a tile: glTF is y-up, the tileset z-up, so glTF (x, y, z) = (east, up, −north). */
export interface Quantization {
  translation: [number, number, number];
  scale: [number, number, number];
}

export function quantizationFor(box: Bounds): Quantization {
  const min: [number, number, number] = [box.min[0], box.min[2], -box.max[1]];
  const ext = [box.max[0] - box.min[0], box.max[2] - box.min[2], box.max[1] - box.min[1]];
  const scale = ext.map((e) => (e > 0 ? e / QMAX : 1)) as [number, number, number];
  return { translation: min, scale };
}

/** A GLB of glTF POINTS: positions quantized to 16 bits relative to the tile's own box
 * (KHR_mesh_quantization, dequantized by the node's translation/scale), every stream compressed
 * with meshoptimizer (EXT_meshopt_compression, attribute codec v0), RGB as COLOR_0, intensity and
 * classification as _INTENSITY/_CLASSIFICATION described by EXT_structural_metadata.
 * `MeshoptEncoder.ready` must have resolved. */
export function encodeTileGlb(points: TilePoints, box: Bounds, generator: string): Uint8Array {
  const n = points.count;
  const q = quantizationFor(box);
  const pos = new Uint16Array(n * 4);
  const qmin = [QMAX, QMAX, QMAX],
    qmax = [0, 0, 0];
  const { local } = points;
  for (let i = 0; i < n; i++) {
    const g0 = local[i * 3]!,
      g1 = local[i * 3 + 2]!,
      g2 = -local[i * 3 + 1]!;
    const v0 = quant(g0, q, 0),
      v1 = quant(g1, q, 1),
      v2 = quant(g2, q, 2);
    pos[i * 4] = v0;
    pos[i * 4 + 1] = v1;
    pos[i * 4 + 2] = v2;
    if (v0 < qmin[0]!) qmin[0] = v0;
    if (v0 > qmax[0]!) qmax[0] = v0;
    if (v1 < qmin[1]!) qmin[1] = v1;
    if (v1 > qmax[1]!) qmax[1] = v1;
    if (v2 < qmin[2]!) qmin[2] = v2;
    if (v2 > qmax[2]!) qmax[2] = v2;
  }
  const streams: { bytes: Uint8Array; stride: number }[] = [{ bytes: new Uint8Array(pos.buffer), stride: 8 }];
  const accessors: Record<string, unknown>[] = [{ bufferView: 0, componentType: USHORT, type: "VEC3", count: n, min: qmin, max: qmax }];
  const attributes: Record<string, number> = { POSITION: 0 };
  const add = (semantic: string, bytes: Uint8Array, stride: number, accessor: Record<string, unknown>): void => {
    attributes[semantic] = accessors.length;
    accessors.push({ bufferView: streams.length, count: n, ...accessor });
    streams.push({ bytes, stride });
  };
  if (points.rgb) {
    const c = new Uint8Array(n * 4);
    for (let i = 0; i < n; i++) {
      c[i * 4] = points.rgb[i * 3]!;
      c[i * 4 + 1] = points.rgb[i * 3 + 1]!;
      c[i * 4 + 2] = points.rgb[i * 3 + 2]!;
    }
    add("COLOR_0", c, 4, { componentType: UBYTE, normalized: true, type: "VEC3" });
  }
  const props: Record<string, { attribute: string }> = {};
  const classProps: Record<string, unknown> = {};
  if (points.intensity) {
    const v = new Uint16Array(n * 2);
    for (let i = 0; i < n; i++) v[i * 2] = points.intensity[i]!;
    add(PROPERTIES.intensity.attribute, new Uint8Array(v.buffer), 4, { componentType: USHORT, type: "SCALAR" });
    props.intensity = { attribute: PROPERTIES.intensity.attribute };
    classProps.intensity = { type: "SCALAR", componentType: PROPERTIES.intensity.componentType, description: PROPERTIES.intensity.description };
  }
  if (points.classification) {
    const v = new Uint8Array(n * 4);
    for (let i = 0; i < n; i++) v[i * 4] = points.classification[i]!;
    add(PROPERTIES.classification.attribute, v, 4, { componentType: UBYTE, type: "SCALAR" });
    props.classification = { attribute: PROPERTIES.classification.attribute };
    classProps.classification = { type: "SCALAR", componentType: PROPERTIES.classification.componentType, description: PROPERTIES.classification.description };
  }

  const compressed: Uint8Array[] = [];
  const bufferViews: Record<string, unknown>[] = [];
  let binLength = 0,
    fallbackLength = 0;
  for (const s of streams) {
    const enc = MeshoptEncoder.encodeGltfBuffer(s.bytes, n, s.stride, "ATTRIBUTES");
    bufferViews.push({
      buffer: 1,
      byteOffset: fallbackLength,
      byteLength: s.bytes.byteLength,
      byteStride: s.stride,
      target: ARRAY_BUFFER,
      extensions: { EXT_meshopt_compression: { buffer: 0, byteOffset: binLength, byteLength: enc.byteLength, byteStride: s.stride, count: n, mode: "ATTRIBUTES" } },
    });
    compressed.push(enc);
    binLength += align4(enc.byteLength);
    fallbackLength += align4(s.bytes.byteLength);
  }

  const hasMetadata = Object.keys(props).length > 0;
  const primitive: Record<string, unknown> = { attributes, mode: 0 };
  if (hasMetadata) primitive.extensions = { EXT_structural_metadata: { propertyAttributes: [0] } };
  const gltf: Record<string, unknown> = {
    asset: { version: "2.0", generator },
    extensionsUsed: ["KHR_mesh_quantization", "EXT_meshopt_compression", ...(hasMetadata ? ["EXT_structural_metadata"] : [])],
    extensionsRequired: ["KHR_mesh_quantization", "EXT_meshopt_compression"],
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0, translation: q.translation, scale: q.scale }],
    meshes: [{ primitives: [primitive] }],
    accessors,
    bufferViews,
    buffers: [{ byteLength: binLength }, { byteLength: fallbackLength, extensions: { EXT_meshopt_compression: { fallback: true } } }],
  };
  if (hasMetadata) {
    gltf.extensions = {
      EXT_structural_metadata: {
        schema: { id: "vs3d_point_cloud", classes: { point: { name: "Point", properties: classProps } } },
        propertyAttributes: [{ class: "point", properties: props }],
      },
    };
  }
  return glb(gltf, compressed, binLength);
}

function quant(v: number, q: Quantization, axis: 0 | 1 | 2): number {
  const r = Math.round((v - q.translation[axis]) / q.scale[axis]);
  return r < 0 ? 0 : r > QMAX ? QMAX : r;
}

const align4 = (n: number): number => (n + 3) & ~3;

function glb(json: unknown, chunks: Uint8Array[], binLength: number): Uint8Array {
  const text = new TextEncoder().encode(JSON.stringify(json));
  const jsonLength = align4(text.byteLength);
  const total = 12 + 8 + jsonLength + 8 + binLength;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x46546c67, true); // "glTF"
  v.setUint32(4, 2, true);
  v.setUint32(8, total, true);
  v.setUint32(12, jsonLength, true);
  v.setUint32(16, 0x4e4f534a, true); // "JSON"
  out.set(text, 20);
  out.fill(0x20, 20 + text.byteLength, 20 + jsonLength);
  let at = 20 + jsonLength;
  v.setUint32(at, binLength, true);
  v.setUint32(at + 4, 0x004e4942, true); // "BIN\0"
  at += 8;
  for (const c of chunks) {
    out.set(c, at);
    at += align4(c.byteLength);
  }
  return out;
}
