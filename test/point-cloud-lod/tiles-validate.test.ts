import assert from "node:assert/strict";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { writeTileset } from "../../src/processors/point-cloud-lod/tiles/write-tileset.ts";
import { pc, withTempDir } from "../point-cloud/pc-test-utils.ts";
import { fakeOctree, readAll } from "./tiles-fake-octree.ts";
import { metadataIssues, validateTileset, type GltfJson } from "./tiles-validate.ts";

type Json = { asset: { version: string }; geometricError: number; root: Tile };
type Tile = { boundingVolume: { box: number[] }; geometricError: number; refine?: string; content: { uri: string; boundingVolume: { box: number[] } }; children?: Tile[] };

/** The checker must catch what 3d-tiles-validator would: each broken copy gets its own issue. */
test("the tileset checker reports broken tilesets (so a clean report means something)", async () => {
  const { header, points } = await readAll(pc("laspy_simple.las"));
  await withTempDir(async (dir) => {
    await writeTileset(fakeOctree(header, points, { maxPerNode: 300, cells: 8 }), dir, { srsIn: "EPSG:2994" }, { signal: new AbortController().signal, progress: () => {} });
    const path = join(dir, "tiles/tileset.json");
    const good = await readFile(path, "utf8");
    assert.deepEqual((await validateTileset(path)).issues, []);
    const cases: [string, (j: Json) => Promise<void> | void, RegExp][] = [
      ["version", (j) => void (j.asset.version = "1.0"), /asset.version/],
      ["refine", (j) => void delete j.root.refine, /refine/],
      [
        "leaf error",
        (j) => {
          let t = j.root;
          while (t.children) t = t.children[0]!;
          t.geometricError = 1;
        },
        /leaf geometricError/,
      ],
      ["increasing error", (j) => void (j.root.children![0]!.geometricError = j.root.geometricError * 2), /not below its parent/],
      ["child box outside", (j) => void (j.root.children![0]!.boundingVolume.box[0]! += 1e4), /not inside its parent/],
      ["content box outside", (j) => void (j.root.content.boundingVolume.box[2]! += 1e4), /content box not inside|outside the content/],
      [
        "shrunk content box",
        (j) => {
          const b = j.root.content.boundingVolume.box;
          b[3] = b[3]! / 2;
        },
        /points .* lie outside/,
      ],
      ["box shape", (j) => void (j.root.boundingVolume.box = [0, 0, 0]), /12 finite numbers/],
      [
        "missing content",
        async (j) => {
          await rm(join(dir, "tiles", j.root.children![0]!.content.uri));
        },
        /does not resolve/,
      ],
      ["same content twice", (j) => void (j.root.children![0]!.content.uri = j.root.content.uri), /referenced twice/],
    ];
    for (const [name, mutate, expect] of cases) {
      const j = JSON.parse(good) as Json;
      const glbBackup = await readFile(join(dir, "tiles", j.root.children![0]!.content.uri));
      await mutate(j);
      await writeFile(path, JSON.stringify(j));
      const { issues } = await validateTileset(path);
      assert.ok(
        issues.some((i) => expect.test(i)),
        `${name}: ${JSON.stringify(issues.slice(0, 4))}`,
      );
      await writeFile(join(dir, "tiles", (JSON.parse(good) as Json).root.children![0]!.content.uri), glbBackup);
    }
    await writeFile(path, good);

    // Metadata: a property attribute pointing at an attribute the primitive lacks, or a wrong type.
    const { tiles } = await validateTileset(path);
    const gltf = JSON.parse(JSON.stringify(tiles[0]!.gltf)) as GltfJson;
    assert.deepEqual(metadataIssues(gltf), []);
    const meta = gltf.extensions!.EXT_structural_metadata as {
      schema: { classes: { point: { properties: Record<string, { componentType: string }> } } };
      propertyAttributes: { properties: Record<string, { attribute: string }> }[];
    };
    meta.schema.classes.point.properties.intensity!.componentType = "UINT8";
    meta.propertyAttributes[0]!.properties.classification!.attribute = "_NOPE";
    const problems = metadataIssues(gltf);
    assert.ok(problems.some((p) => /component type/.test(p)) && problems.some((p) => /_NOPE is not on the primitive/.test(p)), JSON.stringify(problems));
  });
});
