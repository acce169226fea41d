import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import type { PointChunk, PointCloudHeader } from "../../src/processors/point-cloud/point-chunk.ts";
import { defineCrs, crsSourceFromFile, parseSrsIn } from "../../src/processors/point-cloud-lod/georef/crs-definition.ts";
import { ecefToGeodetic } from "../../src/processors/point-cloud-lod/georef/ecef.ts";
import { createGeoreference, unplacedGeoreference, type Georeference } from "../../src/processors/point-cloud-lod/georef/georeference.ts";
import type { Octree } from "../../src/processors/point-cloud-lod/octree/octree.ts";
import { writeTileset, type WriteTilesetContext } from "../../src/processors/point-cloud-lod/tiles/write-tileset.ts";
import { AppError } from "../../src/contracts/app-error.ts";
import { pc, withTempDir } from "../point-cloud/pc-test-utils.ts";
import { fakeOctree, readAll } from "./tiles-fake-octree.ts";
import { gltfValidator, matchPoints, validateTileset, type DecodedTile } from "./tiles-validate.ts";

const ctx = (log: string[] = [], progress: { done: number; total: number }[] = []): WriteTilesetContext => ({
  signal: new AbortController().signal,
  progress: (p) => progress.push(p),
  log: (m) => log.push(m),
});

/** Every input point in the tileset frame, exactly (proj4 per point), with the attributes tiles carry. */
/** The 8-bit colour rule the writer applies: 16-bit colours only when some channel exceeds 255. */
const colorShift = (p: PointChunk): number => ([p.red, p.green, p.blue].some((c) => c?.some((v) => v > 255)) ? 8 : 0);

function expectedPoints(geo: Georeference, points: PointChunk, shift: number) {
  const positions = new Float64Array(points.count * 3);
  for (let i = 0; i < points.count; i++) geo.toLocal(points.x[i]!, points.y[i]!, points.z[i]!, positions, i * 3);
  const rgb = points.red ? new Uint8Array(points.count * 3) : undefined;
  if (rgb)
    for (let i = 0; i < points.count; i++) {
      rgb[i * 3] = points.red![i]! >> shift;
      rgb[i * 3 + 1] = points.green![i]! >> shift;
      rgb[i * 3 + 2] = points.blue![i]! >> shift;
    }
  return {
    positions,
    count: points.count,
    ...(rgb ? { rgb } : {}),
    ...(points.intensity ? { intensity: points.intensity } : {}),
    ...(points.classification ? { classification: points.classification } : {}),
  };
}

/** Root transform applied to a tileset-frame point, then to geodetic degrees. */
function toGeodetic(transform: number[], p: readonly number[]) {
  const m = transform;
  const x = m[0]! * p[0]! + m[4]! * p[1]! + m[8]! * p[2]! + m[12]!;
  const y = m[1]! * p[0]! + m[5]! * p[1]! + m[9]! * p[2]! + m[13]!;
  const z = m[2]! * p[0]! + m[6]! * p[1]! + m[10]! * p[2]! + m[14]!;
  return ecefToGeodetic(x, y, z);
}

async function assertGltfClean(tiles: readonly DecodedTile[]): Promise<void> {
  for (const t of tiles) {
    for (const [what, bytes] of [
      ["as written", t.glb],
      ["decoded", t.plainGlb],
    ] as const) {
      const report = await gltfValidator(bytes);
      const errors = report.issues.messages.filter((m) => m.severity === 0);
      assert.equal(report.issues.numErrors, 0, `${t.uri} (${what}): ${JSON.stringify(errors.slice(0, 3))}`);
    }
    assert.deepEqual(t.gltf.extensionsRequired, ["KHR_mesh_quantization", "EXT_meshopt_compression"]);
    assert.ok(t.gltf.extensionsUsed?.includes("EXT_structural_metadata"), `${t.uri} declares EXT_structural_metadata`);
    const meta = t.gltf.extensions?.EXT_structural_metadata as { propertyAttributes: { properties: Record<string, { attribute: string }> }[] };
    assert.deepEqual(
      Object.values(meta.propertyAttributes[0]!.properties)
        .map((p) => p.attribute)
        .sort(),
      ["_CLASSIFICATION", "_INTENSITY"],
    );
  }
}

