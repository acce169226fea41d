import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AppError, toAppError } from "../../../contracts/app-error.ts";
import type { ErrorCode } from "../../../contracts/error-codes.ts";
import { OUTPUT_FORMAT_INFO } from "../../image/image-formats.ts";
import { resolveImageOptions, type ImageProcessorOptions } from "../../image/image-options.ts";
import { defineProcessor, type OutputFile, type ProcessorDefinition, type Stage } from "../../processor.ts";
import { listBatchInputs } from "./batch-inputs.ts";
import { MAX_BATCH_INPUTS, ImageProcessParams, batchBase, batchObjects, watermarkKeys } from "./process-params.ts";
import { processOne } from "./process-one.ts";

const STAGE = "process";

/** One entry of `report.json` per batch input. */
export type BatchItem =
  { input: string; status: "completed"; output: string; width: number; height: number; bytes: number } | { input: string; status: "failed"; error: { code: ErrorCode; message: string } };

/**
 * image_process: an ordered list of operations, then an output format as image_convert. One stage,
 * `process`. Single input: `image.<ext>`. Batch: `images/<name>.<ext>` per input plus `report.json`;
 * an input that fails is recorded there and the others go on; only when every input fails does the
 * task fail (with the first input's code).
 */
export function createImageProcessProcessor(options: Partial<ImageProcessorOptions> = {}): ProcessorDefinition<ImageProcessParams> {
  const resolved = resolveImageOptions(options);
  return defineProcessor({
    taskType: "image_process",
    params: ImageProcessParams,
    // sharp reads the input in this process; every write goes to the output or work folder.
    inputReadOnly: true,
    // As image_convert (the same decode and encoders) plus decoded 8-bit copies between operations:
    // a 24 Mpx / 3.1 MB JPEG through 5 operations peaked at 0.44 GB RSS in 9.5 s (README.md). A batch
    // holds one image at a time but its input bytes are the sum of all, so the per-byte ask is kept
    // low (20) and the base high (1.5 GB): a pixel-limit image (~0.8 GB per decoded copy) still fits.
    profile: { cpu_percent: 5, ram_gb: 1.5, max_concurrent: 20, ram_bytes_per_input_byte: 20, timeout_seconds: 900 },
    stages: () => [processStage(resolved)],
    inputObjects: batchObjects,
  });
}

export const imageProcessProcessor = createImageProcessProcessor();

function processStage(options: ImageProcessorOptions): Stage<ImageProcessParams> {
  return {
    name: STAGE,
    label: "Process image",
    async run(input, ctx) {
      const p = input.params;
      const info = OUTPUT_FORMAT_INFO[p.format];
      const base = batchBase(p);
      ctx.progress({ done: 0, total: 1, label: "Process image" });
      if (base === null) {
        const path = `image.${info.ext}`;
        const r = await processOne({
          filePath: input.filePath,
          outPath: join(input.outDir, path),
          operations: p.operations,
          format: p.format,
          quality: p.quality,
          options,
          imageFile: () => null,
          stage: STAGE,
          signal: ctx.signal,
        });
        ctx.log("image processed", { path, operations: p.operations.length, ...r });
        ctx.progress({ done: 1, total: 1, label: "Process image" });
        return { outputs: [{ path, type: "image", format: p.format, contentType: info.contentType }] };
      }
      const marks = new Map(watermarkKeys(p).map((k) => [k, k.slice(base.length)]));
      const imageFile = (key: string) => (marks.has(key) ? join(input.filePath, marks.get(key)!) : null);
      const inputs = await listBatchInputs(input.filePath, new Set(marks.values()), info.ext);
      if (inputs.length === 0) throw new AppError("INPUT_NOT_FOUND", "the batch has no image to process (only watermark objects, or nothing)", { stage: STAGE });
      if (inputs.length > MAX_BATCH_INPUTS) throw new AppError("INPUT_TOO_LARGE", `the batch has ${inputs.length} objects, above ${MAX_BATCH_INPUTS} per task; split it`, { stage: STAGE });
      const items: BatchItem[] = [];
      const outputs: OutputFile[] = [];
      for (const [i, one] of inputs.entries()) {
        ctx.signal.throwIfAborted();
        const key = base + one.relative;
        try {
          const r = await processOne({
            filePath: one.absolute,
            outPath: join(input.outDir, one.output),
            operations: p.operations,
            format: p.format,
            quality: p.quality,
            options,
            imageFile,
            stage: STAGE,
            signal: ctx.signal,
          });
          items.push({ input: key, status: "completed", output: one.output, ...r });
          outputs.push({ path: one.output, type: "image", format: p.format, contentType: info.contentType });
        } catch (error) {
          const e = toAppError(error, STAGE);
          // A cancel or a full work disk is the node's problem, not this image's.
          if (ctx.signal.aborted || e.code === "INSUFFICIENT_DISK") throw e;
          items.push({ input: key, status: "failed", error: { code: e.code, message: e.message } });
          ctx.log("batch input failed", { input: key, code: e.code });
        }
        ctx.progress({ done: i + 1, total: inputs.length, label: `Image ${i + 1} of ${inputs.length}` });
      }
      const failed = items.filter((it) => it.status === "failed");
      if (failed.length === items.length) {
        const first = failed[0]!;
        throw new AppError(first.error.code, `every one of the ${items.length} inputs failed; the first, ${first.input}: ${first.error.message}`, { stage: STAGE });
      }
      const report = { inputs: items.length, completed: items.length - failed.length, failed: failed.length, items };
      await writeFile(join(input.outDir, "report.json"), `${JSON.stringify(report, null, 2)}\n`);
      ctx.log("batch processed", { inputs: items.length, failed: failed.length });
      return { outputs: [...outputs, { path: "report.json", type: "report", format: "json", contentType: "application/json" }] };
    },
  };
}
