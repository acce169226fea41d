import { S3Client } from "@aws-sdk/client-s3";

export const S3_CLIENT_DEFAULTS = {
  /** What Cloudflare R2 expects; AWS needs the bucket's real region. Default: "auto". */
  region: "auto",
  /** Path-style URLs; MinIO and s3rver need true. Default: false. */
  forcePathStyle: false,
  /** Attempts per request, with the SDK's standard back-off for throttling, 5xx and socket errors.
   * Default: 5. */
  maxAttempts: 5,
};

export interface S3ClientOptions {
  /** Absent: the AWS endpoint for `region`. */
  endpoint?: string;
  region?: string;
  /** Absent: the SDK's default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  forcePathStyle?: boolean;
  maxAttempts?: number;
}

/** An S3 client that R2, MinIO and s3rver all accept. Since SDK 3.729 the client computes CRC32
 * checksums for every upload and validates them on every download by default; R2 does not support
 * those headers on all operations and s3rver returns no checksums to validate, so checksums are
 * sent and checked only where an operation requires them (Cloudflare's R2 docs give the same advice). */
export function createS3Client(options: S3ClientOptions = {}): S3Client {
  return new S3Client({
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    region: options.region ?? S3_CLIENT_DEFAULTS.region,
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    forcePathStyle: options.forcePathStyle ?? S3_CLIENT_DEFAULTS.forcePathStyle,
    maxAttempts: options.maxAttempts ?? S3_CLIENT_DEFAULTS.maxAttempts,
    retryMode: "standard",
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
}