test("autzen (Oregon Lambert, feet): a valid 3D Tiles 1.1 tileset holding every point exactly once, placed in Oregon", async () => {
  const { header, points } = await readAll(pc("laspy_autzen_trim.laz"));
  const octree = fakeOctree(header, points, { maxPerNode: 3000, cells: 16 });
  assert.ok(octree.nodes.length > 20, `a deep enough octree (${octree.nodes.length} nodes)`);
  await withTempDir(async (dir) => {
    const progress: { done: number; total: number }[] = [];
    const result = await writeTileset(octree, dir, {}, ctx([], progress));
    assert.equal(result.georeferenced, true);
    assert.match(result.crs ?? "", /Lambert/);
    assert.equal(result.outputs[0]!.path, "tiles/tileset.json");
    assert.equal(result.outputs[0]!.type, "tileset");
    assert.equal(result.outputs[0]!.format, "3dtiles");
    const tiles = result.outputs.slice(1);
    assert.equal(tiles.length, octree.nodes.length);
    for (const t of tiles) {
      assert.match(t.path, /^tiles\/\d+-\d+-\d+-\d+\.glb$/);
      assert.equal(t.type, "tile");
      assert.equal(t.partOf, "tiles/tileset.json");
    }
    assert.equal(progress.at(-1)!.done, points.count);
    assert.equal(progress.at(-1)!.total, points.count);
    assert.ok(
      progress.every((p, i) => i === 0 || p.done >= progress[i - 1]!.done),
      "progress never goes back",
    );

    const report = await validateTileset(join(dir, "tiles/tileset.json"));
    assert.deepEqual(report.issues, []);
    assert.equal(
      report.tiles.reduce((s, t) => s + t.count, 0),
      points.count,
    );

    // Placement: the tileset's centre is in Eugene, Oregon.
    const root = report.tileset.root!;
    const c = toGeodetic(root.transform!, root.boundingVolume!.box!.slice(0, 3));
    assert.ok(Math.abs(c.latitude - 44.05) < 0.02, `latitude ${c.latitude}`);
    assert.ok(Math.abs(c.longitude + 123.07) < 0.02, `longitude ${c.longitude}`);
    // autzen's z is in feet (~130–160 m above the ellipsoid, no geoid): heights are metres.
    assert.ok(c.height > 100 && c.height < 180, `height ${c.height}`);

    // Every point once: decoded tiles against proj4 applied per point.
    const crs = defineCrs(crsSourceFromFile(header.crs))!;
    const geo = createGeoreference(crs, octree.bounds);
    const expected = expectedPoints(geo, points, colorShift(points));
    const match = matchPoints(expected, report.tiles, 0.002);
    assert.deepEqual({ unmatchedExpected: match.unmatchedExpected, unmatchedDecoded: match.unmatchedDecoded }, { unmatchedExpected: 0, unmatchedDecoded: 0 });
    // Extent: autzen is ~1 180 ft ≈ 359 m wide east-west: metres, not feet.
    const half = root.boundingVolume!.box!;
    assert.ok(Math.abs(2 * half[3]! - 1177.46 * 0.3048) < 10, `east-west extent ${2 * half[3]!} m`);
    await assertGltfClean(report.tiles);
  });
});

