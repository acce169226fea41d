import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Document } from "@gltf-transform/core";
import sharp from "sharp";
import { gltfIO } from "../../src/processors/mesh/gltf-io.ts";
import { validateGltf } from "../../src/processors/mesh/gltf-validate.ts";
import { readOwnGlb } from "../../src/processors/mesh/mesh-source.ts";
import { meshStats } from "../../src/processors/mesh/mesh-stats.ts";

/** Khronos glTF-Validator on a written GLB: zero errors, else the first messages in the failure. */
export async function assertValidatorClean(path: string): Promise<void> {
  const report = await validateGltf(new Uint8Array(await readFile(path)));
  const errors = report.issues.messages.filter((m) => m.severity === 0);
  assert.equal(report.issues.numErrors, 0, `${path}: ${JSON.stringify(errors.slice(0, 3))}`);
}

/** Triangles, vertices, box and textures of a GLB as a viewer would load it (decoded). */
export async function glbSummary(path: string) {
  const { doc } = await readOwnGlb(path);
  const textures = doc.getRoot().listTextures();
  return {
    ...meshStats(doc),
    textures: textures.length,
    textureSizes: textures.map((t) => t.getSize()),
    mimeTypes: textures.map((t) => t.getMimeType()),
    materials: doc.getRoot().listMaterials().length,
    doc,
  };
}

/** The JSON chunk of a GLB. */
export async function glbJson(path: string): Promise<{ extensionsUsed?: string[]; extensionsRequired?: string[]; [k: string]: unknown }> {
  const bytes = await readFile(path);
  return JSON.parse(bytes.subarray(20, 20 + bytes.readUInt32LE(12)).toString("utf8")) as { extensionsUsed?: string[] };
}

export async function writeBytes(path: string, bytes: Uint8Array | string): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
  return path;
}

/**
 * A smooth test surface with UVs: a sphere of `rings` × `segments` quads (a UV seam along one
 * meridian, poles collapsed), so a simplifier can reach its targets on it.
 */
export function uvSphere(rings: number, segments: number): { positions: Float32Array; normals: Float32Array; uvs: Float32Array; indices: Uint32Array } {
  const vertices = (rings + 1) * (segments + 1);
  const positions = new Float32Array(vertices * 3);
  const normals = new Float32Array(vertices * 3);
  const uvs = new Float32Array(vertices * 2);
  for (let r = 0; r <= rings; r++) {
    const theta = (r / rings) * Math.PI;
    for (let s = 0; s <= segments; s++) {
      const phi = (s / segments) * 2 * Math.PI;
      const i = r * (segments + 1) + s;
      const n = [Math.sin(theta) * Math.cos(phi), Math.cos(theta), Math.sin(theta) * Math.sin(phi)];
      positions.set(n, i * 3);
      normals.set(n, i * 3);
      uvs.set([s / segments, r / rings], i * 2);
    }
  }
  const indices: number[] = [];
  for (let r = 0; r < rings; r++) {
    for (let s = 0; s < segments; s++) {
      const a = r * (segments + 1) + s,
        b = a + segments + 1;
      if (r > 0) indices.push(a, a + 1, b);
      if (r < rings - 1) indices.push(a + 1, b + 1, b);
    }
  }
  return { positions, normals, uvs, indices: Uint32Array.from(indices) };
}

