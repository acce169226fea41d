import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { HeadObjectCommand, paginateListObjectsV2, type S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { AppError } from "../../contracts/app-error.ts";
import type { ObjectInfo } from "../../ports/storage.port.ts";
import { contentTypeFor } from "../../storage-rules/content-type.ts";
import { DISK_SPACE_DEFAULTS } from "./disk-space.ts";
import { assertSafeKey } from "../../storage-rules/key-policy.ts";
import { createS3Client, type S3ClientOptions } from "./s3-client.ts";
import { downloadS3Object } from "./s3-download.ts";
import { isNotFound, isTransientS3Error, translateS3Error } from "./s3-errors.ts";
import type { StorageAdapter, StoredObjectInfo } from "./storage-adapter.ts";
import type { TransferProgress } from "./transfer-progress.ts";
import { TRANSFER_RETRY_DEFAULTS, withTransferRetry } from "./transfer-retry.ts";
import { withDefaults } from "../../shared/with-defaults.ts";

export const S3_STORAGE_DEFAULTS = {
  /** Multipart part size; files up to this size go in one PutObject. 8 MiB keeps 10 000 parts
   * (S3's limit) above 78 GiB. Default: 8 MiB. */
  partSizeBytes: 8 * 1024 * 1024,
  /** Parts in flight; the uploader buffers queueSize × partSize bytes. Default: 2. */
  queueSize: 2,
  transferAttempts: TRANSFER_RETRY_DEFAULTS.attempts,
  retryBaseDelayMs: TRANSFER_RETRY_DEFAULTS.baseDelayMs,
  diskReserveBytes: DISK_SPACE_DEFAULTS.reserveBytes,
};

export interface S3StorageOptions extends S3ClientOptions, Partial<typeof S3_STORAGE_DEFAULTS> {
  /** An existing client; when given, the connection options are ignored. */
  client?: S3Client;
  /** Observes transfers, e.g. for the uploading progress bar or metrics. */
  onTransferProgress?: (progress: TransferProgress) => void;
}

/** The S3 / R2 / MinIO adapter. Downloads stream to a temp file and resume with a Range request when
 * the body breaks; uploads stream through lib-storage's multipart Upload. */
export function createS3Storage(options: S3StorageOptions = {}): StorageAdapter & { client: S3Client } {
  const client = options.client ?? createS3Client(options);
  const o = withDefaults(S3_STORAGE_DEFAULTS, options);
  const retry = { attempts: o.transferAttempts, baseDelayMs: o.retryBaseDelayMs, isTransient: isTransientS3Error };
  const report = options.onTransferProgress ?? (() => {});

  return {
    client,

    download: (bucket, key, destPath, { signal } = {}) => downloadS3Object({ client, bucket, key, destPath, signal, retry, diskReserveBytes: o.diskReserveBytes, report }),

    async upload(bucket, key, srcPath, { contentType, signal } = {}) {
      assertSafeKey(key);
      const size = await fileSize(srcPath).catch((error: unknown) => {
        throw new AppError("INTERNAL", `upload source ${srcPath} cannot be read: ${(error as Error).message}`, { cause: error });
      });
      try {
        await withTransferRetry(
          async () => {
            const upload = new Upload({
              client,
              params: { Bucket: bucket, Key: key, Body: createReadStream(srcPath), ContentType: contentType ?? contentTypeFor(key) },
              partSize: o.partSizeBytes,
              queueSize: o.queueSize,
              leavePartsOnError: false,
            });
            upload.on("httpUploadProgress", (p) => report({ direction: "upload", bucket, key, loaded: p.loaded ?? 0, total: size, ...(p.part !== undefined ? { part: p.part } : {}) }));
            const abort = () => void upload.abort().catch(() => {});
            signal?.addEventListener("abort", abort, { once: true });
            try {
              if (signal?.aborted) throw signal.reason;
              await upload.done();
            } finally {
              signal?.removeEventListener("abort", abort);
            }
          },
          { ...retry, signal },
        );
        return { size };
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        throw translateS3Error(error, "upload", bucket, key);
      }
    },

    async head(bucket, key): Promise<StoredObjectInfo | null> {
      assertSafeKey(key);
      try {
        const res = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return { key, size: res.ContentLength ?? 0, contentType: res.ContentType ?? contentTypeFor(key) };
      } catch (error) {
        if (isNotFound(error)) return null;
        throw translateS3Error(error, "head", bucket, key);
      }
    },

    async list(bucket, prefix) {
      const found: ObjectInfo[] = [];
      try {
        for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: prefix })) {
          for (const item of page.Contents ?? []) {
            if (item.Key !== undefined) found.push({ key: item.Key, size: item.Size ?? 0 });
          }
        }
      } catch (error) {
        throw translateS3Error(error, "list", bucket, prefix);
      }
      return found;
    },
  };
}

async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}
