import { join } from "node:path";
import { AppError } from "../../contracts/app-error.ts";
import { defineProcessor, type OutputFile, type StageContext, type StageInput } from "../processor.ts";
import { chooseCog, cogTranslateArgs, type CogRequest } from "./cog-options.ts";
import { keptByTags } from "./cog-fidelity-tags.ts";
import { assertValidCog } from "./cog-validator.ts";
import { GeotiffCogParams } from "./geotiff-cog.params.ts";
import { writeGeoTiffPreview } from "./geotiff-preview.ts";
import { runGdal } from "./gdal-runner.ts";
import { assertFidelity, inspectGeoTiff } from "./raster-inspect.ts";
import { assertKnownSrs } from "./srs-check.ts";

export const COG_OUTPUT = "cog.tif";

type Input = StageInput<GeotiffCogParams>;

function request(params: GeotiffCogParams): CogRequest {
  return {
    compression: params.compression,
    quality: params.quality,
    blockSize: params.block_size,
    resampling: params.resampling,
    targetSrs: params.target_srs,
    webOptimized: params.web_optimized,
  };
}

/** The COG written by the `cog` stage, also when this task resumed on another node. */
function cogPath(input: Input, stage: string): string {
  const out = input.previous.cog?.find((o) => o.type === "cog");
  if (!out) throw new AppError("INTERNAL", "the cog stage left no cog output", { stage });
  return join(input.outDir, out.path);
}

/** geotiff_cog: a Cloud Optimized GeoTIFF with overviews made by the data's own resampling,
 * checked by a TypeScript port of GDAL's COG layout rules, and a preview image. */
export const geotiffCogProcessor = defineProcessor({
  taskType: "geotiff_cog",
  params: GeotiffCogParams,
  // GDAL opens the source read-only (gdalinfo, gdal_translate; a PAM .aux.xml would be a new file beside it), and our TIFF reader only reads.
  inputReadOnly: true,
  profile: { cpu_percent: 45, ram_gb: 16, max_concurrent: 2, ram_bytes_per_input_byte: 1 },
  stages(params) {
    return [
      {
        name: "inspect",
        label: "Reading raster structure",
        weight: 0.05,
        run: (input, ctx) => inspectStage(input, ctx),
      },
      {
        name: "cog",
        label: "Writing Cloud Optimized GeoTIFF",
        weight: 0.8,
        async run(input, ctx) {
          const info = await inspectGeoTiff(input.filePath, { signal: ctx.signal, stage: "cog" });
          const req = request(input.params);
          const args = cogTranslateArgs(input.filePath, join(input.outDir, COG_OUTPUT), info, req, chooseCog(info, req));
          await runGdal("gdal_translate", args, {
            signal: ctx.signal,
            stage: "cog",
            // The COG driver's temporary overview files go to scratch space, not next to the output.
            env: { CPL_TMPDIR: input.workDir },
            onPercent: (p) => ctx.progress({ done: p, total: 100, label: "Writing tiles and overviews" }),
          });
          return { outputs: [{ path: COG_OUTPUT, type: "cog", format: "tif", contentType: "image/tiff" }] };
        },
      },
      {
        name: "validate",
        label: "Validating COG layout",
        weight: 0.05,
        run: (input, ctx) => validateStage(input, ctx),
      },
      ...(params.preview === false
        ? []
        : [
            {
              name: "preview",
              label: "Rendering preview",
              weight: 0.1,
              async run(input: Input, ctx: StageContext): Promise<{ outputs: OutputFile[] }> {
                const preview = input.params.preview || { format: "webp" as const, max_size: 1024 };
                const path = `preview.${preview.format}`;
                await writeGeoTiffPreview(cogPath(input, "preview"), join(input.outDir, path), preview, {
                  signal: ctx.signal,
                  workDir: input.workDir,
                  stage: "preview",
                  onPercent: (p) => ctx.progress({ done: p, total: 100 }),
                });
                return { outputs: [{ path, type: "preview", format: preview.format, contentType: `image/${preview.format}` }] };
              },
            },
          ]),
    ];
  },
});

async function inspectStage(input: Input, ctx: StageContext): Promise<{ outputs: OutputFile[] }> {
  const where = { signal: ctx.signal, stage: "inspect" };
  // Two short processes side by side (gdalsrsinfo reads no file); a bad SRS is still the failure
  // named when the input is bad too, as when it was checked first.
  const [srs, inspected] = await Promise.allSettled([input.params.target_srs === undefined ? undefined : assertKnownSrs(input.params.target_srs, where), inspectGeoTiff(input.filePath, where)]);
  if (srs.status === "rejected") throw srs.reason;
  if (inspected.status === "rejected") throw inspected.reason;
  const info = inspected.value;
  // Fails here, before the long stage, when the asked compression cannot hold these pixels.
  const choice = chooseCog(info, request(input.params));
  ctx.log("raster inspected", { ...info, ...choice });
  return { outputs: [] };
}

async function validateStage(input: Input, ctx: StageContext): Promise<{ outputs: OutputFile[] }> {
  const path = cogPath(input, "validate");
  const where = { signal: ctx.signal, stage: "validate" };
  // The layout check reads the COG's IFDs while the `inspect` stage's facts are recalled (read again
  // by gdalinfo after a resume elsewhere); a bad layout is the failure named when both fail.
  const [layout, source] = await Promise.allSettled([assertValidCog(path, { stage: "validate", requireTiled: true }), inspectGeoTiff(input.filePath, where)]);
  if (layout.status === "rejected") throw layout.reason;
  if (source.status === "rejected") throw source.reason;
  const report = layout.value;
  // The tags just read settle fidelity when they show that everything the source had is kept;
  // gdalinfo on the COG (~100 ms of library loading) decides whenever they do not.
  const byTags = report.structure !== null && keptByTags(source.value, report.structure);
  if (!byTags) await assertFidelity(source.value, path, "the COG", where);
  ctx.log("COG valid", { warnings: report.warnings, overviews: report.details.overviewSizes, fidelityCheckedBy: byTags ? "tags" : "gdalinfo" });
  return { outputs: [] };
}
