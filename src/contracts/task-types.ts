import { z } from "zod";

/** Every task type of the wire contract (DESIGN.md §2). A type listed here without a processor fails
 * with UNSUPPORTED_TASK_TYPE; a type not listed here is an INVALID_MESSAGE. */
export const TASK_TYPES = [
  "point_cloud_lod",
  "point_cloud_convert",
  "mesh_3d_lod",
  "mesh_3d_convert",
  "geotiff_resize",
  "geotiff_cog",
  "image_convert",
  "image_thumbnail",
  "image_process",
  "image_ocr",
  "image_detect",
  "video_transcode",
  "archive_compress",
  "archive_extract",
] as const;

export const TaskType = z.enum(TASK_TYPES);
export type TaskType = z.infer<typeof TaskType>;

/** RabbitMQ queue class of each task type (DESIGN.md §3). */
export const QUEUE_CLASS: Record<TaskType, "high_priority" | "normal" | "light"> = {
  point_cloud_lod: "high_priority",
  mesh_3d_lod: "high_priority",
  geotiff_resize: "normal",
  geotiff_cog: "normal",
  video_transcode: "normal",
  point_cloud_convert: "normal",
  mesh_3d_convert: "normal",
  image_convert: "light",
  image_thumbnail: "light",
  image_process: "light",
  image_ocr: "light",
  image_detect: "light",
  archive_compress: "light",
  archive_extract: "light",
};
