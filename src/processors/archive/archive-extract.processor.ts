import { defineProcessor } from "../processor.ts";
import { ArchiveExtractParams } from "./archive-params.ts";
import { extractStage } from "./extract.stage.ts";
import { manifestStage } from "./manifest.stage.ts";

/**
 * archive_extract: ZIP, TAR (plain, gz, xz, zst), ZST single file, 7Z and RAR, detected from magic
 * bytes. Every entry name, link and byte is checked before it lands (UNSAFE_ARCHIVE, ARCHIVE_BOMB);
 * files go to `files/` of the outputs, then `manifest.json` lists path, size and sha256 of each.
 */
export const archiveExtractProcessor = defineProcessor({
  taskType: "archive_extract",
  params: ArchiveExtractParams,
  profile: { cpu_percent: 15, ram_gb: 2, max_concurrent: 5 },
  stages: () => [extractStage, manifestStage],
});
