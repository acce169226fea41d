import { z } from "zod";
import { OutputFormat, Quality } from "../../image/image-formats.ts";
import type { InputObjects } from "../../processor.ts";
import { Operation } from "./operations.ts";
import { asFolder, commonKeyPrefix } from "../../../storage-rules/key-policy.ts";

export const MAX_BATCH_INPUTS = 1000;

const Batch = z
  .object({
    /** These objects (same bucket as source), one output each. */
    keys: z.array(z.string().min(1)).min(1).max(MAX_BATCH_INPUTS).optional(),
    /** Or every object below this prefix (at most 1000 are processed; more fail the task). */
    prefix: z.string().optional(),
  })
  .refine((b) => (b.keys === undefined) !== (b.prefix === undefined), "batch needs exactly one of keys or prefix");

export const ImageProcessParams = z
  .object({
    /** Applied in order, each to the result of the one before. At least one, at most 32. */
    operations: z.array(Operation).min(1).max(32),
    format: OutputFormat,
    /** 1–100; omitted: the encoder's default. Ignored for png and tiff (lossless). */
    quality: Quality.optional(),
    /** The same operations on many images instead of `source.key`: one output per input
     * (`images/<name>.<ext>`) and `report.json` saying what became of each. Default: none. */
    batch: Batch.optional(),
  })
  .superRefine((p, ctx) => {
    p.operations.forEach((op, i) => {
      if (op.op !== "watermark" || op.image_key === undefined) return;
      if (p.batch === undefined) {
        ctx.addIssue({ code: "custom", path: ["operations", i, "image_key"], message: "a watermark image_key needs batch (send the one image as batch.keys: [its key])" });
      } else if (p.batch.prefix !== undefined && !op.image_key.startsWith(p.batch.prefix)) {
        ctx.addIssue({ code: "custom", path: ["operations", i, "image_key"], message: "a watermark image_key must be below batch.prefix (or use batch.keys)" });
      }
    });
  });
export type ImageProcessParams = z.infer<typeof ImageProcessParams>;

/** Watermark objects the operations name: downloaded with the inputs, never processed as one. */
export const watermarkKeys = (p: ImageProcessParams): string[] => [...new Set(p.operations.flatMap((op) => (op.op === "watermark" && op.image_key !== undefined ? [op.image_key] : [])))];

/** The key prefix the downloaded layout is relative to. */
export function batchBase(p: ImageProcessParams): string | null {
  if (!p.batch) return null;
  if (p.batch.prefix !== undefined) return asFolder(p.batch.prefix);
  return commonKeyPrefix([...(p.batch.keys ?? []), ...watermarkKeys(p)]);
}

export function batchObjects(p: ImageProcessParams): InputObjects | null {
  if (!p.batch) return null;
  const base = batchBase(p) ?? "";
  if (p.batch.prefix !== undefined) return { prefix: p.batch.prefix };
  return { keys: [...new Set([...(p.batch.keys ?? []), ...watermarkKeys(p)])], base };
}
