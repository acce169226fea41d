import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { MAX_SIDE } from "../process/operations.ts";
import { toImageError } from "../../image/image-errors.ts";
import { resolveImageOptions, type ImageProcessorOptions } from "../../image/image-options.ts";
import { probeImage } from "../../image/image-probe.ts";
import { defineProcessor, type OutputFile, type ProcessorDefinition, type Stage } from "../../processor.ts";
import { recognize } from "./ocr-engine.ts";
import { languageFolder } from "./ocr-languages.ts";
import { ImageOcrParams, PAGE_SEGMENTATION } from "./ocr-params.ts";
import { toOcrDocument } from "./ocr-result.ts";

const STAGE = "ocr";
/** Long edge the enlarged image may reach: tesseract's time grows with the pixels. */
const MAX_UPSCALED_EDGE = 8000;

/**
 * image_ocr: one stage, `ocr`. The image is turned upright (EXIF), made grey and enlarged when small,
 * then read by tesseract.js offline. Writes `ocr.json` (text, lines and words with boxes in the
 * upright input's pixels and confidences), and on request `ocr.hocr` and a searchable `ocr.pdf`.
 */
export function createImageOcrProcessor(options: Partial<ImageProcessorOptions> = {}): ProcessorDefinition<ImageOcrParams> {
  const resolved = resolveImageOptions(options);
  return defineProcessor({
    taskType: "image_ocr",
    params: ImageOcrParams,
    // sharp reads the input in this process (tesseract gets a copy in the work folder); every write goes to the output or work folder.
    inputReadOnly: true,
    // Measured (README.md): whole-process peak RSS 0.18 GB and 0.4 s for a 0.2 Mpx page of 2 lines,
    // 0.33 GB and 14.6 s for a 2480×3700 page of 50 lines (tesseract's wasm heap + the grey copy).
    profile: { cpu_percent: 5, ram_gb: 1, max_concurrent: 10, ram_bytes_per_input_byte: 60, timeout_seconds: 900 },
    stages: () => [ocrStage(resolved)],
  });
}

export const imageOcrProcessor = createImageOcrProcessor();

/** "auto": ×3 under 600 px, ×2 under 1600 px, else ×1; never past MAX_UPSCALED_EDGE or the pixel limit. */
export function upscaleFactor(requested: number | "auto", width: number, height: number, limitPixels: number): number {
  const edge = Math.max(width, height);
  const wanted = requested === "auto" ? (edge < 600 ? 3 : edge < 1600 ? 2 : 1) : requested;
  const cap = Math.min(MAX_UPSCALED_EDGE / edge, Math.sqrt(limitPixels / (width * height)), MAX_SIDE / edge);
  return Math.max(1, Math.min(wanted, cap));
}

function ocrStage(options: ImageProcessorOptions): Stage<ImageOcrParams> {
  return {
    name: STAGE,
    label: "Read text",
    async run(input, ctx) {
      const p = input.params;
      ctx.progress({ done: 0, total: 100, label: "Read text" });
      const probe = await probeImage(input.filePath, options, STAGE, "first");
      const langPath = await languageFolder(p.languages, input.workDir, STAGE);
      const scale = upscaleFactor(p.upscale, probe.width, probe.height, options.limitInputPixels);
      const prepared = join(input.workDir, "ocr-input.png");
      try {
        let image = sharp(input.filePath, { limitInputPixels: options.limitInputPixels, failOn: options.failOn }).autoOrient().flatten({ background: "#ffffff" }).greyscale();
        if (scale > 1) image = image.resize({ width: Math.round(probe.width * scale), kernel: "lanczos3" });
        await image.png({ compressionLevel: 1 }).toFile(prepared);
      } catch (error) {
        throw toImageError(error, STAGE, "decode");
      }
      const page = await recognize({
        image: prepared,
        langs: p.languages,
        langPath,
        psm: PAGE_SEGMENTATION[p.page_segmentation],
        hocr: p.hocr,
        pdf: p.pdf,
        signal: ctx.signal,
        stage: STAGE,
        onProgress: (f) => ctx.progress({ done: Math.round(f * 99), total: 100, label: "Read text" }),
      });
      const doc = toOcrDocument(page, { languages: p.languages, width: probe.width, height: probe.height, upscale: scale, minConfidence: p.min_confidence });
      const outputs: OutputFile[] = [{ path: "ocr.json", type: "ocr", format: "json", contentType: "application/json" }];
      await writeFile(join(input.outDir, "ocr.json"), `${JSON.stringify(doc, null, 2)}\n`);
      if (p.hocr && page.hocr !== null) {
        await writeFile(join(input.outDir, "ocr.hocr"), page.hocr);
        outputs.push({ path: "ocr.hocr", type: "hocr", format: "hocr", contentType: "text/html" });
      }
      if (p.pdf && page.pdf !== null) {
        await writeFile(join(input.outDir, "ocr.pdf"), page.pdf);
        outputs.push({ path: "ocr.pdf", type: "searchable_pdf", format: "pdf", contentType: "application/pdf" });
      }
      ctx.log("text recognised", { words: doc.word_count, lines: doc.lines.length, confidence: doc.confidence, upscale: scale });
      ctx.progress({ done: 100, total: 100, label: "Read text" });
      return { outputs };
    },
  };
}
