import { AppError } from "../../contracts/app-error.ts";
import { asFolder, commonKeyPrefix } from "../../storage-rules/key-policy.ts";
import { normaliseEntryPath } from "./entry-path.ts";

/**
 * Paths inside the archive for the selected keys: relative to `source_prefix` when given (every key
 * must lie below it), else to the keys' common prefix — the same layout the service downloads to.
 * Sorted and unique, so the archive is the same whatever order the keys came in.
 */
export function memberPaths(keys: readonly string[], prefix: string | undefined): string[] {
  const base = prefix === undefined ? commonKeyPrefix(keys) : asFolder(prefix);
  const paths = keys.map((key) => {
    if (!key.startsWith(base)) {
      throw new AppError("INVALID_PARAMS", `source key ${JSON.stringify(key)} is not below source_prefix ${JSON.stringify(base)}`, { details: { key, prefix: base } });
    }
    try {
      return normaliseEntryPath(key.slice(base.length));
    } catch {
      throw new AppError("INVALID_PARAMS", `source key ${JSON.stringify(key)} does not name a file below ${JSON.stringify(base)}`, { details: { key } });
    }
  });
  return [...new Set(paths)].sort();
}
