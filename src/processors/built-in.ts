import type { TaskType } from "../contracts/task-types.ts";
import type { ProcessorDefinition } from "./processor.ts";

type Loader = () => Promise<ProcessorDefinition>;
const as = (p: unknown) => p as ProcessorDefinition;

/** One table keyed by task_type (STYLE.md): every built-in processor, imported on demand, so a
 * worker that runs one task type loads only that processor's libraries (sharp, GDAL glue, laz-perf…). */
export const BUILT_IN_PROCESSORS: Partial<Record<TaskType, Loader>> = {
  image_thumbnail: async () => as((await import("./image/image-thumbnail.processor.ts")).imageThumbnailProcessor),
  image_convert: async () => as((await import("./image/image-convert.processor.ts")).imageConvertProcessor),
  image_process: async () => as((await import("./image-ops/process/image-process.processor.ts")).imageProcessProcessor),
  image_ocr: async () => as((await import("./image-ops/ocr/image-ocr.processor.ts")).imageOcrProcessor),
  image_detect: async () => as((await import("./image-ops/detect/image-detect.processor.ts")).imageDetectProcessor),
  geotiff_cog: async () => as((await import("./geotiff/geotiff-cog.processor.ts")).geotiffCogProcessor),
  geotiff_resize: async () => as((await import("./geotiff/geotiff-resize.processor.ts")).geotiffResizeProcessor),
  point_cloud_convert: async () => as((await import("./point-cloud/point-cloud-convert.processor.ts")).pointCloudConvertProcessor),
  point_cloud_lod: async () => as((await import("./point-cloud-lod/point-cloud-lod.processor.ts")).pointCloudLodProcessor),
  video_transcode: async () => as((await import("./video/video-transcode.processor.ts")).videoTranscodeProcessor),
  archive_extract: async () => as((await import("./archive/archive-extract.processor.ts")).archiveExtractProcessor),
  archive_compress: async () => as((await import("./archive/archive-compress.processor.ts")).archiveCompressProcessor),
  mesh_3d_convert: async () => as((await import("./mesh/mesh-convert.processor.ts")).meshConvertProcessor),
  mesh_3d_lod: async () => as((await import("./mesh/mesh-lod.processor.ts")).meshLodProcessor),
};
