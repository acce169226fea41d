/** What the first bytes of a file say it is, for when ffprobe cannot open it: the difference between
 * "you sent us the wrong kind of file" (UNSUPPORTED_FORMAT) and "your video is damaged"
 * (INPUT_CORRUPT) is what the user needs to know next. */
export type SniffResult = { kind: "empty" } | { kind: "video-container"; name: string } | { kind: "other"; name: string } | { kind: "unknown" };

const ascii = (bytes: Uint8Array, at: number, length: number) => String.fromCharCode(...bytes.subarray(at, at + length));
const startsWith = (bytes: Uint8Array, sig: readonly number[], at = 0) => sig.every((b, i) => bytes[at + i] === b);

const VIDEO_SIGNATURES: ReadonlyArray<{ name: string; test: (b: Uint8Array) => boolean }> = [
  { name: "MP4/QuickTime", test: (b) => ["ftyp", "moov", "mdat", "free", "wide", "skip"].includes(ascii(b, 4, 4)) },
  { name: "Matroska/WebM", test: (b) => startsWith(b, [0x1a, 0x45, 0xdf, 0xa3]) },
  { name: "AVI", test: (b) => ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 4) === "AVI " },
  { name: "FLV", test: (b) => ascii(b, 0, 3) === "FLV" },
  { name: "Ogg", test: (b) => ascii(b, 0, 4) === "OggS" },
  { name: "MPEG-PS", test: (b) => startsWith(b, [0x00, 0x00, 0x01, 0xba]) },
  { name: "MPEG-TS", test: (b) => b[0] === 0x47 && b[188] === 0x47 },
  { name: "ASF/WMV", test: (b) => startsWith(b, [0x30, 0x26, 0xb2, 0x75]) },
];

const OTHER_SIGNATURES: ReadonlyArray<{ name: string; test: (b: Uint8Array) => boolean }> = [
  { name: "ZIP archive", test: (b) => ascii(b, 0, 4) === "PK\x03\x04" },
  { name: "PDF document", test: (b) => ascii(b, 0, 5) === "%PDF-" },
  { name: "PNG image", test: (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47]) },
  { name: "JPEG image", test: (b) => startsWith(b, [0xff, 0xd8, 0xff]) },
  { name: "GIF image", test: (b) => ascii(b, 0, 4) === "GIF8" },
  { name: "TIFF image", test: (b) => ascii(b, 0, 4) === "II*\0" || ascii(b, 0, 4) === "MM\0*" },
  { name: "7z archive", test: (b) => startsWith(b, [0x37, 0x7a, 0xbc, 0xaf]) },
  { name: "gzip data", test: (b) => startsWith(b, [0x1f, 0x8b]) },
];

/** Classifies a file's head (a few KiB is plenty). */
export function sniffMedia(head: Uint8Array): SniffResult {
  if (head.length === 0) return { kind: "empty" };
  const video = VIDEO_SIGNATURES.find((s) => s.test(head));
  if (video) return { kind: "video-container", name: video.name };
  const other = OTHER_SIGNATURES.find((s) => s.test(head));
  if (other) return { kind: "other", name: other.name };
  if (looksLikeText(head)) return { kind: "other", name: "text" };
  return { kind: "unknown" };
}

/** Valid UTF-8 without control bytes other than whitespace. */
function looksLikeText(bytes: Uint8Array): boolean {
  try {
    // stream: a multi-byte character cut at the end of the sample is still text.
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: true });
    return !/[\0-\x08\x0e-\x1f\x7f]/.test(text);
  } catch {
    return false;
  }
}
