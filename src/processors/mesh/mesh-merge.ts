import { type Document, Node } from "@gltf-transform/core";
import { flatten, join } from "@gltf-transform/functions";

/** A node whose mesh no other node uses: merging it costs no vertices (an instanced mesh would be copied per instance). */
const ownsItsMesh = (node: Node) =>
  (node
    .getMesh()
    ?.listParents()
    .filter((p) => p instanceof Node).length ?? 0) === 1;

/**
 * Fewer, larger primitives, as gltfpack writes them: the scene graph flattened (world transforms
 * baked into each mesh node; skeletons and animated nodes stay where they are) and primitives that
 * share a material and attribute layout joined across nodes, transforms applied to their vertices.
 * Skinned, morphed, instanced and animated geometry is left as it is (glTF-Transform's join skips it).
 */
export async function mergeByMaterial(doc: Document): Promise<void> {
  await doc.transform(flatten(), join({ keepNamed: false, filter: ownsItsMesh }));
}
