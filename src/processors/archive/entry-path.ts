import { AppError } from "../../contracts/app-error.ts";

/** Why a name was refused: kept in AppError.details so a support person can see which rule fired. */
export type UnsafeReason = "empty" | "nul_byte" | "absolute" | "drive_letter" | "parent_segment" | "name_too_long";

/** Limits of Linux file systems (and of every client that mirrors keys to paths): a path of at most
 * 4096 bytes, each segment at most 255 bytes. A longer name is refused before the file system is
 * asked, so no error can carry the host's work path. */
export const ENTRY_NAME_LIMITS = { maxPathBytes: 4096, maxSegmentBytes: 255 };

/** An entry name as an error may show it: at most 120 characters. */
export function shownName(name: string): string {
  return JSON.stringify(name.length > 120 ? `${name.slice(0, 120)}…` : name);
}

function unsafe(name: string, reason: UnsafeReason): AppError {
  return new AppError("UNSAFE_ARCHIVE", `archive entry ${shownName(name)} is unsafe (${reason.replaceAll("_", " ")}): refused`, {
    details: { entry: name.length > 1024 ? `${name.slice(0, 1024)}…` : name, reason },
  });
}

const utf8Bytes = (s: string) => new TextEncoder().encode(s).byteLength;

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
  const path = segments.join("/");
  if (utf8Bytes(path) > ENTRY_NAME_LIMITS.maxPathBytes || segments.some((s) => utf8Bytes(s) > ENTRY_NAME_LIMITS.maxSegmentBytes)) throw unsafe(name, "name_too_long");
  return path;
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
