import type { ProcessorDefinition } from "./processor.ts";
import { archiveCompressProcessor } from "./archive/archive-compress.processor.ts";
import { archiveExtractProcessor } from "./archive/archive-extract.processor.ts";
import { geotiffCogProcessor } from "./geotiff/geotiff-cog.processor.ts";
import { geotiffResizeProcessor } from "./geotiff/geotiff-resize.processor.ts";
import { imageConvertProcessor } from "./image/image-convert.processor.ts";
import { imageThumbnailProcessor } from "./image/image-thumbnail.processor.ts";
import { pointCloudConvertProcessor } from "./point-cloud/point-cloud-convert.processor.ts";
import { videoTranscodeProcessor } from "./video/video-transcode.processor.ts";

/** One table keyed by task_type (STYLE.md): every built-in processor is listed here. */
export const BUILT_IN_PROCESSORS = [
  imageThumbnailProcessor,
  imageConvertProcessor,
  geotiffCogProcessor,
  geotiffResizeProcessor,
  pointCloudConvertProcessor,
  videoTranscodeProcessor,
  archiveExtractProcessor,
  archiveCompressProcessor,
] as readonly ProcessorDefinition[];
