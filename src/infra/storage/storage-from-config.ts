import type { StorageConfig } from "../../config/config.ts";
import { createLocalStorage } from "./local-storage.ts";
import { createS3Storage, type S3StorageOptions } from "./s3-storage.ts";
import type { StorageAdapter } from "./storage-adapter.ts";

/** The storage adapter the configuration names (DESIGN.md §6): a local directory or S3/R2/MinIO. */
export function createStorageFromConfig(config: StorageConfig, s3Extras: Omit<S3StorageOptions, keyof StorageConfig> = {}): StorageAdapter {
  if (config.kind === "local") return createLocalStorage({ rootDir: config.rootDir });
  const { kind: _kind, ...connection } = config;
  return createS3Storage({ ...s3Extras, ...connection });
}
