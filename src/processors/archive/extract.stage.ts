import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { toAppError } from "../../contracts/app-error.ts";
import type { OutputFile, Stage, StageContext, StageInput } from "../processor.ts";
import { capsFromParams, type ArchiveExtractParams } from "./archive-params.ts";
import { extractArchive } from "./extract-archive.ts";
import { ExtractBudget } from "./extract-budget.ts";
import type { ExtractJob } from "./extract-job.ts";
import { createExtractTarget } from "./extract-target.ts";
import { detectArchiveFormat } from "./format-probe.ts";
import { extractNested } from "./nested-archives.ts";
import { formatOfPath, throttleProgress } from "./progress-throttle.ts";

/** Extracted files live under this folder of outDir, so the manifest and the files never collide. */
export const FILES_DIR = "files";
const PARTIAL_DIR = ".extract-partial";

async function runExtract(input: StageInput<ArchiveExtractParams>, ctx: StageContext): Promise<OutputFile[]> {
  const { params, outDir } = input;
  const root = join(outDir, FILES_DIR);
  const partialDir = join(outDir, PARTIAL_DIR);
  // A retried stage starts over: leftovers of a crashed attempt would otherwise read as duplicates.
  await rm(root, { recursive: true, force: true });
  await rm(partialDir, { recursive: true, force: true });
  const size = (await stat(input.filePath)).size;
  const budget = new ExtractBudget(size, capsFromParams(params));
  const progress = throttleProgress(ctx.progress, "Extracting files");
  const target = await createExtractTarget({ root, partialDir, budget, allowLinks: params.allow_links, signal: ctx.signal });
  const format = await detectArchiveFormat(input.filePath, input.source.format ?? input.source.key, ctx.signal);
  ctx.log("archive format detected", { format, size_bytes: size });
  const job: ExtractJob = {
    path: input.filePath,
    size,
    password: params.password,
    signal: ctx.signal,
    target,
    budget,
    progress: progress.update,
    sourceKey: input.source.key,
  };
  await extractArchive(job, format);
  const entries = await target.finish();
  if (params.extract_nested) entries.push(...(await extractNested(job, entries, { partialDir, allowLinks: params.allow_links })));
  progress.complete(size);
  ctx.log("archive extracted", { entries: budget.entries, bytes: budget.totalBytes });
  // Symlinks have no meaning in object storage: they stay out of the outputs (and the manifest).
  return entries.filter((e) => e.kind !== "symlink").map((e) => ({ path: `${FILES_DIR}/${e.path}`, type: "file", format: formatOfPath(e.path) }));
}

export const extractStage: Stage<ArchiveExtractParams> = {
  name: "extract",
  label: "Extracting archive",
  weight: 9,
  async run(input, ctx) {
    try {
      return { outputs: await runExtract(input, ctx) };
    } catch (e) {
      // A refused archive leaves nothing behind: no half-extracted tree gets uploaded.
      await rm(join(input.outDir, FILES_DIR), { recursive: true, force: true });
      await rm(join(input.outDir, PARTIAL_DIR), { recursive: true, force: true });
      // Cancellation is the caller's to report; everything else becomes an AppError of this stage.
      throw ctx.signal.aborted ? e : toAppError(e, "extract");
    }
  },
};
