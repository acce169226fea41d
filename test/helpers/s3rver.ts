import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The part of s3rver's API this helper uses (the package ships no types). */
interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
  /** s3rver's default (true) reads the bucket from the Host header, which "127.0.0.1" never has. */
  vhostBuckets: boolean;
}) => S3rverInstance;

export interface RunningS3rver {
  endpoint: string;
  /** Connection settings for createS3Client / createS3Storage. s3rver accepts any credentials that
   * are signed consistently; path style because the endpoint is an IP address. */
  clientOptions: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string }; forcePathStyle: true };
  stop(): Promise<void>;
}

/** Starts s3rver on 127.0.0.1 with a free port and a fresh temp dir, with `buckets` created.
 *
 * Settings that work with SDK v3 (3.1169): path-style addressing (`forcePathStyle: true`) and
 * `vhostBuckets: false`; any non-empty credentials and region. Single PutObject, multipart uploads
 * (8 MiB parts), ranged GETs and HEAD/ListObjectsV2 all work. s3rver sends no checksums, and the
 * client is built with `requestChecksumCalculation`/`responseChecksumValidation: "WHEN_REQUIRED"`
 * (which R2 needs); uploads also worked with the SDK's default checksum settings. s3rver does not
 * give multipart objects an "-N" ETag, so tests count parts from the upload's progress events. */
export async function startS3rver(buckets: string[]): Promise<RunningS3rver> {
  const S3rver = createRequire(import.meta.url)("s3rver") as S3rverClass;
  const directory = await mkdtemp(join(tmpdir(), "vs3d-s3rver-"));
  const server = new S3rver({ address: "127.0.0.1", port: 0, directory, silent: true, configureBuckets: buckets.map((name) => ({ name })), vhostBuckets: false });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  return {
    endpoint,
    clientOptions: { endpoint, region: "us-east-1", credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" }, forcePathStyle: true },
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
