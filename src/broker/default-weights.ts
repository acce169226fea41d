import type { ResourceProfileInput } from "../contracts/resource-profile.ts";
import type { TaskType } from "../contracts/task-types.ts";

/** DESIGN.md §5, measured on a 128-core / 256 GB server: CPU % of the node, RAM GiB, max concurrent.
 * Configuration, not law: override with VS3D_BROKER_WEIGHTS_FILE or VS3D_BROKER_WEIGHTS. */
export const DEFAULT_WEIGHTS: Record<TaskType, ResourceProfileInput> = {
  point_cloud_lod: { cpu_percent: 75, ram_gb: 32, max_concurrent: 1 },
  point_cloud_convert: { cpu_percent: 40, ram_gb: 16, max_concurrent: 2 },
  mesh_3d_lod: { cpu_percent: 60, ram_gb: 24, max_concurrent: 2 },
  mesh_3d_convert: { cpu_percent: 30, ram_gb: 8, max_concurrent: 4 },
  geotiff_resize: { cpu_percent: 35, ram_gb: 12, max_concurrent: 3 },
  geotiff_cog: { cpu_percent: 45, ram_gb: 16, max_concurrent: 2 },
  image_convert: { cpu_percent: 5, ram_gb: 1, max_concurrent: 20 },
  image_thumbnail: { cpu_percent: 3, ram_gb: 0.5, max_concurrent: 30 },
  image_process: { cpu_percent: 5, ram_gb: 1.5, max_concurrent: 20 },
  image_ocr: { cpu_percent: 5, ram_gb: 1, max_concurrent: 10 },
  image_detect: { cpu_percent: 10, ram_gb: 1, max_concurrent: 8 },
  video_transcode: { cpu_percent: 50, ram_gb: 4, max_concurrent: 3 },
  archive_compress: { cpu_percent: 20, ram_gb: 2, max_concurrent: 5 },
  archive_extract: { cpu_percent: 15, ram_gb: 2, max_concurrent: 5 },
};
