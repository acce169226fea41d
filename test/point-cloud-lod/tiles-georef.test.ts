import assert from "node:assert/strict";
import { test } from "node:test";
import { AppError } from "../../src/contracts/app-error.ts";
import type { PointCloudHeader } from "../../src/processors/point-cloud/point-chunk.ts";
import { crsSourceFromFile, defineCrs, parseSrsIn } from "../../src/processors/point-cloud-lod/georef/crs-definition.ts";
import { ecefToGeodetic, enuToEcefMatrix, geodeticToEcef } from "../../src/processors/point-cloud-lod/georef/ecef.ts";
import { proj4FromEpsg } from "../../src/processors/point-cloud-lod/georef/epsg-table.ts";
import { createGeoreference } from "../../src/processors/point-cloud-lod/georef/georeference.ts";
import { FOOT, US_SURVEY_FOOT } from "../../src/processors/point-cloud-lod/georef/linear-units.ts";
import { mapToLocal } from "../../src/processors/point-cloud-lod/georef/local-grid.ts";
import { metresPerUnit } from "../../src/processors/point-cloud-lod/georef/metres-per-unit.ts";
import { resolveCrs } from "../../src/processors/point-cloud-lod/georef/resolve-crs.ts";
import { openLasSource } from "../../src/processors/point-cloud/las/las-reader.ts";
import { pc } from "../point-cloud/pc-test-utils.ts";

async function headerOf(name: string): Promise<PointCloudHeader> {
  const s = await openLasSource(pc(name), {});
  await s.close();
  return s.header;
}

const bare = (crs: PointCloudHeader["crs"] = {}): PointCloudHeader => ({
  sourceFormat: "las",
  pointCount: 1,
  bounds: undefined,
  scale: undefined,
  offset: undefined,
  crs,
  attributes: { color: false, intensity: false, gpsTime: false, nir: false, classification: false },
});

test("metresPerUnit: the fixtures' CRSs (foot, US survey foot, metre, degrees), srs_in overriding, 1 when unknown", async () => {
  assert.equal(metresPerUnit(await headerOf("laspy_autzen_trim.laz")), FOOT);
  assert.equal(metresPerUnit(await headerOf("laspy_1_4_w_evlr.laz")), US_SURVEY_FOOT);
  assert.equal(metresPerUnit(await headerOf("laspy_simple.copc.laz")), 1, "COMPD_CS: horizontal metres, vertical US feet");
  assert.equal(metresPerUnit(await headerOf("laspy_simple1_4.las")), 1, "geographic: no linear unit");
  assert.equal(metresPerUnit(await headerOf("laspy_simple.las")), 1, "no CRS");
  assert.equal(metresPerUnit(bare(), "EPSG:2994"), FOOT);
  assert.equal(metresPerUnit(bare(), "EPSG:2903"), US_SURVEY_FOOT);
  assert.equal(metresPerUnit(bare(), "EPSG:32633"), 1);
  assert.equal(metresPerUnit(bare(), "+proj=tmerc +lat_0=31 +lon_0=-106.25 +k=0.9999 +x_0=500000 +y_0=0 +ellps=GRS80 +units=us-ft"), US_SURVEY_FOOT);
  assert.equal(metresPerUnit(await headerOf("laspy_autzen_trim.laz"), "EPSG:2993"), 1, "srs_in overrides the file");
  assert.equal(metresPerUnit(bare({ epsg: 123456 })), 1, "an EPSG code nobody knows");
  assert.equal(metresPerUnit(bare(), "EPSG:6557"), FOOT, "outside the table: GDAL defines it");
  assert.throws(
    () => metresPerUnit(bare(), "metres please"),
    (e: unknown) => e instanceof AppError && e.code === "INVALID_PARAMS",
  );
});

