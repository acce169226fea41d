import { open, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { toAppError } from "../../contracts/app-error.ts";
import type { OutputFile, Stage, StageContext, StageInput } from "../processor.ts";
import { detectArchiveFormat } from "./format-probe.ts";
import { capsFromParams, type ArchiveExtractParams } from "./archive-params.ts";
import { extractArchive } from "./extract-archive.ts";
import { ExtractBudget } from "./extract-budget.ts";
import { createExtractTarget, type ExtractedEntry } from "./extract-target.ts";
import { formatOfPath, throttleProgress } from "./progress-throttle.ts";
import { sniffMagic } from "./archive-format.ts";

/** Extracted files live under this folder of outDir, so the manifest and the files never collide. */
export const FILES_DIR = "files";

async function looksLikeArchive(path: string): Promise<boolean> {
  const handle = await open(path, "r");
  try {
    const head = new Uint8Array(1024);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return sniffMagic(head.subarray(0, bytesRead)) !== null;
  } finally {
    await handle.close();
  }
}

async function runExtract(input: StageInput<ArchiveExtractParams>, ctx: StageContext): Promise<OutputFile[]> {
  const { params, outDir, signal } = { ...input, signal: ctx.signal };
  const root = join(outDir, FILES_DIR);
  const partialDir = join(outDir, ".extract-partial");
  const size = (await stat(input.filePath)).size;
  const budget = new ExtractBudget(size, capsFromParams(params));
  const progress = throttleProgress(ctx.progress, "Extracting files");
  const target = await createExtractTarget({ root, partialDir, budget, allowLinks: params.allow_links, signal });
  const format = await detectArchiveFormat(input.filePath, input.source.format ?? input.source.key, signal);
  ctx.log("archive format detected", { format, size_bytes: size });
  const job = { path: input.filePath, size, password: params.password, signal, target, budget, progress: progress.update, sourceKey: input.source.key };
  await extractArchive(job, format);
  const entries: ExtractedEntry[] = await target.finish();

  if (params.extract_nested) {
    // One level only: a nested archive's own archives stay files, so depth cannot multiply the caps.
    for (const entry of [...entries]) {
      if (entry.kind !== "file" || !(await looksLikeArchive(join(root, entry.path)))) continue;
      const nestedRel = target.reserveNestedDirectory(entry.path);
      const nestedTarget = await createExtractTarget({ root: join(root, nestedRel), partialDir, budget, allowLinks: params.allow_links, signal });
      const nestedPath = join(root, entry.path);
      const nestedFormat = await detectArchiveFormat(nestedPath, entry.path, signal);
      const nestedSize = (await stat(nestedPath)).size;
      await extractArchive({ ...job, path: nestedPath, size: nestedSize, target: nestedTarget, sourceKey: entry.path }, nestedFormat);
      for (const e of await nestedTarget.finish()) entries.push({ ...e, path: `${nestedRel}/${e.path}` });
    }
  }
  progress.flush();
  ctx.log("archive extracted", { entries: budget.entries, bytes: budget.totalBytes });
  return entries
    .filter((e) => e.kind !== "symlink")
    .map((e) => ({ path: `${FILES_DIR}/${e.path}`, type: "file", format: formatOfPath(e.path) }));
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
      await rm(join(input.outDir, ".extract-partial"), { recursive: true, force: true });
      // Cancellation is the caller's to report; everything else becomes an AppError of this stage.
      throw ctx.signal.aborted ? e : toAppError(e, "extract");
    }
  },
};
