import { mkdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { AppError } from "../contracts/app-error.ts";
import type { TaskMessage } from "../contracts/task-message.ts";
import type { ObjectStorage } from "../ports/storage.port.ts";
import { asFolder, assertUnderPrefix, commonKeyPrefix, resolveTenantPrefix, unsafeKeyReason } from "../storage-rules/key-policy.ts";
import type { InputObjects } from "../processors/processor.ts";

/** The local path a task's processor reads: the one source object, or a directory of objects. */
export function inputPathOf(inputDir: string, task: TaskMessage, objects: InputObjects | null): string {
  return objects ? join(inputDir, "objects") : join(inputDir, basename(task.source.key));
}

/** Downloads the task's input: `source.key`, or the objects its processor names (each laid out
 * relative to the base, every key checked against the tenant prefix). Returns the bytes read. */
export async function downloadInput(
  storage: ObjectStorage,
  task: TaskMessage,
  objects: InputObjects | null,
  where: { inputDir: string; tenantPrefix: string | undefined; signal: AbortSignal; readOnly?: boolean },
): Promise<number> {
  await mkdir(where.inputDir, { recursive: true });
  const target = inputPathOf(where.inputDir, task, objects);
  const options = { signal: where.signal, readOnly: where.readOnly ?? false };
  if (!objects) return (await storage.download(task.source.bucket, task.source.key, target, options)).size;

  const tenant = where.tenantPrefix ? resolveTenantPrefix(where.tenantPrefix, task.tenant_id) : "";
  let keys: readonly string[];
  let base: string;
  if ("prefix" in objects) {
    base = asFolder(objects.prefix);
    if (tenant) assertUnderPrefix(`${base}x`, tenant);
    keys = (await storage.list(task.source.bucket, base)).map((o) => o.key);
    if (keys.length === 0) throw new AppError("INPUT_NOT_FOUND", `no objects below ${base} in bucket ${task.source.bucket}`);
  } else {
    keys = objects.keys;
    base = objects.base === undefined ? commonKeyPrefix(keys) : asFolder(objects.base);
  }
  let total = 0;
  for (const key of keys) {
    if (tenant) assertUnderPrefix(key, tenant);
    const relative = key.startsWith(base) ? key.slice(base.length) : null;
    const why = relative === null ? `is not below ${base}` : unsafeKeyReason(relative);
    if (why !== null) throw new AppError("INVALID_PARAMS", `source object ${JSON.stringify(key)} ${why}`);
    const path = join(target, relative!);
    await mkdir(dirname(path), { recursive: true });
    total += (await storage.download(task.source.bucket, key, path, options)).size;
  }
  return total;
}