test("a cloud without a CRS is centred at the origin with an identity transform, and the result says so", async () => {
  const { header, points } = await readAll(pc("laspy_simple.las"));
  assert.equal(header.crs.wkt, undefined);
  const octree = fakeOctree(header, points, { maxPerNode: 300, cells: 8 });
  await withTempDir(async (dir) => {
    const result = await writeTileset(octree, dir, {}, ctx());
    assert.equal(result.georeferenced, false);
    assert.equal(result.crs, undefined);
    const report = await validateTileset(join(dir, "tiles/tileset.json"));
    assert.deepEqual(report.issues, []);
    const root = report.tileset.root!;
    assert.equal(root.transform, undefined, "no transform = identity");
    const box = root.boundingVolume!.box!;
    for (let a = 0; a < 3; a++) assert.ok(Math.abs(box[a]!) < 1e-6, `centred on the origin (${box.slice(0, 3).join(",")})`);
    const expected = expectedPoints(unplacedGeoreference(octree.bounds), points, 0);
    const m = matchPoints(expected, report.tiles, 1e-6);
    assert.equal(m.unmatchedExpected + m.unmatchedDecoded, 0);
    await assertGltfClean(report.tiles);
  });
});

test("srs_in places a cloud that has no CRS, and overrides a file's CRS", async () => {
  const { header, points } = await readAll(pc("laspy_simple.las"));
  const octree = fakeOctree(header, points, { maxPerNode: 300, cells: 8 });
  await withTempDir(async (dir) => {
    const result = await writeTileset(octree, dir, { srsIn: "EPSG:2994" }, ctx());
    assert.equal(result.georeferenced, true);
    assert.equal(result.crs, "EPSG:2994");
    assert.ok(Math.abs(result.origin!.latitude - 44.06) < 0.05 && Math.abs(result.origin!.longitude + 123.07) < 0.05, JSON.stringify(result.origin));
    assert.deepEqual((await validateTileset(join(dir, "tiles/tileset.json"))).issues, []);
  });
  const autzen = await readAll(pc("laspy_autzen_trim.laz"));
  const small = fakeOctree(autzen.header, autzen.points, { maxPerNode: 20000, cells: 8 });
  await withTempDir(async (dir) => {
    // The same numbers read as metres instead of feet land ~3.3× further from the false origin.
    const result = await writeTileset(small, dir, { srsIn: "EPSG:2993" }, ctx());
    assert.equal(result.crs, "EPSG:2993");
    assert.ok(result.origin!.latitude > 45, `metres put it further north: ${result.origin!.latitude}`);
  });
});

test("New Mexico in US survey feet (LAS 1.4 WKT with a vertical CRS): placed near Albuquerque", async () => {
  const { header, points } = await readAll(pc("laspy_1_4_w_evlr.laz"));
  const octree = fakeOctree(header, points, { maxPerNode: 200, cells: 8 });
  await withTempDir(async (dir) => {
    const result = await writeTileset(octree, dir, {}, ctx());
    assert.equal(result.georeferenced, true);
    assert.ok(Math.abs(result.origin!.latitude - 35.99) < 0.05 && Math.abs(result.origin!.longitude + 106.07) < 0.05, JSON.stringify(result.origin));
    // z ≈ 5 596 US survey feet ≈ 1 705.7 m.
    assert.ok(Math.abs(result.origin!.height - 5595.9 * (1200 / 3937)) < 2, `height ${result.origin!.height}`);
    const report = await validateTileset(join(dir, "tiles/tileset.json"));
    assert.deepEqual(report.issues, []);
    const box = report.tileset.root!.boundingVolume!.box!;
    // 501 US ft east-west ≈ 152.8 m.
    assert.ok(Math.abs(2 * box[3]! - 501.23 * (1200 / 3937)) < 1, `extent ${2 * box[3]!}`);
    await assertGltfClean(report.tiles);
  });
});

