import type { ByteSource } from "../shared/byte-source.ts";

/** One image file directory, reduced to what layout checks need. */
export interface TiffIfd {
  /** Byte offset of the IFD itself. */
  offset: number;
  /** NewSubfileType: bit 0 = reduced resolution (overview), bit 2 = transparency mask. */
  subfileType: number;
  width: number;
  height: number;
  samplesPerPixel: number;
  /** 1 = chunky (pixel interleaved), 2 = planar (one set of blocks per band). */
  planarConfig: number;
  tiled: boolean;
  blockWidth: number;
  blockHeight: number;
  /** Tile or strip offsets and byte counts, all bands, in file order of the tag. */
  blockOffsets: number[];
  blockByteCounts: number[];
  hasColorMap: boolean;
  /** PhotometricInterpretation (3 = palette, 4 = transparency mask); null when the tag is absent. */
  photometric: number | null;
  /** One entry per sample as stored (TIFF's default: [1]). */
  bitsPerSample: number[];
  /** 1 = unsigned integer, 2 = signed, 3 = IEEE float, 5/6 = complex; one entry per sample as stored (default: [1]). */
  sampleFormat: number[];
  /** Meaning of the samples beyond the photometric's own: 1 = associated alpha, 2 = unassociated alpha. */
  extraSamples: number[];
  /** GDAL's nodata tag (42113) as GDAL wrote it, without the trailing NUL; null when absent or not ASCII. */
  gdalNodata: string | null;
}

export interface TiffStructure {
  bigTiff: boolean;
  littleEndian: boolean;
  ifds: TiffIfd[];
}

/** Thrown for bytes that are not TIFF at all, as opposed to a TIFF whose structure is broken. */
export class NotTiffError extends Error {}
export class BrokenTiffError extends Error {}

const MAX_IFDS = 1000;
const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };
const TAG = {
  subfile: 254,
  width: 256,
  height: 257,
  bitsPerSample: 258,
  photometric: 262,
  samples: 277,
  rowsPerStrip: 278,
  stripOffsets: 273,
  stripCounts: 279,
  planar: 284,
  colorMap: 320,
  tileWidth: 322,
  tileHeight: 323,
  tileOffsets: 324,
  tileCounts: 325,
  extraSamples: 338,
  sampleFormat: 339,
  gdalNodata: 42113,
} as const;
const ASCII = 2;
const WANTED = new Set<number>(Object.values(TAG));

/** Reads the header and the whole IFD chain of a classic TIFF or BigTIFF. */
export async function readTiffStructure(source: ByteSource): Promise<TiffStructure> {
  const head = await source.read(0, 16);
  const order = String.fromCharCode(head[0] ?? 0, head[1] ?? 0);
  if (head.length < 8 || (order !== "II" && order !== "MM")) throw new NotTiffError("not a TIFF file (bad byte-order mark)");
  const littleEndian = order === "II";
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const magic = view.getUint16(2, littleEndian);
  if (magic !== 42 && magic !== 43) throw new NotTiffError(`not a TIFF file (magic ${magic})`);
  const bigTiff = magic === 43;
  if (bigTiff && head.length < 16) throw new BrokenTiffError("BigTIFF header is truncated");
  let next = bigTiff ? Number(view.getBigUint64(8, littleEndian)) : view.getUint32(4, littleEndian);
  const ifds: TiffIfd[] = [];
  const seen = new Set<number>();
  while (next !== 0) {
    if (seen.has(next)) throw new BrokenTiffError(`IFD chain loops back to byte ${next}`);
    if (ifds.length >= MAX_IFDS) throw new BrokenTiffError(`more than ${MAX_IFDS} IFDs`);
    seen.add(next);
    const { ifd, nextOffset } = await readIfd(source, next, bigTiff, littleEndian);
    ifds.push(ifd);
    next = nextOffset;
  }
  if (ifds.length === 0) throw new BrokenTiffError("TIFF has no image directory");
  return { bigTiff, littleEndian, ifds };
}

