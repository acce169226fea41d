import type { OutputWarning } from "../../contracts/task-events.ts";
import type { SourceFacts } from "./mesh-source.ts";

/** Warning codes of the mesh processors (in the completed result's `warnings`). */
export const MESH_WARNING = {
  textureMissing: "TEXTURE_MISSING",
  textureUnreadable: "TEXTURE_UNREADABLE",
  materialLibraryMissing: "MATERIAL_LIBRARY_MISSING",
  materialMapDropped: "MATERIAL_MAP_DROPPED",
} as const;

/** What the source could not give the GLB: companions not found or undecodable, material maps glTF
 * has no slot for. Raised once, by the stage that read the source. */
export function sourceWarnings(facts: SourceFacts): OutputWarning[] {
  const missing = facts.missing_resources.map((r): OutputWarning => {
    const unreadable = r.reason === "unreadable";
    const code = r.kind === "material_library" ? MESH_WARNING.materialLibraryMissing : unreadable ? MESH_WARNING.textureUnreadable : MESH_WARNING.textureMissing;
    const what = r.kind === "material_library" ? "material library" : "texture";
    const message = unreadable ? `${what} ${r.uri} could not be decoded and was left out` : `${what} ${r.uri} is not in the input and was left out`;
    return { code, message, details: { kind: r.kind, uri: r.uri, reason: r.reason ?? "not_found" } };
  });
  const dropped = (facts.dropped_maps ?? []).map((d): OutputWarning => ({
    code: MESH_WARNING.materialMapDropped,
    message: `material ${JSON.stringify(d.material)}: ${d.map} ${d.uri} was left out (${d.reason})`,
    details: { material: d.material, map: d.map, uri: d.uri, reason: d.reason },
  }));
  return [...missing, ...dropped];
}
