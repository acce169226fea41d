import { AppError } from "../../contracts/app-error.ts";

/** Why a name was refused: kept in AppError.details so a support person can see which rule fired. */
export type UnsafeReason = "empty" | "nul_byte" | "absolute" | "drive_letter" | "parent_segment";

function unsafe(name: string, reason: UnsafeReason): AppError {
  return new AppError("UNSAFE_ARCHIVE", `archive entry ${JSON.stringify(name)} is unsafe (${reason.replace("_", " ")}): refused`, {
    details: { entry: name, reason },
  });
}

/**
 * Turns an archive entry name into a relative POSIX path that cannot leave the extraction root, or
 * throws UNSAFE_ARCHIVE. Backslashes count as separators because Windows tools write them and
 * Windows clients would honour them later: `..\x` is a climb, not a file name. Every `..` is refused,
 * even one that would stay inside (`a/../b`): no legitimate archiver writes it, and refusing is
 * simpler to reason about than resolving.
 */
export function normaliseEntryPath(name: string): string {
  if (name.includes("\0")) throw unsafe(name, "nul_byte");
  const slashed = name.replace(/\\/g, "/");
  if (slashed.startsWith("/")) throw unsafe(name, "absolute");
  if (/^[A-Za-z]:/.test(slashed)) throw unsafe(name, "drive_letter");
  const segments = slashed.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) throw unsafe(name, "parent_segment");
  if (segments.length === 0) throw unsafe(name, "empty");
  return segments.join("/");
}

/** Parent directories of a normalised path, outermost first: `a/b/c` → [`a`, `a/b`]. */
export function parentPaths(path: string): string[] {
  const segments = path.split("/");
  return segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join("/"));
}

/**
 * Resolves a symlink's target against the link's own directory and returns the path it points at,
 * relative to the root, or null when it would leave the root. Only leading `..` segments are allowed:
 * the kernel resolves `..` physically, so `d/../x` through a link `d` could climb where a lexical
 * check says it does not, while leading `..` only ever climbs real directories we created.
 */
export function resolveLinkTarget(linkPath: string, target: string): string | null {
  if (target === "" || target.includes("\0") || target.includes("\\")) return null;
  if (target.startsWith("/") || /^[A-Za-z]:/.test(target)) return null;
  const segments = target.split("/").filter((s) => s !== "" && s !== ".");
  const firstNonParent = segments.findIndex((s) => s !== "..");
  const ups = firstNonParent === -1 ? segments.length : firstNonParent;
  if (segments.slice(ups).includes("..")) return null;
  const base = linkPath.split("/").slice(0, -1);
  if (ups > base.length) return null;
  return [...base.slice(0, base.length - ups), ...segments.slice(ups)].join("/");
}