/** A PNG checkerboard, for a textured test model. */
export async function checkerPng(size: number): Promise<Uint8Array> {
  const px = Buffer.alloc(size * size * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) px.fill(((x >> 4) + (y >> 4)) % 2 ? 230 : 40, (y * size + x) * 3, (y * size + x) * 3 + 3);
  return new Uint8Array(
    await sharp(px, { raw: { width: size, height: size, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

/** A textured UV sphere as a glTF-Transform document (for GLB / glTF inputs the tests write). */
export async function texturedSphereDoc(rings: number, segments: number, textureSize = 256): Promise<Document> {
  const m = uvSphere(rings, segments);
  const doc = new Document();
  const buffer = doc.createBuffer("buffer");
  const acc = (type: "VEC2" | "VEC3" | "SCALAR", a: Float32Array | Uint32Array) =>
    doc
      .createAccessor()
      .setType(type)
      .setArray(a as Float32Array<ArrayBuffer>)
      .setBuffer(buffer);
  const texture = doc
    .createTexture("checker")
    .setImage(await checkerPng(textureSize))
    .setMimeType("image/png")
    .setURI("checker.png");
  const material = doc.createMaterial("checker").setBaseColorTexture(texture);
  const prim = doc
    .createPrimitive()
    .setAttribute("POSITION", acc("VEC3", m.positions))
    .setAttribute("NORMAL", acc("VEC3", m.normals))
    .setAttribute("TEXCOORD_0", acc("VEC2", m.uvs))
    .setIndices(acc("SCALAR", m.indices))
    .setMaterial(material);
  doc.createScene("s").addChild(doc.createNode("sphere").setMesh(doc.createMesh("sphere").addPrimitive(prim)));
  return doc;
}

export async function writeGlb(doc: Document, path: string): Promise<string> {
  return writeBytes(path, await (await gltfIO()).writeBinary(doc));
}

/** Binary STL of the given triangles (9 floats each); the header may start with "solid". */
export function binaryStl(triangles: number[][], header = "solid binary-header-that-lies"): Buffer {
  const buf = Buffer.alloc(84 + 50 * triangles.length);
  buf.write(header.padEnd(80, " "), 0, "latin1");
  buf.writeUInt32LE(triangles.length, 80);
  triangles.forEach((t, i) => t.forEach((v, k) => buf.writeFloatLE(v, 84 + i * 50 + 12 + k * 4)));
  return buf;
}

/** The 12 triangles of a unit cube, as STL facets. */
export function cubeTriangles(): number[][] {
  const v = [
    [0, 0, 0],
    [1, 0, 0],
    [1, 1, 0],
    [0, 1, 0],
    [0, 0, 1],
    [1, 0, 1],
    [1, 1, 1],
    [0, 1, 1],
  ];
  const faces = [
    [0, 2, 1],
    [0, 3, 2],
    [4, 5, 6],
    [4, 6, 7],
    [0, 1, 5],
    [0, 5, 4],
    [2, 3, 7],
    [2, 7, 6],
    [1, 2, 6],
    [1, 6, 5],
    [0, 4, 7],
    [0, 7, 3],
  ];
  return faces.map((f) => f.flatMap((i) => v[i]!));
}

export function asciiStl(triangles: number[][]): string {
  const facets = triangles.map((t) => `  facet normal 0 0 0\n    outer loop\n${[0, 1, 2].map((c) => `      vertex ${t[c * 3]} ${t[c * 3 + 1]} ${t[c * 3 + 2]}`).join("\n")}\n    endloop\n  endfacet`);
  return `solid cube\n${facets.join("\n")}\nendsolid cube\n`;
}

/** A COLLADA 1.4 triangle list (two triangles, a quad in the XZ plane), Z up. */
export function colladaQuad(): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<COLLADA xmlns="http://www.collada.org/2005/11/COLLADASchema" version="1.4.1">
  <asset><unit name="meter" meter="1"/><up_axis>Y_UP</up_axis></asset>
  <library_geometries>
    <geometry id="quad" name="quad"><mesh>
      <source id="quad-pos"><float_array id="quad-pos-array" count="12">0 0 0 1 0 0 1 0 1 0 0 1</float_array>
        <technique_common><accessor source="#quad-pos-array" count="4" stride="3"><param name="X" type="float"/><param name="Y" type="float"/><param name="Z" type="float"/></accessor></technique_common></source>
      <vertices id="quad-vtx"><input semantic="POSITION" source="#quad-pos"/></vertices>
      <triangles count="2"><input semantic="VERTEX" source="#quad-vtx" offset="0"/><p>0 2 1 0 3 2</p></triangles>
    </mesh></geometry>
  </library_geometries>
  <library_visual_scenes><visual_scene id="scene"><node id="n"><instance_geometry url="#quad"/></node></visual_scene></library_visual_scenes>
  <scene><instance_visual_scene url="#scene"/></scene>
</COLLADA>
`;
}

export const outPath = (run: { outDir: string }, file: string) => join(run.outDir, file);