test("a cloud in longitude/latitude degrees (srs_in EPSG:4326) becomes metres east/north of its centre", async () => {
  const n = 2000;
  const c: PointChunk = { count: n, x: new Float64Array(n), y: new Float64Array(n), z: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    c.x[i] = -123.07 + ((i * 7919) % 1000) / 1e5; // 0.01° of longitude ≈ 800 m at 44°N
    c.y[i] = 44.05 + ((i * 104729) % 1000) / 1e5; // 0.01° of latitude ≈ 1 111 m
    c.z[i] = 100 + (i % 10);
  }
  await withTempDir(async (dir) => {
    const result = await writeTileset(fakeOctree(syntheticHeader(), c, { maxPerNode: 500, cells: 8 }), dir, { srsIn: "EPSG:4326" }, ctx());
    assert.equal(result.georeferenced, true);
    const report = await validateTileset(join(dir, "tiles/tileset.json"));
    assert.deepEqual(report.issues, []);
    const box = report.tileset.root!.boundingVolume!.box!;
    assert.ok(Math.abs(2 * box[3]! - 0.00999 * 111_320 * Math.cos((44.055 * Math.PI) / 180)) < 5, `east-west ${2 * box[3]!} m`);
    assert.ok(Math.abs(2 * box[7]! - 0.00999 * 111_090) < 5, `north-south ${2 * box[7]!} m`);
    assert.ok(Math.abs(2 * box[11]! - 9) < 0.1, `up ${2 * box[11]!} m`);
  });
});

test("bad srs_in is INVALID_PARAMS; a file CRS that does not fit its points leaves the cloud unplaced with a warning", async () => {
  const { header, points } = await readAll(pc("laspy_autzen_trim.laz"));
  const octree = fakeOctree(header, points, { maxPerNode: 50000, cells: 8 });
  for (const srsIn of ["not a crs", "EPSG:99999", "+proj=nonsense +units=m", "EPSG:4326"]) {
    await withTempDir(async (dir) => {
      await assert.rejects(writeTileset(octree, dir, { srsIn }, ctx()), (e: unknown) => e instanceof AppError && e.code === "INVALID_PARAMS", srsIn);
    });
  }
  // laspy's LAS 1.4 sample says WGS84 degrees but holds x up to 226 and y up to 100.
  const odd = await readAll(pc("laspy_simple1_4.las"));
  const oddTree = fakeOctree(odd.header, odd.points, { maxPerNode: 5000, cells: 8 });
  await withTempDir(async (dir) => {
    const log: string[] = [];
    const result = await writeTileset(oddTree, dir, {}, ctx(log));
    assert.equal(result.georeferenced, false);
    assert.ok(
      log.some((l) => /not georeferenced.*not on the globe/.test(l)),
      log.join("\n"),
    );
    assert.deepEqual((await validateTileset(join(dir, "tiles/tileset.json"))).issues, []);
  });
});

test("geometric errors scale with geometricErrorScale and reach 0 at the leaves", async () => {
  const { header, points } = await readAll(pc("laspy_autzen_trim.laz"));
  const octree = fakeOctree(header, points, { maxPerNode: 8000, cells: 16 });
  const rootErrors: number[] = [];
  for (const scale of [1, 2]) {
    await withTempDir(async (dir) => {
      await writeTileset(octree, dir, { geometricErrorScale: scale }, ctx());
      const json = JSON.parse(await readFile(join(dir, "tiles/tileset.json"), "utf8")) as { root: { geometricError: number } };
      rootErrors.push(json.root.geometricError);
      assert.deepEqual((await validateTileset(join(dir, "tiles/tileset.json"))).issues, []);
    });
  }
  // Root spacing: the cube side (1177 ft) / 16 cells, in metres.
  assert.ok(Math.abs(rootErrors[0]! - (1177.46 / 16) * 0.3048) < 0.5, `root error ${rootErrors[0]}`);
  assert.ok(Math.abs(rootErrors[1]! / rootErrors[0]! - 2) < 1e-9);
  await withTempDir(async (dir) => {
    await assert.rejects(writeTileset(octree, dir, { geometricErrorScale: 0 }, ctx()), (e: unknown) => e instanceof AppError && e.code === "INVALID_PARAMS");
  });
});

function syntheticHeader(): PointCloudHeader {
  return {
    sourceFormat: "las",
    pointCount: undefined,
    bounds: undefined,
    scale: undefined,
    offset: undefined,
    crs: {},
    attributes: { color: false, intensity: false, gpsTime: false, nir: false, classification: false },
  };
}

