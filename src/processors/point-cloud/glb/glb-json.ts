import type { Vec3 } from "../point-chunk.ts";

export interface GlbLayout {
  count: number;
  /** Node translation, glTF axes (Y up). */
  translation: Vec3;
  min: Vec3;
  max: Vec3;
  color: boolean;
}

const ARRAY_BUFFER = 34962;
const FLOAT = 5126;
const UNSIGNED_BYTE = 5121;
const POINTS = 0;

/** The glTF 2.0 document of a point cloud: one POINTS primitive, positions relative to the node's
 * translation (float32 keeps millimetres only near the origin), colours as normalized RGBA8. */
export function glbDocument(l: GlbLayout): { json: object; binLength: number } {
  const posBytes = l.count * 12;
  const colBytes = l.color ? l.count * 4 : 0;
  if (l.count === 0) return { json: { asset: { version: "2.0", generator: "Vision S3D Converter" }, scene: 0, scenes: [{ nodes: [] }] }, binLength: 0 };
  const attributes: Record<string, number> = { POSITION: 0 };
  const bufferViews: object[] = [{ buffer: 0, byteOffset: 0, byteLength: posBytes, target: ARRAY_BUFFER }];
  const accessors: object[] = [{ bufferView: 0, componentType: FLOAT, count: l.count, type: "VEC3", min: l.min, max: l.max }];
  if (l.color) {
    attributes.COLOR_0 = 1;
    bufferViews.push({ buffer: 0, byteOffset: posBytes, byteLength: colBytes, target: ARRAY_BUFFER });
    accessors.push({ bufferView: 1, componentType: UNSIGNED_BYTE, normalized: true, count: l.count, type: "VEC4" });
  }
  return {
    json: {
      asset: { version: "2.0", generator: "Vision S3D Converter" },
      scene: 0,
      scenes: [{ nodes: [0] }],
      nodes: [{ mesh: 0, translation: l.translation }],
      meshes: [{ primitives: [{ attributes, mode: POINTS }] }],
      buffers: [{ byteLength: posBytes + colBytes }],
      bufferViews,
      accessors,
    },
    binLength: posBytes + colBytes,
  };
}

/** GLB container header + JSON chunk header/body + BIN chunk header, each chunk padded to 4 bytes. */
export function glbPrefix(json: object, binLength: number): Uint8Array {
  let text = JSON.stringify(json);
  while (text.length % 4 !== 0) text += " ";
  const jsonBytes = new TextEncoder().encode(text);
  const hasBin = binLength > 0;
  const total = 12 + 8 + jsonBytes.byteLength + (hasBin ? 8 + binLength : 0);
  const out = new Uint8Array(12 + 8 + jsonBytes.byteLength + (hasBin ? 8 : 0));
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x46546c67, true); // "glTF"
  v.setUint32(4, 2, true);
  v.setUint32(8, total, true);
  v.setUint32(12, jsonBytes.byteLength, true);
  v.setUint32(16, 0x4e4f534a, true); // "JSON"
  out.set(jsonBytes, 20);
  if (hasBin) {
    v.setUint32(20 + jsonBytes.byteLength, binLength, true);
    v.setUint32(24 + jsonBytes.byteLength, 0x004e4942, true); // "BIN\0"
  }
  return out;
}
