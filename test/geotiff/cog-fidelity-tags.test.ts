import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { execa } from "execa";
import { keptByTags } from "../../src/processors/geotiff/cog-fidelity-tags.ts";
import { chooseCog, cogTranslateArgs, type CogRequest } from "../../src/processors/geotiff/cog-options.ts";
import { validateCog } from "../../src/processors/geotiff/cog-validator.ts";
import { fidelityProblems } from "../../src/processors/geotiff/raster-fidelity.ts";
import { GdalInfoJson, toRasterInfo } from "../../src/processors/geotiff/raster-info.ts";
import { inspectGeoTiff } from "../../src/processors/geotiff/raster-inspect.ts";
import { fixture } from "../helpers/fixtures.ts";
import { cleanupRuns, scratchDir } from "../helpers/run-stages.ts";
import { makePalettedGeoTiff } from "./make-paletted.ts";

// Each case is a source and a raster GDAL made from it. "tags": the COG's own tags show that it kept
// everything; "gdalinfo": it kept everything but the tags cannot show it for certain; "lost": GDAL
// itself finds that something the source had is gone.
type Verdict = "tags" | "gdalinfo" | "lost";
interface Case {
  name: string;
  source: () => Promise<string>;
  /** gdal_translate arguments before the input and output; absent: the processor's own cogTranslateArgs. */
  translate?: string[];
  request?: Partial<CogRequest>;
  expect: Verdict;
}

let scratch = "";
const gdalEnv = { GDAL_PAM_ENABLED: "NO" };
const signal = new AbortController().signal;
let outputs = 0;

void before(async () => {
  scratch = await scratchDir();
});
void after(cleanupRuns);

const geotiff = (name: string) => () => Promise.resolve(fixture("geotiff", name));

/** A GTiff made once from `input` with `args`, shared by the cases that start from it. */
function derived(name: string, input: () => Promise<string>, args: string[]): () => Promise<string> {
  let made: Promise<string> | undefined;
  return () =>
    (made ??= (async () => {
      const out = join(scratch, `${name}.tif`);
      await execa("gdal_translate", ["-q", "-of", "GTiff", ...args, await input(), out], { env: gdalEnv });
      return out;
    })());
}

let paletted: Promise<string> | undefined;
const palette = () => (paletted ??= makePalettedGeoTiff(scratch, 300, 200));
const nodata = geotiff("riocogeo_image_nodata.tif");
const rgba = geotiff("riocogeo_image_rgba.tif");
const float32Nan = derived("float32-nan", nodata, ["-ot", "Float32", "-a_nodata", "nan"]);
const signedByte = derived("signed-byte", nodata, ["-ot", "Byte", "-co", "PIXELTYPE=SIGNEDBYTE"]);

const fixtures = [
  "derived_large_rgb_6000px_striped.tif",
  "riocogeo_image_2000px.tif",
  "riocogeo_image_float.tif",
  "riocogeo_image_nodata.tif",
  "riocogeo_image_rgba.tif",
  "riocogeo_validate_image_COG_gdal3.1.tif",
  "riocogeo_validate_image_dec.tif",
  "riocogeo_validate_image_known_incompatible_ghost_headers.tif",
  "riocogeo_validate_image_sorted.tif",
];

