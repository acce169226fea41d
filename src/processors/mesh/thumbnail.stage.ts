import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AppError, toAppError } from "../../contracts/app-error.ts";
import type { OutputFile, Stage, StageInput } from "../processor.ts";
import { renderThumbnail } from "./mesh-thumbnail.ts";
import { readOwnGlb } from "./mesh-source.ts";

export const THUMBNAIL_FILE = "thumbnail.webp";

/** The GLB a later stage works from: the first output of `stage` among the completed ones. */
export function previousGlb(input: StageInput<unknown>, stage: string): string {
  const out = input.previous[stage]?.find((o) => o.format === "glb");
  if (!out) throw new AppError("INTERNAL", `stage ${stage} left no GLB to read`);
  return join(input.outDir, out.path);
}

/** A WEBP thumbnail rendered from the GLB of stage `from`. */
export function thumbnailStage<P extends { thumbnail_size: number }>(from: string): Stage<P> {
  return {
    name: "thumbnail",
    label: "Rendering thumbnail",
    weight: 0.5,
    async run(input, ctx) {
      try {
        const { doc } = await readOwnGlb(previousGlb(input, from));
        const webp = await renderThumbnail(doc, input.params.thumbnail_size);
        await writeFile(join(input.outDir, THUMBNAIL_FILE), webp);
        ctx.progress({ done: 1, total: 1 });
        const out: OutputFile = { path: THUMBNAIL_FILE, type: "thumbnail", format: "webp" };
        return { outputs: [out] };
      } catch (error) {
        throw toAppError(error, "thumbnail");
      }
    },
  };
}