test("edge clouds: one point, a thousand identical points, a NaN coordinate, and an empty octree", async () => {
  const one: PointChunk = { count: 1, x: Float64Array.of(10), y: Float64Array.of(20), z: Float64Array.of(30) };
  await withTempDir(async (dir) => {
    const result = await writeTileset(fakeOctree(syntheticHeader(), one), dir, {}, ctx());
    assert.equal(result.outputs.length, 2);
    const report = await validateTileset(join(dir, "tiles/tileset.json"));
    assert.deepEqual(report.issues, []);
    assert.equal(report.tiles[0]!.count, 1);
    assert.ok((report.tileset.geometricError ?? 0) > 0);
    await assertGltfClean([]);
    const v = await gltfValidator(report.tiles[0]!.plainGlb);
    assert.equal(v.issues.numErrors, 0, JSON.stringify(v.issues.messages.slice(0, 3)));
  });
  const n = 1000;
  const same: PointChunk = { count: n, x: new Float64Array(n).fill(5), y: new Float64Array(n).fill(5), z: new Float64Array(n).fill(5), intensity: new Uint16Array(n).fill(7) };
  await withTempDir(async (dir) => {
    const octree = fakeOctree(syntheticHeader(), same, { maxPerNode: 100, cells: 4 });
    await writeTileset(octree, dir, {}, ctx());
    const report = await validateTileset(join(dir, "tiles/tileset.json"));
    assert.deepEqual(report.issues, []);
    assert.equal(
      report.tiles.reduce((s, t) => s + t.count, 0),
      n,
    );
  });
  // A node that yields a NaN coordinate (the builder rejects them; the writer does not trust it).
  const nan: PointChunk = { count: 2, x: Float64Array.of(1, Number.NaN), y: Float64Array.of(1, 2), z: Float64Array.of(1, 2) };
  const nanTree: Octree = {
    header: syntheticHeader(),
    pointCount: 2,
    bounds: { min: [1, 1, 1], max: [2, 2, 2] },
    cube: { min: [1, 1, 1], max: [2, 2, 2] },
    nodes: [{ key: { d: 0, x: 0, y: 0, z: 0 }, cube: { min: [1, 1, 1], max: [2, 2, 2] }, bounds: { min: [1, 1, 1], max: [2, 2, 2] }, pointCount: 2, subtreePointCount: 2, spacing: 0.5, children: [] }],
    readNode: () => Promise.resolve(nan),
  };
  await withTempDir(async (dir) => {
    await assert.rejects(writeTileset(nanTree, dir, {}, ctx()), (e: unknown) => e instanceof AppError && e.code === "INPUT_CORRUPT");
  });
  const empty: Octree = {
    header: syntheticHeader(),
    pointCount: 0,
    bounds: { min: [0, 0, 0], max: [0, 0, 0] },
    cube: { min: [0, 0, 0], max: [0, 0, 0] },
    nodes: [],
    readNode: () => Promise.reject(new Error("none")),
  };
  await withTempDir(async (dir) => {
    await assert.rejects(writeTileset(empty, dir, {}, ctx()), (e: unknown) => e instanceof AppError && e.code === "INPUT_EMPTY");
  });
});

test("a cancelled signal stops the writer between tiles", async () => {
  const { header, points } = await readAll(pc("laspy_autzen_trim.laz"));
  const octree = fakeOctree(header, points, { maxPerNode: 3000, cells: 16 });
  const ac = new AbortController();
  let tiles = 0;
  await withTempDir(async (dir) => {
    await assert.rejects(
      writeTileset(
        octree,
        dir,
        {},
        {
          signal: ac.signal,
          progress: () => {
            if (++tiles === 3) ac.abort(new AppError("CANCELLED", "stop"));
          },
        },
      ),
      (e: unknown) => e instanceof AppError && e.code === "CANCELLED",
    );
  });
  assert.ok(tiles < octree.nodes.length);
  void parseSrsIn;
});
