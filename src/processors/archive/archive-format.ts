/** Containers the extractor reads. `gz`/`xz`/`zst` alone are single compressed files. */
export type ArchiveFormat = "zip" | "7z" | "rar" | "tar" | "tar.gz" | "tar.xz" | "tar.zst" | "gz" | "xz" | "zst";
export type Compression = "gz" | "xz" | "zst";

const startsWith = (head: Uint8Array, bytes: readonly number[], at = 0): boolean => head.length >= at + bytes.length && bytes.every((b, i) => head[at + i] === b);

/** What the first bytes say. A bare tar needs its header block: see `isTarHeader`. */
export function sniffMagic(head: Uint8Array): "zip" | "7z" | "rar" | Compression | "tar" | null {
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06]) || startsWith(head, [0x50, 0x4b, 0x07, 0x08])) return "zip";
  if (startsWith(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c])) return "7z";
  if (startsWith(head, [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07])) return "rar";
  if (startsWith(head, [0x1f, 0x8b])) return "gz";
  if (startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return "xz";
  if (startsWith(head, [0x28, 0xb5, 0x2f, 0xfd])) return "zst";
  if (isTarHeader(head)) return "tar";
  return null;
}

/** A tar header block: `ustar` magic (POSIX, GNU, pax), or a v7 header whose checksum adds up. */
export function isTarHeader(block: Uint8Array): boolean {
  if (block.length < 512) return false;
  if (startsWith(block, [0x75, 0x73, 0x74, 0x61, 0x72], 257)) return true;
  const stored = Number.parseInt(new TextDecoder().decode(block.subarray(148, 156)).replace(/[\0 ]/g, ""), 8);
  if (!Number.isFinite(stored)) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  return sum === stored && block[0] !== 0;
}

/** The format a file name or `source.format` suggests; only used when the bytes say nothing. */
export function formatFromHint(hint: string | undefined): ArchiveFormat | null {
  if (!hint) return null;
  const h = hint.toLowerCase();
  const table: [RegExp, ArchiveFormat][] = [
    [/(^|\.)(tar\.gz|tgz)$/, "tar.gz"],
    [/(^|\.)(tar\.xz|txz)$/, "tar.xz"],
    [/(^|\.)(tar\.zst|tzst)$/, "tar.zst"],
    [/(^|\.)zip$/, "zip"],
    [/(^|\.)7z$/, "7z"],
    [/(^|\.)rar$/, "rar"],
    [/(^|\.)tar$/, "tar"],
    [/(^|\.)gz$/, "gz"],
    [/(^|\.)xz$/, "xz"],
    [/(^|\.)zst$/, "zst"],
  ];
  return table.find(([re]) => re.test(h))?.[1] ?? null;
}

/** `scan.las.zst` → `scan.las`, `x.tgz` → `x.tar`: the name a single compressed file extracts to. */
export function innerFileName(key: string): string {
  const base = key.split("/").pop() ?? "";
  const stripped = base.replace(/\.t(gz|xz|zst)$/i, ".tar").replace(/\.(gz|xz|zst)$/i, "");
  return stripped === "" ? "file" : stripped;
}
