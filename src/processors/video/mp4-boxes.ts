import { openFileByteSource, type ByteSource } from "../shared/byte-source.ts";

export interface Mp4Box {
  type: string;
  offset: number;
  /** Declared size, header included. */
  size: number;
}

export interface Mp4Layout {
  boxes: Mp4Box[];
  /** A box claims more bytes than the file has: the upload was cut short. */
  truncated: boolean;
}

const MAX_BOXES = 10_000;

/** A box header as declared: its type, where it starts, its header's length and its size (header
 * included; size 0, "to the end", resolved against `limit`; null when its 64-bit size is cut off by
 * `limit`). Null when fewer than 8 bytes are left. The callers judge the size. */
export async function readBoxHeader(source: ByteSource, offset: number, limit: number): Promise<{ type: string; offset: number; headerSize: number; size: number | null } | null> {
  if (limit - offset < 8) return null;
  const head = await source.read(offset, 16);
  if (head.length < 8) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const type = String.fromCharCode(...head.subarray(4, 8));
  const size = view.getUint32(0);
  if (size === 1) return { type, offset, headerSize: 16, size: head.length < 16 || limit - offset < 16 ? null : Number(view.getBigUint64(8)) };
  // Size 0: "to the end" of the file, or of the box it is in.
  return { type, offset, headerSize: 8, size: size === 0 ? limit - offset : size };
}

/** The top-level boxes (atoms) of an ISO-BMFF file, read from their 8/16-byte headers only. */
export async function readTopLevelBoxes(source: ByteSource): Promise<Mp4Layout> {
  const boxes: Mp4Box[] = [];
  let offset = 0;
  while (offset + 8 <= source.size && boxes.length < MAX_BOXES) {
    const box = await readBoxHeader(source, offset, source.size);
    if (box === null || box.size === null || box.size < 8) return { boxes, truncated: true };
    boxes.push({ type: box.type, offset, size: box.size });
    if (offset + box.size > source.size) return { boxes, truncated: true };
    offset += box.size;
  }
  // A few stray bytes after the last box are harmless padding some writers leave, not a cut.
  return { boxes, truncated: false };
}

export async function readMp4Layout(path: string): Promise<Mp4Layout> {
  const source = await openFileByteSource(path);
  try {
    return await readTopLevelBoxes(source);
  } finally {
    await source.close();
  }
}

/** Faststart: the index (moov) comes before the media data, so playback starts before the whole
 * file has downloaded. */
export function isFaststart(layout: Mp4Layout): boolean {
  const moov = layout.boxes.findIndex((b) => b.type === "moov");
  const mdat = layout.boxes.findIndex((b) => b.type === "mdat");
  return moov !== -1 && (mdat === -1 || moov < mdat);
}
