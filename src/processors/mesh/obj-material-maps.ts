import type { Document, Material, Texture } from "@gltf-transform/core";
import type { CompanionResolver, MissingResource } from "./companion-files.ts";
import { bumpToNormalMap, metallicRoughnessImage, withDissolveAlpha } from "./material-map-images.ts";
import { mapFate, parseMtlMaps, type MtlMap } from "./mtl-maps.ts";

/** An MTL map that did not make it into the GLB because glTF has no slot for it (or the slot was taken). */
export interface DroppedMap {
  material: string;
  map: string;
  uri: string;
  reason: string;
}

/** Named after the map's file; the MIME type is settled by the texture normalisation that follows. */
function newTexture(doc: Document, uri: string, image: Uint8Array): Texture {
  const name = uri.replace(/\\/g, "/").split("/").pop() ?? uri;
  return doc
    .createTexture(name)
    .setImage(image)
    .setMimeType("image/png")
    .setURI(name.replace(/\.[^./]+$/, "") + ".png");
}

async function imageOf(resolver: CompanionResolver, map: MtlMap, missing: MissingResource[]): Promise<Uint8Array | null> {
  const bytes = await resolver.read(map.uri);
  if (!bytes) missing.push({ kind: "texture", uri: map.uri });
  return bytes;
}

async function applyMaterialMaps(doc: Document, material: Material, maps: MtlMap[], resolver: CompanionResolver, report: { missing: MissingResource[]; dropped: DroppedMap[] }): Promise<void> {
  const drop = (m: MtlMap, reason: string) => report.dropped.push({ material: m.material, map: m.map, uri: m.uri, reason });
  const pbr: { roughness?: { image: Uint8Array; channel: string | null }; metallic?: { image: Uint8Array; channel: string | null } } = {};
  for (const m of maps) {
    const fate = mapFate(m.map);
    if (fate.kind === "dropped") drop(m, fate.reason);
    if (fate.kind !== "ours") continue;
    if (fate.slot === "normal" && material.getNormalTexture()) {
      drop(m, "the material already has a normal map");
      continue;
    }
    const image = await imageOf(resolver, m, report.missing);
    if (!image) continue;
    try {
      if (fate.slot === "normal") {
        material.setNormalTexture(newTexture(doc, m.uri, await bumpToNormalMap(image, m.bumpMultiplier)));
      } else if (fate.slot === "alpha") {
        const base = material.getBaseColorTexture();
        const composed = await withDissolveAlpha(base?.getImage() ?? null, image, m.channel);
        material.setBaseColorTexture(newTexture(doc, base?.getURI() || m.uri, composed)).setAlphaMode("BLEND");
        if (base && base.listParents().length <= 1) base.dispose();
      } else {
        pbr[fate.slot] = { image, channel: m.channel };
      }
    } catch {
      report.missing.push({ kind: "texture", uri: m.uri, reason: "unreadable" });
    }
  }
  if (pbr.roughness || pbr.metallic) {
    const image = await metallicRoughnessImage(pbr.roughness ?? null, pbr.metallic ?? null);
    material.setMetallicRoughnessTexture(newTexture(doc, `${material.getName() || "material"}_metallicRoughness.png`, image));
    // The texture multiplies the factors: a mapped channel's factor becomes 1.
    if (pbr.roughness) material.setRoughnessFactor(1);
    if (pbr.metallic) material.setMetallicFactor(1);
  }
}

/**
 * Carries the MTL maps assimp's glTF export leaves out into the slots glTF has (bump → normal map,
 * `map_d` → base-colour alpha, `map_Pr`/`map_Pm` → metallicRoughness) and lists the maps glTF has no
 * slot for, so they are reported rather than silently dropped.
 */
export async function applyMtlMaps(doc: Document, mtlTexts: readonly string[], resolver: CompanionResolver): Promise<{ missing: MissingResource[]; dropped: DroppedMap[] }> {
  const report = { missing: [] as MissingResource[], dropped: [] as DroppedMap[] };
  const byName = new Map(
    doc
      .getRoot()
      .listMaterials()
      .map((m) => [m.getName(), m]),
  );
  const maps = mtlTexts.flatMap(parseMtlMaps);
  for (const name of new Set(maps.map((m) => m.material))) {
    const material = byName.get(name);
    // A material no face uses is not in assimp's output: nothing of it is shown, nothing to report.
    if (material)
      await applyMaterialMaps(
        doc,
        material,
        maps.filter((m) => m.material === name),
        resolver,
        report,
      );
  }
  return report;
}