const cases: Case[] = [
  ...fixtures.map((name): Case => ({ name: `fixture ${name}`, source: geotiff(name), expect: "tags" })),
  { name: "paletted Byte", source: palette, expect: "tags" },
  { name: "Float32 with NaN nodata", source: float32Nan, expect: "tags" },
  { name: "UInt16 with nodata 0", source: derived("uint16", nodata, ["-ot", "UInt16", "-a_nodata", "0"]), expect: "tags" },
  { name: "Int32 with nodata -2147483648", source: derived("int32", nodata, ["-ot", "Int32", "-a_nodata", "-2147483648"]), expect: "tags" },
  { name: "UInt32 with nodata 4294967295", source: derived("uint32", nodata, ["-ot", "UInt32", "-a_nodata", "4294967295"]), expect: "tags" },
  { name: "Float64 with nodata -1e30", source: derived("float64", nodata, ["-ot", "Float64", "-a_nodata", "-1e30"]), expect: "tags" },
  { name: "Float32 with nodata 0.1", source: derived("float32-tenth", nodata, ["-ot", "Float32", "-a_nodata", "0.1"]), expect: "tags" },
  { name: "gray + alpha", source: derived("gray-alpha", rgba, ["-b", "1", "-b", "4"]), expect: "tags" },
  { name: "RGBA written as JPEG: the alpha becomes a mask", source: rgba, request: { compression: "jpeg" }, expect: "tags" },
  { name: "Int16 nodata as a big-endian BigTIFF", source: nodata, translate: ["-of", "GTiff", "-co", "TILED=YES", "-co", "BIGTIFF=YES", "-co", "ENDIANNESS=BIG"], expect: "tags" },
  { name: "RGBA as a big-endian classic TIFF", source: rgba, translate: ["-of", "GTiff", "-co", "TILED=YES", "-co", "ENDIANNESS=BIG"], expect: "tags" },
  { name: "Float32 NaN as a big-endian BigTIFF", source: float32Nan, translate: ["-of", "GTiff", "-co", "TILED=YES", "-co", "BIGTIFF=YES", "-co", "ENDIANNESS=BIG"], expect: "tags" },
  { name: "8-bit signed (Byte with PIXELTYPE=SIGNEDBYTE)", source: signedByte, expect: "gdalinfo" },
  { name: "1-bit (NBITS=1)", source: derived("one-bit", nodata, ["-ot", "Byte", "-a_nodata", "none", "-co", "NBITS=1"]), expect: "gdalinfo" },
  // Not through cogTranslateArgs: GDAL refuses its PREDICTOR=YES on 12-bit samples.
  { name: "12-bit UInt16 (NBITS=12)", source: derived("twelve-bit", nodata, ["-ot", "UInt16", "-a_nodata", "0", "-co", "NBITS=12"]), translate: ["-of", "COG"], expect: "gdalinfo" },
  { name: "Float32 with -inf nodata", source: derived("float32-inf", nodata, ["-ot", "Float32", "-a_nodata", "-inf"]), expect: "gdalinfo" },
  { name: "Int64", source: derived("int64", nodata, ["-ot", "Int64"]), expect: "gdalinfo" },
  { name: "complex CInt16", source: derived("cint16", nodata, ["-ot", "CInt16"]), expect: "gdalinfo" },
  { name: "nodata dropped", source: nodata, translate: ["-of", "COG", "-a_nodata", "none"], expect: "lost" },
  { name: "nodata changed", source: nodata, translate: ["-of", "COG", "-a_nodata", "-9998"], expect: "lost" },
  { name: "NaN nodata became 0", source: float32Nan, translate: ["-of", "COG", "-a_nodata", "0"], expect: "lost" },
  { name: "alpha dropped", source: rgba, translate: ["-of", "COG", "-b", "1", "-b", "2", "-b", "3"], expect: "lost" },
  { name: "alpha reinterpreted as undefined", source: rgba, translate: ["-of", "COG", "-colorinterp_4", "undefined"], expect: "lost" },
  { name: "palette expanded to RGB", source: palette, translate: ["-of", "COG", "-expand", "rgb"], expect: "lost" },
  { name: "Int16 became Float32", source: nodata, translate: ["-of", "COG", "-ot", "Float32"], expect: "lost" },
  { name: "8-bit signed lost its nodata", source: signedByte, translate: ["-of", "COG", "-a_nodata", "none"], expect: "lost" },
];

for (const c of cases) {
  void test(`tags and gdalinfo agree on the COG of ${c.name} (${c.expect})`, async () => {
    const input = await c.source();
    const source = await inspectGeoTiff(input, { signal });
    const out = join(scratch, `out-${++outputs}.tif`);
    const args = c.translate ? [...c.translate, input, out] : processorArgs(input, out, source, c.request ?? {});
    await execa("gdal_translate", ["-q", ...args], { env: gdalEnv });
    const { stdout } = await execa("gdalinfo", ["-json", out], { env: gdalEnv });
    const problems = fidelityProblems(source, toRasterInfo(GdalInfoJson.parse(JSON.parse(stdout))));
    const { structure } = await validateCog(out);
    assert.ok(structure, "the raster's IFDs were read");
    const byTags = keptByTags(source, structure);
    if (byTags) assert.deepEqual(problems, [], "the tags passed what gdalinfo fails");
    if (problems.length > 0) assert.equal(byTags, false, `gdalinfo found ${problems.join("; ")}, the tags passed it`);
    assert.equal(byTags ? "tags" : problems.length > 0 ? "lost" : "gdalinfo", c.expect);
  });
}

function processorArgs(input: string, out: string, source: Awaited<ReturnType<typeof inspectGeoTiff>>, request: Partial<CogRequest>): string[] {
  const req: CogRequest = { blockSize: 512, webOptimized: false, ...request };
  return cogTranslateArgs(input, out, source, req, chooseCog(source, req));
}
