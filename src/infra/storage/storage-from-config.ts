import type { StorageConfig } from "../../config/config.ts";
import { createLocalStorage } from "./local-storage.ts";
import type { S3StorageOptions } from "./s3-storage.ts";
import type { StorageAdapter } from "./storage-adapter.ts";

/** The storage adapter the configuration names (DESIGN.md §6): a local directory or S3/R2/MinIO.
 * The S3 adapter is imported only when configured: the AWS SDK is most of a local node's start-up. */
export async function createStorageFromConfig(config: StorageConfig, s3Extras: Omit<S3StorageOptions, keyof StorageConfig> = {}): Promise<StorageAdapter> {
  if (config.kind === "local") return createLocalStorage({ rootDir: config.rootDir });
  const { createS3Storage } = await import("./s3-storage.ts");
  const { kind: _kind, ...connection } = config;
  return createS3Storage({ ...s3Extras, ...connection });
}
