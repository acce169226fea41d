import { defineProcessor } from "../processor.ts";
import { ArchiveCompressParams } from "./archive-params.ts";
import { compressStage } from "./compress.stage.ts";

/**
 * archive_compress: the service downloads the selected objects into one directory (layout = keys
 * relative to their common prefix) and passes it as `filePath`; this streams it into one ZIP,
 * TAR.GZ, TAR.ZST or 7Z in the outputs.
 */
export const archiveCompressProcessor = defineProcessor({
  taskType: "archive_compress",
  params: ArchiveCompressParams,
  profile: { cpu_percent: 20, ram_gb: 2, max_concurrent: 5 },
  stages: () => [compressStage],
  inputObjects: (p) =>
    p.source_keys ? { keys: p.source_keys, ...(p.source_prefix !== undefined ? { base: p.source_prefix } : {}) } : p.source_prefix !== undefined ? { prefix: p.source_prefix } : null,
});
