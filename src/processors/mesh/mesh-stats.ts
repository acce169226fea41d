import type { Document, Primitive } from "@gltf-transform/core";
import { getBounds } from "@gltf-transform/functions";
import { AppError } from "../../contracts/app-error.ts";

const TRIANGLES = 4;

export const isTriangles = (p: Primitive) => p.getMode() === TRIANGLES;

/** Triangles of one primitive (indexed or not). */
export function primitiveTriangles(p: Primitive): number {
  if (!isTriangles(p)) return 0;
  const count = p.getIndices()?.getCount() ?? p.getAttribute("POSITION")?.getCount() ?? 0;
  return Math.floor(count / 3);
}

export interface MeshStats {
  triangles: number;
  vertices: number;
  /** World-space axis-aligned box of the default scene, metres. */
  bbox: { min: [number, number, number]; max: [number, number, number] };
}

/** Triangles and vertices as stored (each mesh once, however many nodes use it) and the scene's box. */
export function meshStats(doc: Document): MeshStats {
  let triangles = 0;
  let vertices = 0;
  for (const mesh of doc.getRoot().listMeshes()) {
    for (const p of mesh.listPrimitives()) {
      triangles += primitiveTriangles(p);
      vertices += p.getAttribute("POSITION")?.getCount() ?? 0;
    }
  }
  const scene = doc.getRoot().getDefaultScene() ?? doc.getRoot().listScenes()[0];
  const b = scene ? getBounds(scene) : { min: [0, 0, 0], max: [0, 0, 0] };
  const finite = (v: number[]) => v.map((x) => (Number.isFinite(x) ? x : 0)) as [number, number, number];
  return { triangles, vertices, bbox: { min: finite(b.min), max: finite(b.max) } };
}

/**
 * What the validator checks on glTF inputs, for every format (PLY, STL and assimp's output too):
 * finite positions and indices inside the vertex range; and a mesh with at least one triangle.
 */
export function assertMeshIntegrity(doc: Document): void {
  let triangles = 0;
  for (const mesh of doc.getRoot().listMeshes()) {
    for (const p of mesh.listPrimitives()) {
      const position = p.getAttribute("POSITION");
      if (!position) continue;
      const n = position.getCount();
      const array = position.getArray();
      if (array && !position.getNormalized() && array instanceof Float32Array) {
        for (let i = 0; i < array.length; i++) {
          if (!Number.isFinite(array[i]!)) throw new AppError("INPUT_CORRUPT", `mesh ${JSON.stringify(mesh.getName())} has a NaN or infinite position (vertex ${Math.floor(i / 3)})`);
        }
      }
      const indices = p.getIndices()?.getArray();
      if (indices) {
        for (let i = 0; i < indices.length; i++) {
          if (indices[i]! >= n) throw new AppError("INPUT_CORRUPT", `mesh ${JSON.stringify(mesh.getName())} has index ${indices[i]} out of range (${n} vertices)`);
        }
      }
      for (const [t, target] of p.listTargets().entries()) {
        for (const semantic of target.listSemantics()) {
          const count = target.getAttribute(semantic)!.getCount();
          if (count !== n) throw new AppError("INPUT_CORRUPT", `mesh ${JSON.stringify(mesh.getName())}: morph target ${t} ${semantic} has ${count} vertices, the mesh ${n}`);
        }
      }
      triangles += primitiveTriangles(p);
    }
  }
  if (triangles === 0) throw new AppError("INPUT_CORRUPT", "the model has no triangles (an empty mesh, or points and lines only)");
}

/** Skins and morph targets in the document: kept valid through every step, and said in the manifest. */
export function animationFeatures(doc: Document): { skinned: boolean; morph_targets: boolean; animations: number } {
  const root = doc.getRoot();
  return {
    skinned: root.listSkins().length > 0,
    morph_targets: root.listMeshes().some((m) => m.listPrimitives().some((p) => p.listTargets().length > 0)),
    animations: root.listAnimations().length,
  };
}
