import { kindFromModeString, type EntryKind } from "./unix-mode.ts";

export interface SevenZipEntry {
  path: string;
  kind: EntryKind;
  /** Declared size: how `7zz -so` splits its output. The budget still counts the real bytes. */
  size: number;
  encrypted: boolean;
}

/**
 * Parses `7zz l -slt -ba`: blocks of `Key = Value` lines separated by blank lines, in archive index
 * order, which is also the order `7zz x -so` writes file contents in.
 */
export function parseSevenZipListing(stdout: string): SevenZipEntry[] {
  const entries: SevenZipEntry[] = [];
  for (const block of stdout.split(/\r?\n\s*\r?\n/)) {
    const fields = new Map<string, string>();
    for (const line of block.split(/\r?\n/)) {
      const eq = line.indexOf(" = ");
      if (eq > 0) fields.set(line.slice(0, eq).trim(), line.slice(eq + 3));
      else if (line.endsWith(" =")) fields.set(line.slice(0, -2).trim(), "");
    }
    const path = fields.get("Path");
    if (path === undefined) continue;
    const attributes = fields.get("Attributes") ?? "";
    // "D drwxr-xr-x", "A -rw-r--r--", " lrwxrwxrwx": Windows letters, then a Unix mode string if any.
    const unix = attributes
      .trim()
      .split(/\s+/)
      .find((part) => /^[-dlcbps][-rwxsStT]{9}$/.test(part));
    const isDir = fields.get("Folder") === "+" || /^D/.test(attributes.trim()) || unix?.startsWith("d") === true;
    entries.push({
      path,
      kind: isDir ? "directory" : unix !== undefined ? kindFromModeString(unix) : "file",
      size: Number(fields.get("Size") || 0),
      encrypted: fields.get("Encrypted") === "+",
    });
  }
  return entries;
}

/** What 7-Zip's stderr says went wrong, as an error code. */
export function classifySevenZipFailure(output: string, hasPassword: boolean): "PASSWORD_REQUIRED" | "WRONG_PASSWORD" | "INPUT_CORRUPT" {
  if (/Enter password/i.test(output)) return "PASSWORD_REQUIRED";
  if (/Wrong password/i.test(output)) return hasPassword ? "WRONG_PASSWORD" : "PASSWORD_REQUIRED";
  return "INPUT_CORRUPT";
}
