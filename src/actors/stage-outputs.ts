import { mkdir, stat } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { AppError } from "../contracts/app-error.ts";
import type { StoredOutput } from "../contracts/task-events.ts";
import type { ObjectStorage } from "../ports/storage.port.ts";
import type { OutputFile } from "../processors/processor.ts";
import { contentTypeFor } from "../storage-rules/content-type.ts";
import { joinKey } from "../storage-rules/key-policy.ts";

/** Uploads a stage's outputs as the stage completes, so any node can resume the task. */
export async function uploadStageOutputs(
  storage: ObjectStorage,
  outputs: readonly OutputFile[],
  where: { outDir: string; bucket: string; baseKey: string; signal: AbortSignal },
): Promise<StoredOutput[]> {
  const stored: StoredOutput[] = [];
  for (const output of outputs) {
    const key = joinKey(where.baseKey, output.path);
    const localPath = resolve(where.outDir, output.path);
    if (relative(where.outDir, localPath).startsWith("..")) {
      throw new AppError("DESTINATION_OUTSIDE_PREFIX", `output ${output.path} is outside the task's output directory`);
    }
    const info = await stat(localPath).catch(() => null);
    if (!info?.isFile()) throw new AppError("INTERNAL", `processor reported output ${output.path} but wrote no such file`);
    const contentType = output.contentType ?? contentTypeFor(output.path);
    where.signal.throwIfAborted();
    const { size } = await storage.upload(where.bucket, key, localPath, { contentType, signal: where.signal });
    stored.push({
      path: output.path,
      type: output.type,
      format: output.format,
      key,
      size_bytes: size,
      content_type: contentType,
      ...(output.partOf !== undefined ? { part_of: output.partOf } : {}),
      ...(output.warnings?.length ? { warnings: output.warnings } : {}),
    });
  }
  return stored;
}

/** Puts the outputs of completed stages back in the output directory (after a resume on a node
 * whose work directory is gone), so later stages can read them. */
export async function restoreStageOutputs(storage: ObjectStorage, completed: Record<string, StoredOutput[]>, outDir: string, bucket: string, signal: AbortSignal): Promise<void> {
  for (const outputs of Object.values(completed)) {
    for (const o of outputs) {
      const localPath = join(outDir, o.path);
      const info = await stat(localPath).catch(() => null);
      if (info?.isFile() && info.size === o.size_bytes) continue;
      await mkdir(dirname(localPath), { recursive: true });
      await storage.download(bucket, o.key, localPath, { signal });
    }
  }
}

export function toOutputFiles(completed: Record<string, StoredOutput[]>): Record<string, OutputFile[]> {
  return Object.fromEntries(
    Object.entries(completed).map(([stage, outs]) => [
      stage,
      outs.map((o) => ({
        path: o.path,
        type: o.type,
        format: o.format,
        contentType: o.content_type,
        ...(o.part_of !== undefined ? { partOf: o.part_of } : {}),
        ...(o.warnings ? { warnings: o.warnings } : {}),
      })),
    ]),
  );
}
