import { createS3Storage, type S3StorageOptions } from "../../src/infra/storage/s3-storage.ts";
import { testStorageContract } from "../contracts/storage.contract.ts";
import { startS3rver } from "../helpers/s3rver.ts";

testStorageContract("S3 (s3rver)", {
  async create() {
    const server = await startS3rver(["uploads"]);
    const parts = new Map<string, Set<number>>();
    const options: S3StorageOptions = {
      ...server.clientOptions,
      onTransferProgress: (p) => {
        if (p.direction === "upload" && p.part !== undefined) parts.set(p.key, (parts.get(p.key) ?? new Set()).add(p.part));
      },
    };
    const storage = createS3Storage(options);
    return {
      storage,
      bucket: "uploads",
      partsUploaded: (key) => parts.get(key)?.size ?? 0,
      withDiskReserve: (diskReserveBytes) => createS3Storage({ ...options, client: storage.client, diskReserveBytes }),
      async close() {
        storage.client.destroy();
        await server.stop();
      },
    };
  },
  // 40 MiB in 8 MiB parts.
  multipart: { minParts: 5 },
  // Streaming measures 0–22 MiB here (GC timing); buffering the object measures 50–80 MiB.
  maxDownloadRssGrowthBytes: 32 * 1024 * 1024,
});
