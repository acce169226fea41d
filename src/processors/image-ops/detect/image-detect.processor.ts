import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "../../../contracts/app-error.ts";
import { resolveImageOptions, type ImageProcessorOptions } from "../../image/image-options.ts";
import { probeImage } from "../../image/image-probe.ts";
import { defineProcessor, type OutputFile, type ProcessorDefinition, type Stage } from "../../processor.ts";
import { writeAnnotated } from "./annotate.ts";
import { ImageDetectParams, type Detection } from "./detect-params.ts";
import { loadDetectionModel } from "./detection-model.ts";
import { letterbox, unletterbox } from "./letterbox.ts";
import { letterboxedTensor } from "./prepare-input.ts";
import { decodeYolo, nonMaxSuppression, outputShape } from "./yolo-decode.ts";

const STAGE = "detect";

export interface ImageDetectOptions extends ImageProcessorOptions {
  /** The YOLO-format ONNX model, read when a task runs. Default: `DETECTION_MODEL` from the
   * worker's environment (the service passes its own environment to its workers). */
  modelPath: () => string | undefined;
}

/**
 * image_detect: one stage, `detect`. The upright image is letterboxed into the model's input,
 * run through onnxruntime-node (CPU), and the YOLO output decoded: best class per candidate,
 * confidence threshold, per-class NMS, boxes mapped back to the input's pixels. Writes
 * `detections.json` and, on request, `annotated.<ext>`.
 */
export function createImageDetectProcessor(options: Partial<ImageDetectOptions> = {}): ProcessorDefinition<ImageDetectParams> {
  const resolved = { ...resolveImageOptions(options), modelPath: options.modelPath ?? (() => process.env.DETECTION_MODEL || undefined) };
  return defineProcessor({
    taskType: "image_detect",
    params: ImageDetectParams,
    // sharp decodes the input in this process for the model; every write goes to the output or work folder.
    inputReadOnly: true,
    // Measured (README.md): whole-process peak RSS 0.43 GB, 3.2 s, for a 24 Mpx / 3.1 MB JPEG through a
    // 640×640, 80-class, 8 400-candidate model with annotate (decoded twice: letterbox, annotated copy).
    profile: { cpu_percent: 10, ram_gb: 1, max_concurrent: 8, ram_bytes_per_input_byte: 60, timeout_seconds: 600 },
    stages: () => [detectStage(resolved)],
  });
}

export const imageDetectProcessor = createImageDetectProcessor();

function detectStage(options: ImageDetectOptions): Stage<ImageDetectParams> {
  return {
    name: STAGE,
    label: "Detect objects",
    async run(input, ctx) {
      const p = input.params;
      ctx.progress({ done: 0, total: 3, label: "Load model" });
      const model = await loadDetectionModel(options.modelPath(), STAGE);
      try {
        const probe = await probeImage(input.filePath, options, STAGE, "first");
        const size = model.inputSize ?? { width: p.input_size, height: p.input_size };
        const lb = letterbox(probe.width, probe.height, size.width, size.height);
        const data = await letterboxedTensor(input.filePath, lb, options.limitInputPixels, options.failOn, STAGE);
        ctx.signal.throwIfAborted();
        ctx.progress({ done: 1, total: 3, label: "Run model" });
        const result = await model.session.run({ [model.inputName]: model.tensor(data, [1, 3, size.height, size.width]) });
        const output = result[model.outputName];
        if (!output || !(output.data instanceof Float32Array)) throw new AppError("DETECTION_UNAVAILABLE", `The model's output ${model.outputName} is not a float32 tensor.`, { stage: STAGE });
        const names = p.class_names ?? model.classNames;
        let shape;
        try {
          shape = outputShape(output.dims, names?.length);
        } catch (error) {
          throw new AppError("DETECTION_UNAVAILABLE", `The model is not YOLO-format: ${(error as Error).message}.`, { stage: STAGE });
        }
        const labelOf = (id: number) => names?.[id] ?? `class_${id}`;
        const allowed = p.classes ? classFilter(p.classes, shape.classes, labelOf) : null;
        const kept = nonMaxSuppression(decodeYolo(output.data, shape, p.confidence, allowed), p.iou, p.max_detections);
        const round = (v: number) => Math.round(v * 10) / 10;
        // A box wholly in the padding has nothing of the image left once clipped: not a detection.
        const detections: Detection[] = kept
          .map((c) => ({ c, b: unletterbox(c.box, lb, probe.width, probe.height) }))
          .filter(({ b }) => b.x1 - b.x0 >= 1 && b.y1 - b.y0 >= 1)
          .map(({ c, b }) => ({
            class_id: c.classId,
            label: labelOf(c.classId),
            confidence: Math.round(c.confidence * 1e4) / 1e4,
            box: { x0: round(b.x0), y0: round(b.y0), x1: round(b.x1), y1: round(b.y1) },
          }));
        ctx.progress({ done: 2, total: 3, label: "Write results" });
        const doc = { model: model.name, input_size: [size.width, size.height], width: probe.width, height: probe.height, count: detections.length, detections };
        await writeFile(join(input.outDir, "detections.json"), `${JSON.stringify(doc, null, 2)}\n`);
        const outputs: OutputFile[] = [{ path: "detections.json", type: "detections", format: "json", contentType: "application/json" }];
        if (p.annotate) {
          const ext = p.annotate_format === "jpeg" ? "jpg" : p.annotate_format;
          await writeAnnotated(input.filePath, join(input.outDir, `annotated.${ext}`), probe.width, probe.height, detections, p.annotate_format, options.limitInputPixels);
          outputs.push({ path: `annotated.${ext}`, type: "annotated", format: p.annotate_format });
        }
        ctx.log("objects detected", { count: detections.length, candidates: shape.candidates, classes: shape.classes });
        ctx.progress({ done: 3, total: 3, label: "Detect objects" });
        return { outputs };
      } finally {
        await model.session.release().catch(() => {});
      }
    },
  };
}

/** Class ids for the `classes` param; a label the model does not have is a bad param. */
function classFilter(classes: ReadonlyArray<string | number>, count: number, labelOf: (id: number) => string): Set<number> {
  const ids = new Set<number>();
  for (const c of classes) {
    const id = typeof c === "number" ? c : Array.from({ length: count }, (_, i) => i).find((i) => labelOf(i) === c);
    if (id === undefined || id >= count) throw new AppError("INVALID_PARAMS", `classes: the model has no class ${JSON.stringify(c)}`, { stage: STAGE });
    ids.add(id);
  }
  return ids;
}
