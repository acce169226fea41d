import { createGlbSink } from "./glb/glb-sink.ts";
import { createLasSink } from "./las/las-writer.ts";
import type { PointCloudHeader, PointCloudSink } from "./point-chunk.ts";
import type { PointCloudConvertParams } from "./point-cloud-convert.params.ts";
import { createPlySink } from "./ply/ply-sink.ts";
import { createTextSink } from "./text/text-sink.ts";

/** The writer for `params.output_format`, fed the source's header so scale, offset and CRS carry through. */
export async function createPointCloudSink(
  path: string,
  header: PointCloudHeader,
  params: PointCloudConvertParams,
  options: { scratchDir?: string; signal?: AbortSignal } = {},
): Promise<PointCloudSink> {
  const las = {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(params.las_version ? { version: params.las_version } : {}),
    ...(params.point_format !== undefined ? { pointFormat: params.point_format } : {}),
  };
  switch (params.output_format) {
    case "las":
      return createLasSink(path, header, las);
    case "laz":
      return createLasSink(path, header, { ...las, compress: true });
    case "ply":
      return createPlySink(path, header, { encoding: params.ply_encoding ?? "binary" });
    case "xyz":
    case "pts":
      return createTextSink(path, header, { kind: params.output_format });
    case "glb":
      return createGlbSink(path, header, options);
  }
}
