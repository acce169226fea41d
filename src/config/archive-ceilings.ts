import { z } from "zod";
import { intVar } from "./env-values.ts";

/** Operator ceilings on archive_extract's caps: params may lower a cap, never raise it past these.
 * Each default is the cap's own default, so out of the box a caller can only tighten. */
export const ARCHIVE_CEILINGS_DEFAULTS = {
  /** ARCHIVE_MAX_TOTAL_BYTES: inflated bytes of one archive. Default: 10 GiB. */
  maxTotalBytes: 10 * 1024 ** 3,
  /** ARCHIVE_MAX_ENTRY_BYTES: inflated bytes of one entry. Default: 10 GiB. */
  maxEntryBytes: 10 * 1024 ** 3,
  /** ARCHIVE_MAX_RATIO: inflated bytes per archive byte. Default: 100. */
  maxRatio: 100,
  /** ARCHIVE_MAX_ENTRIES: files, directories and links of one archive. Default: 10 000. */
  maxEntries: 10_000,
};
export type ArchiveCeilings = typeof ARCHIVE_CEILINGS_DEFAULTS;

const d = ARCHIVE_CEILINGS_DEFAULTS;
export const ArchiveCeilingsEnv = z.object({
  ARCHIVE_MAX_TOTAL_BYTES: intVar(d.maxTotalBytes, 1, Number.MAX_SAFE_INTEGER),
  ARCHIVE_MAX_ENTRY_BYTES: intVar(d.maxEntryBytes, 1, Number.MAX_SAFE_INTEGER),
  ARCHIVE_MAX_RATIO: intVar(d.maxRatio, 1, 1_000_000),
  ARCHIVE_MAX_ENTRIES: intVar(d.maxEntries, 1, 100_000_000),
});

/** The ceilings from the environment. A bad value is refused by loadConfig at start-up (its names
 * are in Env); here, in a worker or a tool that never loaded the config, a bad value falls back to
 * the default rather than crash a processor module at import. */
export function archiveCeilingsFrom(env: Record<string, string | undefined>): ArchiveCeilings {
  const parsed = ArchiveCeilingsEnv.safeParse(env);
  if (!parsed.success) return { ...d };
  const e = parsed.data;
  return { maxTotalBytes: e.ARCHIVE_MAX_TOTAL_BYTES, maxEntryBytes: e.ARCHIVE_MAX_ENTRY_BYTES, maxRatio: e.ARCHIVE_MAX_RATIO, maxEntries: e.ARCHIVE_MAX_ENTRIES };
}
