import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { AppError } from "../../contracts/app-error.ts";
import { assertFreeDisk } from "./disk-space.ts";
import { assertSafeKey } from "../../storage-rules/key-policy.ts";
import { translateS3Error } from "./s3-errors.ts";
import type { TransferProgress } from "./transfer-progress.ts";
import { withTransferRetry, type TransferRetryOptions } from "./transfer-retry.ts";

export interface S3DownloadArgs {
  client: S3Client;
  bucket: string;
  key: string;
  destPath: string;
  signal: AbortSignal | undefined;
  retry: Omit<TransferRetryOptions, "signal">;
  diskReserveBytes: number;
  report: (progress: TransferProgress) => void;
}

/** Streams an object to `destPath` through a temp file beside it, never holding the object in memory.
 * Free disk is checked against the object's size before the first byte is written; a body that breaks
 * half-way is resumed with a Range request instead of starting a multi-GB transfer over. */
export async function downloadS3Object({ client, bucket, key, destPath, signal, retry, diskReserveBytes, report }: S3DownloadArgs): Promise<{ size: number }> {
  assertSafeKey(key);
  await mkdir(dirname(destPath), { recursive: true });
  const tmp = join(dirname(destPath), `.vs3d-tmp-${randomBytes(6).toString("hex")}-${basename(destPath)}`);
  let etag: string | undefined;
  let total: number | undefined;
  try {
    await withTransferRetry(
      async () => {
        // Resume where the broken attempt stopped; If-Match makes a changed object restart cleanly.
        const have = etag === undefined ? 0 : await fileSize(tmp).catch(() => 0);
        const res = await client
          .send(new GetObjectCommand({ Bucket: bucket, Key: key, ...(have > 0 ? { Range: `bytes=${have}-`, IfMatch: etag } : {}) }), signal ? { abortSignal: signal } : {})
          .catch((error: unknown) => {
            // The object was replaced since the first attempt: start over rather than splice two versions.
            if (have > 0 && (error as { name?: string }).name === "PreconditionFailed") {
              etag = undefined;
              throw Object.assign(new Error(`${bucket}/${key} changed during download`), { $retryable: true });
            }
            throw error;
          });
        // A server that ignores Range sends the whole object again (200, no Content-Range).
        const resumed = have > 0 && res.ContentRange !== undefined;
        const body = res.Body;
        if (!(body instanceof Readable)) throw new AppError("STORAGE_ERROR", `download of ${bucket}/${key}: response has no stream body`);
        if (etag === undefined) {
          total = res.ContentLength;
          etag = res.ETag;
          try {
            await assertFreeDisk(dirname(destPath), total ?? 0, { reserveBytes: diskReserveBytes });
          } catch (error) {
            body.destroy();
            throw error;
          }
        }
        let loaded = resumed ? have : 0;
        const counter = new Transform({
          transform(chunk: Buffer, _enc, done) {
            loaded += chunk.length;
            report({ direction: "download", bucket, key, loaded, total });
            done(null, chunk);
          },
        });
        await pipeline(body, counter, createWriteStream(tmp, { flags: resumed ? "a" : "w" }), ...(signal ? [{ signal }] : []));
      },
      { ...retry, signal },
    );
    const size = await fileSize(tmp);
    if (total !== undefined && size !== total) throw new AppError("STORAGE_ERROR", `download of ${bucket}/${key} is ${size} bytes, expected ${total}`);
    await rename(tmp, destPath);
    return { size };
  } catch (error) {
    await rm(tmp, { force: true });
    if (signal?.aborted) throw signal.reason;
    throw translateS3Error(error, "download", bucket, key);
  }
}

async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}
