import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { REPO_ROOT } from "./fixtures.ts";

/** A throwaway embedded installation: PGlite + local storage + work dir under one temp folder. */
export async function embeddedEnv(): Promise<{ root: string; env: Record<string, string>; put(bucket: string, key: string, body: string | Uint8Array): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), "vs3d-test-"));
  const env = {
    DATA_DIR: join(root, "data"),
    STORAGE_DIR: join(root, "storage"),
    WORK_DIR: join(root, "work"),
    PROCESSOR_MODULES: join(REPO_ROOT, "test", "fixtures", "test-processors.ts"),
  };
  return {
    root,
    env,
    async put(bucket, key, body) {
      const path = join(env.STORAGE_DIR, bucket, key);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, body);
    },
  };
}

export function taskMessage(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const id = randomUUID();
  return {
    task_id: id,
    tenant_id: randomUUID(),
    file_id: randomUUID(),
    task_type: "image_convert",
    priority: 5,
    submitted_at: new Date().toISOString(),
    source: { bucket: "in", key: "files/input.bin", size_bytes: 5 },
    destination: { bucket: "out", base_key: `processed/${id}/` },
    params: {},
    ...overrides,
  };
}
