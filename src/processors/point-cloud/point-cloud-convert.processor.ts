import { join } from "node:path";
import { AppError, toAppError } from "../../contracts/app-error.ts";
import { defineProcessor, type StageContext, type StageInput } from "../processor.ts";
import { PointCloudConvertParams } from "./point-cloud-convert.params.ts";
import { createPointCloudSink } from "./point-cloud-sink.ts";
import { detectInputFormat, openPointCloud } from "./point-cloud-source.ts";
import { READER_DEFAULTS, type PointCloudHeader } from "./point-chunk.ts";

export { PointCloudConvertParams } from "./point-cloud-convert.params.ts";

type Input = StageInput<PointCloudConvertParams>;

const hints = (input: Input): (string | undefined)[] => [input.source.format, input.source.key];

/** Header facts for the log: what the user uploaded, before any point is converted. */
function describe(h: PointCloudHeader): Record<string, unknown> {
  return {
    format: h.sourceFormat,
    points: h.pointCount,
    las: h.las ? `${h.las.version} format ${h.las.pointFormat}` : undefined,
    epsg: h.crs.epsg,
    wkt: h.crs.wkt !== undefined,
    extraBytes: h.extraBytes?.size,
    bounds: h.bounds,
  };
}

async function readHeader(input: Input, ctx: StageContext): Promise<{ outputs: [] }> {
  let source;
  try {
    source = await openPointCloud(input.filePath, await detectInputFormat(input.filePath, hints(input)));
  } catch (error) {
    throw toAppError(error, "read_header");
  }
  await source.close();
  ctx.log("point cloud header", describe(source.header));
  return { outputs: [] };
}

async function convert(input: Input, ctx: StageContext): Promise<{ outputs: { path: string; type: string; format: string }[] }> {
  const { params } = input;
  const format = await detectInputFormat(input.filePath, hints(input));
  const source = await openPointCloud(input.filePath, format, { chunkSize: params.chunk_size ?? READER_DEFAULTS.chunkSize });
  const name = `points.${params.output_format}`;
  const total = source.header.pointCount;
  try {
    const sink = await createPointCloudSink(join(input.outDir, name), source.header, params, { scratchDir: input.workDir, signal: ctx.signal });
    let done = 0;
    try {
      for await (const chunk of source.points(ctx.signal)) {
        await sink.write(chunk);
        done += chunk.count;
        // Text sources do not know their count: bytes read stand in for progress.
        if (total !== undefined) ctx.progress({ done, total, label: `${done} of ${total} points`, unit: "points" });
        else ctx.progress({ done: source.bytesRead?.() ?? 0, total: input.source.size_bytes ?? 0, label: `${done} points`, unit: "bytes" });
      }
      const { points } = await sink.close();
      ctx.log("point cloud written", { output: name, points });
    } catch (error) {
      await sink.abort().catch(() => undefined);
      throw error;
    }
  } catch (error) {
    if (ctx.signal.aborted) throw new AppError("CANCELLED", "Point cloud conversion was cancelled", { stage: "convert", cause: error });
    throw toAppError(error, "convert");
  } finally {
    await source.close().catch(() => undefined);
  }
  return { outputs: [{ path: name, type: "point_cloud", format: params.output_format }] };
}

/** point_cloud_convert: LAS/LAZ/COPC/E57/PLY/XYZ/PTS/OBJ → LAS/LAZ/PLY/XYZ/PTS/GLB, streamed chunk by chunk. */
export const pointCloudConvertProcessor = defineProcessor({
  taskType: "point_cloud_convert",
  params: PointCloudConvertParams,
  // Every reader and writer streams in chunks (LAZ too, chunk by chunk): memory does not grow with the input.
  profile: { cpu_percent: 40, ram_gb: 16, max_concurrent: 2 },
  stages: () => [
    { name: "read_header", label: "Reading point cloud header", weight: 0.05, run: readHeader },
    { name: "convert", label: "Converting points", weight: 1, run: convert },
  ],
});
