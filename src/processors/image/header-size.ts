import { open } from "node:fs/promises";

/** Width and height as the file's own header states them, read from its first 64 KiB without any
 * decoder: PNG (IHDR), JPEG (SOFn) and TIFF (IFD0, classic and BigTIFF). libvips refuses some headers
 * that claim absurd sizes (2³¹ px) as "corrupt"; reading the claim ourselves lets a pixel bomb be
 * called INPUT_TOO_LARGE, as the README promises. Null when the header says nothing readable. */
export async function headerSize(filePath: string): Promise<{ width: number; height: number } | null> {
  const fh = await open(filePath, "r");
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.byteLength, 0);
    return sizeFromHeader(buf.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

export function sizeFromHeader(b: Buffer): { width: number; height: number } | null {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString("latin1", 12, 16) === "IHDR") {
    return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) return jpegSize(b);
  if (b.length >= 8 && (b.toString("latin1", 0, 2) === "II" || b.toString("latin1", 0, 2) === "MM")) return tiffSize(b);
  return null;
}

function jpegSize(b: Buffer): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 <= b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    if (marker === 0xff) {
      i++;
      continue;
    }
    // SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2;
      continue;
    }
    i += 2 + b.readUInt16BE(i + 2);
  }
  return null;
}

function tiffSize(b: Buffer): { width: number; height: number } | null {
  const le = b[0] === 0x49;
  const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u64 = (o: number) => Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
  const version = u16(2);
  const big = version === 43;
  if (version !== 42 && !big) return null;
  const ifd = big ? u64(8) : u32(4);
  const entrySize = big ? 20 : 12;
  const countSize = big ? 8 : 2;
  if (ifd + countSize > b.length) return null;
  const count = big ? u64(ifd) : u16(ifd);
  let width: number | undefined;
  let height: number | undefined;
  for (let k = 0; k < count; k++) {
    const o = ifd + countSize + k * entrySize;
    if (o + entrySize > b.length) break;
    const tag = u16(o);
    if (tag !== 256 && tag !== 257) continue;
    const type = u16(o + 2);
    const valueAt = o + (big ? 12 : 8);
    const value = type === 3 ? u16(valueAt) : type === 4 ? u32(valueAt) : type === 16 ? u64(valueAt) : undefined;
    if (tag === 256) width = value;
    else height = value;
  }
  return width !== undefined && height !== undefined ? { width, height } : null;
}
