import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AppError, toAppError } from "../../contracts/app-error.ts";
import type { OutputFile, Stage } from "../processor.ts";
import type { ArchiveExtractParams } from "./archive-params.ts";
import { FILES_DIR } from "./extract.stage.ts";
import { throttleProgress } from "./progress-throttle.ts";

export const MANIFEST_FILE = "manifest.json";

export interface ManifestEntry {
  /** Relative to the extraction root (the `files/` folder of the outputs). */
  path: string;
  size: number;
  sha256: string;
}

export interface ArchiveManifest {
  files: ManifestEntry[];
  file_count: number;
  total_bytes: number;
}

/** sha256 of zero bytes: archives of many empty files need not open each one. */
const EMPTY_SHA256 = createHash("sha256").digest("hex");

async function sha256(path: string, size: number, onBytes: (n: number) => void): Promise<string> {
  if (size === 0) return EMPTY_SHA256;
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    onBytes((chunk as Buffer).length);
  }
  return hash.digest("hex");
}

/** Lists every extracted file with its size and sha256, in the order the archive held them. */
export const manifestStage: Stage<ArchiveExtractParams> = {
  name: "manifest",
  label: "Writing manifest",
  weight: 1,
  async run(input, ctx) {
    try {
      const extracted = (input.previous["extract"] ?? []).filter((o) => o.path.startsWith(`${FILES_DIR}/`));
      const sizes = await Promise.all(extracted.map((o) => stat(join(input.outDir, o.path)).then((s) => s.size)));
      const total = sizes.reduce((a, b) => a + b, 0);
      const progress = throttleProgress(ctx.progress, "Hashing files");
      let done = 0;
      const files: ManifestEntry[] = [];
      for (const [i, output] of extracted.entries()) {
        ctx.signal.throwIfAborted();
        const size = sizes[i] ?? 0;
        const digest = await sha256(join(input.outDir, output.path), size, (n) => progress.update((done += n), total));
        files.push({ path: output.path.slice(FILES_DIR.length + 1), size, sha256: digest });
      }
      progress.flush();
      const manifest: ArchiveManifest = { files, file_count: files.length, total_bytes: total };
      await writeFile(join(input.outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
      const output: OutputFile = { path: MANIFEST_FILE, type: "manifest", format: "json", contentType: "application/json" };
      return { outputs: [output] };
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      const missing = (e as NodeJS.ErrnoException).code === "ENOENT";
      // The extracted files are local to the node that extracted them; a resume elsewhere re-extracts.
      throw missing ? new AppError("INTERNAL", `extracted file missing for the manifest: ${(e as Error).message}`, { stage: "manifest" }) : toAppError(e, "manifest");
    }
  },
};
