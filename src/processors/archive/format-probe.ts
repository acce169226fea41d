import { AppError } from "../../contracts/app-error.ts";
import { readHead } from "../shared/read-bytes.ts";
import { formatFromHint, isTarHeader, sniffMagic, type ArchiveFormat, type Compression } from "./archive-format.ts";
import { decompressFile } from "./decompress-streams.ts";

/** Whether a compressed file holds a tar: its first 512 inflated bytes are a tar header. */
async function holdsTar(path: string, compression: Compression, signal: AbortSignal): Promise<boolean> {
  const source = decompressFile(path, compression, signal, () => {});
  const parts: Uint8Array[] = [];
  let have = 0;
  try {
    for await (const chunk of source.chunks) {
      parts.push(chunk);
      have += chunk.length;
      if (have >= 512) break;
    }
  } catch {
    return false; // damaged: the single-file reader reports it properly
  } finally {
    source.stop();
  }
  return isTarHeader(Buffer.concat(parts).subarray(0, 512));
}

/**
 * The format, from the bytes first: an extension is only a hint, used for a tar without a magic
 * string. A wrong extension is no error when the bytes are clear (a `.zip` that is a 7z is read as 7z).
 */
export async function detectArchiveFormat(path: string, hint: string | undefined, signal: AbortSignal): Promise<ArchiveFormat> {
  const head = await readHead(path, 1024);
  const magic = sniffMagic(head);
  if (magic === "gz" || magic === "xz" || magic === "zst") return (await holdsTar(path, magic, signal)) ? `tar.${magic}` : magic;
  if (magic !== null) return magic;
  const hinted = formatFromHint(hint);
  // An all-zero or v7 tar has no magic; nothing else may pass on its name alone.
  if (hinted === "tar" && head.length >= 512 && (head.every((b) => b === 0) || isTarHeader(head))) return "tar";
  throw new AppError("UNSUPPORTED_FORMAT", `the input is not a ZIP, TAR, TAR.GZ/XZ/ZST, ZST, 7Z or RAR archive${hint ? ` (its name says ${JSON.stringify(hint)})` : ""}`, {
    details: { hint: hint ?? null },
  });
}
