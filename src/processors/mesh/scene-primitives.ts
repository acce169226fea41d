import type { Document, Primitive } from "@gltf-transform/core";
import { isTriangles } from "./mesh-stats.ts";

/** A triangle primitive of the scene with what every consumer reads of it: its node's world matrix
 * (column-major 4×4), its positions and its indices (generated when it has none). */
export interface ScenePrimitive {
  primitive: Primitive;
  world: number[];
  positions: Float32Array;
  indices: Uint32Array | Uint16Array;
}

/** Every triangle primitive of the default scene (or the first one), depth-first through the node
 * tree: the one walk the thumbnail, the USDZ writer and the bench's geometry share. */
export function scenePrimitives(doc: Document): ScenePrimitive[] {
  const scene = doc.getRoot().getDefaultScene() ?? doc.getRoot().listScenes()[0];
  const stack = scene ? [...scene.listChildren()] : [];
  const out: ScenePrimitive[] = [];
  while (stack.length > 0) {
    const node = stack.pop()!;
    stack.push(...node.listChildren());
    const mesh = node.getMesh();
    if (!mesh) continue;
    const world = node.getWorldMatrix() as unknown as number[];
    for (const primitive of mesh.listPrimitives()) {
      if (!isTriangles(primitive)) continue;
      const positions = readAttribute(primitive, "POSITION", 3);
      if (!positions) continue;
      const indices = (primitive.getIndices()?.getArray() as Uint32Array | Uint16Array | null) ?? Uint32Array.from({ length: positions.length / 3 }, (_, i) => i);
      out.push({ primitive, world, positions, indices });
    }
  }
  return out;
}

/** An attribute as `components` floats per vertex (normalized integers decoded); components the
 * accessor lacks are `fill` (1 for a missing colour alpha). Null when the primitive has none. */
export function readAttribute(p: Primitive, name: string, components: number, fill = 0): Float32Array | null {
  const a = p.getAttribute(name);
  if (!a) return null;
  const out = new Float32Array(a.getCount() * components).fill(fill);
  const el: number[] = [];
  for (let i = 0; i < a.getCount(); i++) {
    a.getElement(i, el);
    for (let c = 0; c < Math.min(components, el.length); c++) out[i * components + c] = el[c]!;
  }
  return out;
}
