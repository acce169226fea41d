import { openFileByteSource, type ByteSource } from "../geotiff/tiff-byte-source.ts";

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

/** The top-level boxes (atoms) of an ISO-BMFF file, read from their 8/16-byte headers only. */
export async function readTopLevelBoxes(source: ByteSource): Promise<Mp4Layout> {
  const boxes: Mp4Box[] = [];
  let offset = 0;
  while (offset + 8 <= source.size && boxes.length < MAX_BOXES) {
    const head = await source.read(offset, 16);
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const type = String.fromCharCode(...head.subarray(4, 8));
    let size = view.getUint32(0);
    if (size === 1) {
      if (head.length < 16) return { boxes, truncated: true };
      size = Number(view.getBigUint64(8));
    } else if (size === 0) {
      size = source.size - offset; // "to the end of the file"
    }
    if (size < 8) return { boxes, truncated: true };
    boxes.push({ type, offset, size });
    if (offset + size > source.size) return { boxes, truncated: true };
    offset += size;
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
