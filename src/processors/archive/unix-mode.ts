/** Kind of an entry from its Unix st_mode bits (zip external attributes >> 16, 7z/tar mode strings). */
export type EntryKind = "file" | "directory" | "symlink" | "character device" | "block device" | "FIFO" | "socket";

export function kindFromMode(mode: number): EntryKind {
  switch (mode & 0o170000) {
    case 0o040000:
      return "directory";
    case 0o120000:
      return "symlink";
    case 0o020000:
      return "character device";
    case 0o060000:
      return "block device";
    case 0o010000:
      return "FIFO";
    case 0o140000:
      return "socket";
    default:
      return "file";
  }
}

/** `lrwxrwxrwx` / `drwxr-xr-x` (as 7-Zip lists them) → kind. */
export function kindFromModeString(s: string): EntryKind {
  const table: Record<string, EntryKind> = { d: "directory", l: "symlink", c: "character device", b: "block device", p: "FIFO", s: "socket" };
  return table[s[0] ?? "-"] ?? "file";
}
