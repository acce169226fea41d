import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalStorage } from "../../src/infra/storage/local-storage.ts";
import { testStorageContract } from "../contracts/storage.contract.ts";

testStorageContract("local directory", {
  async create() {
    const rootDir = await mkdtemp(join(tmpdir(), "vs3d-local-storage-"));
    return {
      storage: createLocalStorage({ rootDir }),
      bucket: "uploads",
      withDiskReserve: (diskReserveBytes) => createLocalStorage({ rootDir, diskReserveBytes }),
      close: () => rm(rootDir, { recursive: true, force: true }),
    };
  },
  multipart: { skip: "a local directory writes one file; there are no parts" },
  // Streaming measures 0–22 MiB here (GC timing); buffering the object measures 50–80 MiB.
  maxDownloadRssGrowthBytes: 32 * 1024 * 1024,
});
