import { z } from "zod";
import { archiveCeilingsFrom, type ArchiveCeilings } from "../../config/archive-ceilings.ts";
import { EXTRACT_CAPS_DEFAULTS } from "./extract-budget.ts";

/** The operator's ceilings (ARCHIVE_MAX_* in the environment), read once per process. */
const CEILINGS = archiveCeilingsFrom(process.env);

/** A cap a caller may set up to the operator's ceiling, never past it. Its default is the cap's own
 * default, or the ceiling when the operator set it lower. */
const cap = (ceiling: number, byDefault: number, name: string, int = true) =>
  (int ? z.number().int() : z.number()).positive().max(ceiling, `${name} may not exceed this node's ceiling of ${ceiling} (set by the operator)`).default(Math.min(byDefault, ceiling));

/** archive_extract params for given ceilings. Caps count real inflated bytes, never what headers claim. */
export function archiveExtractParams(c: ArchiveCeilings) {
  return z.object({
    /** For encrypted ZIP, 7Z and RAR. */
    password: z.string().min(1).optional(),
    /** Extract symlinks and hardlinks that stay inside the target (refused otherwise). Default: false. */
    allow_links: z.boolean().default(false),
    /** Extract archives found inside the archive one level deep, into `<name>.d/`. Default: false. */
    extract_nested: z.boolean().default(false),
    /** At most ARCHIVE_MAX_TOTAL_BYTES. Default: 10 GiB. */
    max_total_bytes: cap(c.maxTotalBytes, EXTRACT_CAPS_DEFAULTS.maxTotalBytes, "max_total_bytes"),
    /** At most ARCHIVE_MAX_ENTRY_BYTES. Default: 10 GiB. */
    max_entry_bytes: cap(c.maxEntryBytes, EXTRACT_CAPS_DEFAULTS.maxEntryBytes, "max_entry_bytes"),
    /** Inflated bytes per archive byte, checked once 16 MiB came out. At most ARCHIVE_MAX_RATIO. Default: 100. */
    max_ratio: cap(c.maxRatio, EXTRACT_CAPS_DEFAULTS.maxRatio, "max_ratio", false),
    /** Files, directories and links together. At most ARCHIVE_MAX_ENTRIES. Default: 10 000. */
    max_entries: cap(c.maxEntries, EXTRACT_CAPS_DEFAULTS.maxEntries, "max_entries"),
  });
}

export const ArchiveExtractParams = archiveExtractParams(CEILINGS);
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
  /** The prefix the downloaded layout is relative to; never empty (that would be the whole bucket).
   * It and every key must lie within the task's source area (see accept-task.ts). */
  source_prefix: z.string().min(1, "must not be empty: name a folder within the task's source area").optional(),
  /** File name without extension. Default: "archive". */
  archive_name: ArchiveName.optional(),
});
export type ArchiveCompressParams = z.infer<typeof ArchiveCompressParams>;

export function capsFromParams(p: ArchiveExtractParams) {
  return { maxTotalBytes: p.max_total_bytes, maxEntryBytes: p.max_entry_bytes, maxRatio: p.max_ratio, maxEntries: p.max_entries };
}
