import { z } from "zod";
import type { Box } from "./letterbox.ts";

export const ImageDetectParams = z.object({
  /** Least confidence (best class score, × objectness for YOLOv5) a detection needs. Default: 0.25. */
  confidence: z.number().min(0).max(1).default(0.25),
  /** Boxes of one class overlapping a more confident one by more than this IoU are dropped. Default: 0.45. */
  iou: z.number().min(0).max(1).default(0.45),
  /** Most detections returned, most confident first. Default: 100. */
  max_detections: z.number().int().min(1).max(1000).default(100),
  /** Only these classes, by label or id. Default: all. */
  classes: z
    .array(z.union([z.string().min(1), z.number().int().min(0)]))
    .min(1)
    .optional(),
  /** Labels by class id, when the model carries no `names` metadata. Default: the model's, else "class_<id>". */
  class_names: z.array(z.string().min(1)).min(1).max(10_000).optional(),
  /** The model's input side for a model whose input size is dynamic. Default: 640. */
  input_size: z.number().int().min(32).max(4096).multipleOf(32).default(640),
  /** Also write the image with the boxes drawn: `annotated.<ext>`. Default: false. */
  annotate: z.boolean().default(false),
  /** Default: "jpeg". */
  annotate_format: z.enum(["jpeg", "png", "webp"]).default("jpeg"),
});
export type ImageDetectParams = z.infer<typeof ImageDetectParams>;

/** One entry of `detections.json`: box in the upright input's pixels. */
export interface Detection {
  class_id: number;
  label: string;
  confidence: number;
  box: Box;
}
