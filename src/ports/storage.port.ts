/** Object storage port (DESIGN.md §6). Adapters: a local directory (buckets are folders), S3/R2/MinIO. */

export interface ObjectInfo {
  key: string;
  size: number;
  /** The stored MIME type, where the backend reports it. */
  contentType?: string;
}

export interface DownloadOptions {
  signal?: AbortSignal;
  /** The caller only reads the file and never writes to it: an adapter may give it the stored bytes
   * themselves (local storage: a hard link) rather than a copy. Default: false. */
  readOnly?: boolean;
}

export interface ObjectStorage {
  /** Streams an object to a local file (never the whole object in memory). INPUT_NOT_FOUND when absent. */
  download(bucket: string, key: string, destPath: string, options?: DownloadOptions): Promise<{ size: number }>;
  /** Streams a local file to an object; multipart for large files where the backend has it. */
  upload(bucket: string, key: string, srcPath: string, options?: { contentType?: string; signal?: AbortSignal }): Promise<{ size: number }>;
  head(bucket: string, key: string): Promise<ObjectInfo | null>;
  list(bucket: string, prefix: string): Promise<ObjectInfo[]>;
}
