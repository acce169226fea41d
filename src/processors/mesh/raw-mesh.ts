import { Document, type Texture } from "@gltf-transform/core";
import { QUIET } from "./gltf-io.ts";

/** A triangle mesh as the PLY and STL readers produce it, before it becomes a glTF document. */
export interface RawMesh {
  positions: Float32Array<ArrayBuffer>;
  normals?: Float32Array<ArrayBuffer> | undefined;
  /** RGBA, 0–1, linear. */
  colors?: Float32Array<ArrayBuffer> | undefined;
  uvs?: Float32Array<ArrayBuffer> | undefined;
  indices: Uint32Array<ArrayBuffer>;
  /** A texture image (PNG/JPEG bytes) for the base colour, with the URI it came from. */
  texture?: { uri: string; image: Uint8Array<ArrayBuffer>; mimeType: string } | undefined;
}

const srgbToLinear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);

/** Colours in files are sRGB; glTF's COLOR_0 is linear. */
export function linearise(rgba: Float32Array<ArrayBuffer>): Float32Array<ArrayBuffer> {
  for (let i = 0; i < rgba.length; i++) if (i % 4 !== 3) rgba[i] = srgbToLinear(rgba[i]!);
  return rgba;
}

/** One document, one node, one mesh of one primitive with a PBR material. */
export function documentFromRaw(raw: RawMesh, name: string): Document {
  const doc = new Document().setLogger(QUIET);
  const buffer = doc.createBuffer();
  const prim = doc.createPrimitive();
  const attr = (type: "VEC2" | "VEC3" | "VEC4", array: Float32Array<ArrayBuffer>) => doc.createAccessor().setType(type).setArray(array).setBuffer(buffer);
  prim.setAttribute("POSITION", attr("VEC3", raw.positions));
  if (raw.normals) prim.setAttribute("NORMAL", attr("VEC3", raw.normals));
  if (raw.uvs) prim.setAttribute("TEXCOORD_0", attr("VEC2", raw.uvs));
  if (raw.colors) prim.setAttribute("COLOR_0", attr("VEC4", raw.colors));
  prim.setIndices(doc.createAccessor().setType("SCALAR").setArray(raw.indices).setBuffer(buffer));
  const material = doc.createMaterial(name).setMetallicFactor(0).setRoughnessFactor(0.8);
  if (raw.texture && raw.uvs) {
    const texture: Texture = doc.createTexture(raw.texture.uri).setImage(raw.texture.image).setMimeType(raw.texture.mimeType).setURI(raw.texture.uri);
    material.setBaseColorTexture(texture);
  }
  prim.setMaterial(material);
  const mesh = doc.createMesh(name).addPrimitive(prim);
  doc.createScene(name).addChild(doc.createNode(name).setMesh(mesh));
  return doc;
}