async function readIfd(source: ByteSource, offset: number, big: boolean, le: boolean): Promise<{ ifd: TiffIfd; nextOffset: number }> {
  const countSize = big ? 8 : 2;
  const entrySize = big ? 20 : 12;
  const countBytes = await readExact(source, offset, countSize, "IFD entry count");
  const countView = view(countBytes);
  const count = big ? Number(countView.getBigUint64(0, le)) : countView.getUint16(0, le);
  if (count === 0 || count > 4096) throw new BrokenTiffError(`IFD at byte ${offset} has ${count} entries`);
  const body = await readExact(source, offset + countSize, count * entrySize + (big ? 8 : 4), "IFD entries");
  const bodyView = view(body);
  const tags = new Map<number, number[]>();
  const types = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const at = i * entrySize;
    const tag = bodyView.getUint16(at, le);
    if (!WANTED.has(tag)) continue;
    types.set(tag, bodyView.getUint16(at + 2, le));
    tags.set(tag, await readValues(source, body, at, big, le));
  }
  const nextAt = count * entrySize;
  const nextOffset = big ? Number(bodyView.getBigUint64(nextAt, le)) : bodyView.getUint32(nextAt, le);
  const first = (tag: number, fallback: number) => tags.get(tag)?.[0] ?? fallback;
  const width = first(TAG.width, 0);
  const height = first(TAG.height, 0);
  if (width === 0 || height === 0) throw new BrokenTiffError(`IFD at byte ${offset} has no image size`);
  const tiled = tags.has(TAG.tileOffsets);
  return {
    nextOffset,
    ifd: {
      offset,
      subfileType: first(TAG.subfile, 0),
      width,
      height,
      samplesPerPixel: first(TAG.samples, 1),
      planarConfig: first(TAG.planar, 1),
      tiled,
      blockWidth: tiled ? first(TAG.tileWidth, width) : width,
      blockHeight: tiled ? first(TAG.tileHeight, height) : Math.min(height, first(TAG.rowsPerStrip, height)),
      blockOffsets: tags.get(tiled ? TAG.tileOffsets : TAG.stripOffsets) ?? [],
      blockByteCounts: tags.get(tiled ? TAG.tileCounts : TAG.stripCounts) ?? [],
      hasColorMap: tags.has(TAG.colorMap),
      photometric: tags.get(TAG.photometric)?.[0] ?? null,
      bitsPerSample: tags.get(TAG.bitsPerSample) ?? [1],
      sampleFormat: tags.get(TAG.sampleFormat) ?? [1],
      extraSamples: tags.get(TAG.extraSamples) ?? [],
      gdalNodata: types.get(TAG.gdalNodata) === ASCII ? asciiText(tags.get(TAG.gdalNodata) ?? []) : null,
    },
  };
}

async function readValues(source: ByteSource, body: Uint8Array, at: number, big: boolean, le: boolean): Promise<number[]> {
  const v = view(body);
  const type = v.getUint16(at + 2, le);
  const count = big ? Number(v.getBigUint64(at + 4, le)) : v.getUint32(at + 4, le);
  const size = TYPE_SIZES[type];
  if (size === undefined) return [];
  const total = size * count;
  const inlineSize = big ? 8 : 4;
  const valueAt = at + (big ? 12 : 8);
  let bytes: Uint8Array;
  if (total <= inlineSize) bytes = body.subarray(valueAt, valueAt + total);
  else {
    const pointer = big ? Number(v.getBigUint64(valueAt, le)) : v.getUint32(valueAt, le);
    bytes = await readExact(source, pointer, total, "tag values");
  }
  const data = view(bytes);
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) {
    out[i] = size === 1 ? data.getUint8(i) : size === 2 ? data.getUint16(i * 2, le) : size === 4 ? data.getUint32(i * 4, le) : Number(data.getBigUint64(i * 8, le));
  }
  return out;
}

/** An ASCII tag's text: up to its first NUL (TIFF ends each string with one). */
function asciiText(bytes: number[]): string {
  const end = bytes.indexOf(0);
  return new TextDecoder("latin1").decode(Uint8Array.from(end === -1 ? bytes : bytes.slice(0, end)));
}

async function readExact(source: ByteSource, offset: number, length: number, what: string): Promise<Uint8Array> {
  if (offset + length > source.size) throw new BrokenTiffError(`${what} at byte ${offset} run past the end of the file (${source.size} bytes)`);
  return source.read(offset, length);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
