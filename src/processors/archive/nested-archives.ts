import { stat } from "node:fs/promises";
import { join } from "node:path";
import { readHead } from "../shared/read-bytes.ts";
import { sniffMagic } from "./archive-format.ts";
import { extractArchive } from "./extract-archive.ts";
import type { ExtractJob } from "./extract-job.ts";
import { createExtractTarget, type ExtractedEntry } from "./extract-target.ts";
import { detectArchiveFormat } from "./format-probe.ts";

async function looksLikeArchive(path: string): Promise<boolean> {
  return sniffMagic(await readHead(path, 1024)) !== null;
}

/**
 * extract_nested: every extracted file whose bytes are an archive is unpacked next to it into
 * `<name>.d/` (the archive file itself stays). One level only, and through the same budget, so a
 * bomb wrapped in an innocent archive trips the same caps and depth cannot multiply them.
 * Returns the new entries, relative to the outer root.
 */
export async function extractNested(job: ExtractJob, entries: readonly ExtractedEntry[], opts: { partialDir: string; allowLinks: boolean }): Promise<ExtractedEntry[]> {
  const added: ExtractedEntry[] = [];
  for (const entry of entries) {
    const path = join(job.target.root, entry.path);
    if (entry.kind !== "file" || !(await looksLikeArchive(path))) continue;
    const dir = job.target.reserveNestedDirectory(entry.path);
    const target = await createExtractTarget({ root: join(job.target.root, dir), partialDir: opts.partialDir, budget: job.budget, allowLinks: opts.allowLinks, signal: job.signal });
    const format = await detectArchiveFormat(path, entry.path, job.signal);
    await extractArchive({ ...job, path, size: (await stat(path)).size, target, sourceKey: entry.path }, format);
    for (const e of await target.finish()) added.push({ ...e, path: `${dir}/${e.path}` });
  }
  return added;
}
