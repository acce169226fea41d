import { join } from "node:path";
import { AppError } from "../../contracts/app-error.ts";
import { defineProcessor } from "../processor.ts";
import { chooseCog, cogTranslateArgs, defaultResampling } from "./cog-options.ts";
import { assertValidCog } from "./cog-validator.ts";
import { runGdal } from "./gdal-runner.ts";
import { GeotiffResizeParams } from "./geotiff-resize.params.ts";
import { isFloatType, type RasterInfo } from "./raster-info.ts";
import { assertFidelity, inspectGeoTiff } from "./raster-inspect.ts";
import { resizeTarget } from "./resize-target.ts";

export const RESIZED_OUTPUT = "resized.tif";

/** Writer options for a plain GeoTIFF: tiled and losslessly compressed like the COG default. */
function gtiffArgs(info: RasterInfo): string[] {
  const co = ["TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512", "COMPRESS=DEFLATE", "BIGTIFF=IF_SAFER", "NUM_THREADS=ALL_CPUS"];
  if (info.kind !== "categorical") co.push(`PREDICTOR=${isFloatType(info.dataType) ? 3 : 2}`);
  return ["-of", "GTiff", ...co.flatMap((o) => ["-co", o])];
}

/** geotiff_resize: a new pixel size by width/height, scale or ground resolution, with the data's own
 * resampling, written as a validated COG or a tiled GeoTIFF. Nodata, palette and alpha are kept. */
export const geotiffResizeProcessor = defineProcessor({
  taskType: "geotiff_resize",
  params: GeotiffResizeParams,
  // GDAL opens the source read-only (gdalinfo, gdal_translate; a PAM .aux.xml would be a new file beside it).
  inputReadOnly: true,
  profile: { cpu_percent: 35, ram_gb: 12, max_concurrent: 3, ram_bytes_per_input_byte: 1 },
  stages(params) {
    return [
      {
        name: "resize",
        label: "Resampling raster",
        weight: 0.9,
        async run(input, ctx) {
          const info = await inspectGeoTiff(input.filePath, { signal: ctx.signal, stage: "resize" });
          const target = resizeTarget(info, input.params);
          const resampling = input.params.resampling ?? defaultResampling(info);
          const out = join(input.outDir, RESIZED_OUTPUT);
          const writer =
            input.params.output === "cog"
              ? cogTranslateArgs(input.filePath, out, info, { blockSize: 512, resampling, webOptimized: false }, chooseCog(info, { blockSize: 512, resampling, webOptimized: false }))
              : [...gtiffArgs(info), input.filePath, out];
          await runGdal("gdal_translate", [...target.args, "-r", resampling, ...writer], {
            signal: ctx.signal,
            stage: "resize",
            env: { CPL_TMPDIR: input.workDir },
            onPercent: (p) => ctx.progress({ done: p, total: 100, label: `Resampling to ${target.width}x${target.height}` }),
          });
          await assertFidelity(info, out, "the resized raster", { signal: ctx.signal, stage: "resize" });
          return { outputs: [{ path: RESIZED_OUTPUT, type: "raster", format: input.params.output === "cog" ? "cog" : "tif", contentType: "image/tiff" }] };
        },
      },
      ...(params.output === "cog"
        ? [
            {
              name: "validate",
              label: "Validating COG layout",
              weight: 0.1,
              async run(input: { outDir: string; previous: Readonly<Record<string, readonly { path: string }[]>> }) {
                const resized = input.previous.resize?.[0];
                if (!resized) throw new AppError("INTERNAL", "the resize stage left no output", { stage: "validate" });
                await assertValidCog(join(input.outDir, resized.path), { stage: "validate", requireTiled: true });
                return { outputs: [] };
              },
            },
          ]
        : []),
    ];
  },
});
