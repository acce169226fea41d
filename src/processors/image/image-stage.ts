import { join } from "node:path";
import type { Stage } from "../processor.ts";
import { OUTPUT_FORMAT_INFO, type OutputFormat } from "./image-formats.ts";
import type { ImageProcessorOptions } from "./image-options.ts";
import { probeImage, type ImageProbe } from "./image-probe.ts";
import { renderImage, type RenderRequest } from "./image-render.ts";

/** The one file an image stage writes, as its params ask for it. */
export interface ImagePlan {
  /** Relative to outDir. */
  path: string;
  format: OutputFormat;
  quality: number | undefined;
  resize: RenderRequest["resize"];
  keepMetadata: boolean;
  /** Keep every frame where the format can animate (webp); otherwise only the first is decoded. */
  animated: boolean;
}

export interface ImageStageSpec<P> {
  name: string;
  label: string;
  /** What the output is to the platform: "image", "thumbnail". */
  type: string;
  plan(params: P): ImagePlan;
  /** Logged once the file is written, with its path, size and frames. */
  logMessage: string;
  /** More log fields, from what the probe found. Default: none. */
  logFields?(probe: ImageProbe): Record<string, unknown>;
}

/** A stage that probes the input (limits, format, frames) and renders one image file from it;
 * progress is 0 before and 1 after, since libvips gives nothing in between. */
export function imageStage<P>(spec: ImageStageSpec<P>, options: ImageProcessorOptions): Stage<P> {
  const { name, label } = spec;
  return {
    name,
    label,
    async run(input, ctx) {
      ctx.signal.throwIfAborted();
      ctx.progress({ done: 0, total: 1, label });
      const plan = spec.plan(input.params);
      const info = OUTPUT_FORMAT_INFO[plan.format];
      // Only an output that animates needs every frame decoded (and counted against the pixel limit).
      const probe = await probeImage(input.filePath, options, name, plan.animated && info.animation ? "all" : "first");
      const result = await renderImage({
        filePath: input.filePath,
        outPath: join(input.outDir, plan.path),
        format: plan.format,
        quality: plan.quality,
        resize: plan.resize,
        keepMetadata: plan.keepMetadata,
        animated: plan.animated,
        probe,
        options,
        stage: name,
      });
      ctx.signal.throwIfAborted();
      ctx.log(spec.logMessage, { path: plan.path, width: result.width, height: result.height, frames: result.frames, bytes: result.size, ...spec.logFields?.(probe) });
      ctx.progress({ done: 1, total: 1, label });
      return { outputs: [{ path: plan.path, type: spec.type, format: plan.format, contentType: info.contentType }] };
    },
  };
}