test("CRS definitions: a COMPD_CS gives proj4 its PROJCS and the vertical unit from VERT_CS; GeoTIFF unit keys count", async () => {
  const copc = defineCrs(crsSourceFromFile((await headerOf("laspy_simple.copc.laz")).crs))!;
  assert.match(copc.def, /^PROJCS\["NAD83 \/ Oregon LCC \(m\)"/);
  assert.equal(copc.horizontalUnit, 1);
  assert.equal(copc.verticalUnit, US_SURVEY_FOOT);
  const nm = defineCrs(crsSourceFromFile((await headerOf("laspy_1_4_w_evlr.laz")).crs))!;
  // Its VERTCS says UNIT["US survey foot",1.0]: the name wins over the slip.
  assert.equal(nm.verticalUnit, US_SURVEY_FOOT);
  const autzen = defineCrs(crsSourceFromFile((await headerOf("laspy_autzen_trim.laz")).crs))!;
  assert.equal(autzen.verticalUnit, FOOT, "no vertical CRS: z in the horizontal unit");
  assert.deepEqual(parseSrsIn("epsg:2994+6360"), { epsg: 2994, verticalEpsg: 6360 });
  assert.equal(defineCrs(parseSrsIn("EPSG:2994+6360"))!.verticalUnit, US_SURVEY_FOOT);
  assert.equal(defineCrs(parseSrsIn("EPSG:2994+5703"))!.verticalUnit, 1);
  // GeoTIFF keys: ProjectedCSType 2994 (3072) and VerticalUnits 9001 (4099), inline shorts.
  const keys = new Uint8Array(8 + 2 * 8);
  const v = new DataView(keys.buffer);
  [1, 1, 0, 2, 3072, 0, 1, 2994, 4099, 0, 1, 9001].forEach((x, i) => v.setUint16(i * 2, x, true));
  const fromKeys = defineCrs(crsSourceFromFile({ epsg: 2994, geoKeyVlrs: [{ recordId: 34735, data: keys }] }))!;
  assert.equal(fromKeys.label, "EPSG:2994");
  assert.equal(fromKeys.horizontalUnit, FOOT);
  assert.equal(fromKeys.verticalUnit, 1);
  // Generated UTM zones.
  assert.match(proj4FromEpsg(32610)!, /\+zone=10 .*WGS84/);
  assert.match(proj4FromEpsg(32756)!, /\+zone=56 \+south/);
  assert.match(proj4FromEpsg(26915)!, /\+zone=15 .*NAD83/);
  assert.equal(proj4FromEpsg(32661), undefined);
  for (const bad of ["", "EPSG:", "hello world", "PROJCS[unbalanced"])
    assert.throws(
      () => parseSrsIn(bad),
      (e: unknown) => e instanceof AppError && e.code === "INVALID_PARAMS",
      bad,
    );
});

test("resolveCrs: the table first, then GDAL for other EPSG codes; a bad srs_in is INVALID_PARAMS", async () => {
  // EPSG:6557 (NAD83(2011) / Oregon GIC Lambert (ft)) is not in the table: GDAL defines it.
  const viaGdal = await resolveCrs(bare(), "EPSG:6557");
  assert.ok(viaGdal.crs, "GDAL knows EPSG:6557");
  assert.equal(viaGdal.crs.horizontalUnit, FOOT);
  await assert.rejects(resolveCrs(bare(), "EPSG:999999"), (e: unknown) => e instanceof AppError && e.code === "INVALID_PARAMS");
  const none = await resolveCrs(bare(), undefined);
  assert.equal(none.crs, undefined);
  const unknownFileCrs = await resolveCrs(bare({ epsg: 999999 }), undefined);
  assert.equal(unknownFileCrs.crs, undefined);
  assert.match(("warning" in unknownFileCrs && unknownFileCrs.warning) || "", /999999/);
  const brokenWkt = await resolveCrs(bare({ wkt: 'PROJCS["x",PROJECTION["No_Such_Projection"],UNIT["metre",1]]' }), undefined);
  assert.equal(brokenWkt.crs, undefined);
});

test("ECEF and ENU: round trips, and the ENU frame's axes point east, north and up", () => {
  const out = [0, 0, 0];
  geodeticToEcef(-123.07, 44.05, 150, out);
  const back = ecefToGeodetic(out[0]!, out[1]!, out[2]!);
  assert.ok(Math.abs(back.longitude + 123.07) < 1e-9 && Math.abs(back.latitude - 44.05) < 1e-9 && Math.abs(back.height - 150) < 1e-4, JSON.stringify(back));
  const m = enuToEcefMatrix(-123.07, 44.05, 150);
  const apply = (p: number[]) => [0, 1, 2].map((r) => m[r]! * p[0]! + m[4 + r]! * p[1]! + m[8 + r]! * p[2]! + m[12 + r]!);
  const up = ecefToGeodetic(...(apply([0, 0, 100]) as [number, number, number]));
  assert.ok(Math.abs(up.height - 250) < 1e-3 && Math.abs(up.latitude - 44.05) < 1e-7);
  const north = ecefToGeodetic(...(apply([0, 1000, 0]) as [number, number, number]));
  assert.ok(north.latitude > 44.05 && Math.abs(north.longitude + 123.07) < 1e-9);
  const east = ecefToGeodetic(...(apply([1000, 0, 0]) as [number, number, number]));
  assert.ok(east.longitude > -123.07 && Math.abs(east.latitude - 44.05) < 1e-3);
});

test("the local frame keeps distances: autzen's feet become metres, and grid interpolation stays within 2 mm of proj4 per point over 20 km", async () => {
  const header = await headerOf("laspy_autzen_trim.laz");
  const crs = defineCrs(crsSourceFromFile(header.crs))!;
  const geo = createGeoreference(crs, header.bounds!);
  const a = [0, 0, 0],
    b = [0, 0, 0];
  geo.toLocal(636001.76, 848935.2, 406.26, a, 0);
  geo.toLocal(637179.22, 849497.9, 520.51, b, 0);
  const metres = Math.hypot(b[0]! - a[0]!, b[1]! - a[1]!, b[2]! - a[2]!);
  const feet = Math.hypot(637179.22 - 636001.76, 849497.9 - 848935.2, 520.51 - 406.26);
  // Ground distance = grid distance / Lambert's scale factor, ~0.99976 midway between 43° and 45.5°.
  const ratio = metres / (feet * FOOT);
  assert.ok(ratio > 1.0001 && ratio < 1.0004, `${metres} m vs ${feet * FOOT} m of grid: ${ratio}`);

  // A 20 km × 20 km UTM block, 300 m of relief: interpolation against the exact map.
  const utm = defineCrs(parseSrsIn("EPSG:32610"))!;
  const bounds = { min: [500000, 4880000, 0] as [number, number, number], max: [520000, 4900000, 300] as [number, number, number] };
  const big = createGeoreference(utm, bounds);
  const n = 5000;
  const chunk = { count: n, x: new Float64Array(n), y: new Float64Array(n), z: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    chunk.x[i] = 500000 + ((i * 7919) % 20000);
    chunk.y[i] = 4880000 + ((i * 104729) % 20000);
    chunk.z[i] = (i * 31) % 300;
  }
  const fast = mapToLocal(big, bounds, 1, chunk);
  const exact = [0, 0, 0];
  let worst = 0;
  for (let i = 0; i < n; i++) {
    big.toLocal(chunk.x[i]!, chunk.y[i]!, chunk.z[i]!, exact, 0);
    worst = Math.max(worst, Math.hypot(fast[i * 3]! - exact[0]!, fast[i * 3 + 1]! - exact[1]!, fast[i * 3 + 2]! - exact[2]!));
  }
  assert.ok(worst < 0.002, `worst interpolation error ${worst} m`);
  // Earth curvature is in the frame: 10 km from the origin the ground lies ~7.8 m below the tangent plane.
  big.toLocal(520000, 4890000, 150, exact, 0);
  assert.ok(exact[2]! < -7 && exact[2]! > -9, `drop at 10 km: ${exact[2]}`);
});
