import { lstat, mkdir, readdir, rm, stat } from "node:fs/promises";
import { basename, dirname, join, relative, sep } from "node:path";
import { AppError, toAppError } from "../../contracts/app-error.ts";
import type { Stage, StageInput } from "../processor.ts";
import type { ArchiveCompressParams } from "./archive-params.ts";
import { writeArchive } from "./compress-writers.ts";
import { throttleProgress } from "./progress-throttle.ts";
import { memberPaths } from "./source-members.ts";

/** Default archive file name, without extension. */
export const ARCHIVE_NAME_DEFAULT = "archive";

/** Regular files below `dir`, relative with `/`, sorted; links are skipped, never followed. */
async function walkFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join("/"))
    .sort();
}

/** The directory to archive from and the member paths in it. */
async function selectMembers(input: StageInput<ArchiveCompressParams>): Promise<{ cwd: string; members: string[] }> {
  const st = await stat(input.filePath);
  if (st.isFile()) return { cwd: dirname(input.filePath), members: [basename(input.filePath)] };
  const { source_keys: keys, source_prefix: prefix } = input.params;
  if (keys === undefined) return { cwd: input.filePath, members: await walkFiles(input.filePath) };
  const members = memberPaths(keys, prefix);
  for (const m of members) {
    const found = await lstat(join(input.filePath, m)).catch(() => null);
    if (found === null || !found.isFile()) throw new AppError("INPUT_NOT_FOUND", `selected file ${JSON.stringify(m)} was not downloaded`, { details: { member: m } });
  }
  return { cwd: input.filePath, members };
}

export function archiveFileName(params: ArchiveCompressParams): string {
  const ext = `.${params.format}`;
  const name = params.archive_name ?? ARCHIVE_NAME_DEFAULT;
  return name.toLowerCase().endsWith(ext) ? name : `${name}${ext}`;
}

export const compressStage: Stage<ArchiveCompressParams> = {
  name: "compress",
  label: "Compressing files",
  async run(input, ctx) {
    try {
      const { cwd, members } = await selectMembers(input);
      if (members.length === 0) throw new AppError("INPUT_NOT_FOUND", "there are no files to archive");
      const sizes = await Promise.all(members.map((m) => stat(join(cwd, m)).then((s) => s.size)));
      const total = sizes.reduce((a, b) => a + b, 0);
      const fileName = archiveFileName(input.params);
      const outPath = join(input.outDir, fileName);
      await mkdir(input.outDir, { recursive: true });
      await rm(outPath, { force: true }); // a resumed stage starts over; 7zz would update an old one
      const progress = throttleProgress(ctx.progress, `Compressing ${members.length} files`);
      await writeArchive(
        input.params.format,
        {
          cwd,
          members,
          outPath,
          workDir: input.workDir,
          signal: ctx.signal,
          onBytes: (done) => progress.update(Math.min(done, total), total),
        },
        total,
      );
      progress.update(total, total);
      progress.flush();
      ctx.log("archive written", { format: input.params.format, files: members.length, bytes_in: total, bytes_out: (await stat(outPath)).size });
      return { outputs: [{ path: fileName, type: "archive", format: input.params.format }] };
    } catch (e) {
      await rm(join(input.outDir, archiveFileName(input.params)), { force: true });
      throw ctx.signal.aborted ? e : toAppError(e, "compress");
    }
  },
};
