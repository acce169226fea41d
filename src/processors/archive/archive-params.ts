import { z } from "zod";
import { EXTRACT_CAPS_DEFAULTS } from "./extract-budget.ts";

/** archive_extract params. Caps count real inflated bytes, never what headers claim. */
export const ArchiveExtractParams = z.object({
  /** For encrypted ZIP, 7Z and RAR. */
  password: z.string().min(1).optional(),
  /** Extract symlinks and hardlinks that stay inside the target (refused otherwise). Default: false. */
  allow_links: z.boolean().default(false),
  /** Extract archives found inside the archive one level deep, into `<name>.d/`. Default: false. */
  extract_nested: z.boolean().default(false),
  /** Default: 10 GiB. */
  max_total_bytes: z.number().int().positive().default(EXTRACT_CAPS_DEFAULTS.maxTotalBytes),
  /** Default: 10 GiB. */
  max_entry_bytes: z.number().int().positive().default(EXTRACT_CAPS_DEFAULTS.maxEntryBytes),
  /** Inflated bytes per archive byte, checked once 16 MiB came out. Default: 100. */
  max_ratio: z.number().positive().default(EXTRACT_CAPS_DEFAULTS.maxRatio),
  /** Files, directories and links together. Default: 10 000. */
  max_entries: z.number().int().positive().default(EXTRACT_CAPS_DEFAULTS.maxEntries),
});
export type ArchiveExtractParams = z.infer<typeof ArchiveExtractParams>;

export const COMPRESS_FORMATS = ["zip", "tar.gz", "tar.zst", "7z"] as const;
export type CompressFormat = (typeof COMPRESS_FORMATS)[number];

/** One file name segment: it becomes part of an object key, so it may not climb or nest. */
const ArchiveName = z
  .string()
  .min(1)
  .max(200)
  .refine((n) => !/[/\\\0]/.test(n) && n !== "." && n !== "..", "must be a plain file name without slashes or NUL");

/** archive_compress params. The service downloads the selected objects into one directory. */
export const ArchiveCompressParams = z.object({
  format: z.enum(COMPRESS_FORMATS),
  /** Only these keys (relative to source_prefix, or to their common prefix). Default: every file. */
  source_keys: z.array(z.string().min(1)).min(1).optional(),
  /** The prefix the downloaded layout is relative to. */
  source_prefix: z.string().optional(),
  /** File name without extension. Default: "archive". */
  archive_name: ArchiveName.optional(),
});
export type ArchiveCompressParams = z.infer<typeof ArchiveCompressParams>;

export function capsFromParams(p: ArchiveExtractParams) {
  return { maxTotalBytes: p.max_total_bytes, maxEntryBytes: p.max_entry_bytes, maxRatio: p.max_ratio, maxEntries: p.max_entries };
}
