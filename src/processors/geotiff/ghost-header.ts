import type { ByteSource } from "../shared/byte-source.ts";

/** GDAL's "ghost" structural metadata: text GDAL's COG writer puts right after the TIFF header,
 * before the first IFD, declaring promises about the block layout that readers may rely on. */
export interface GhostHeader {
  /** Where the first IFD must start when this header is present. */
  expectedIfdOffset: number;
  blockOrderRowMajor: boolean;
  blockLeaderSizeAsUint4: boolean;
  blockTrailerLast4BytesRepeated: boolean;
  maskInterleavedWithImagery: boolean;
  /** Set by GDAL when the file was edited in place after being written as a COG. */
  knownIncompatibleEdition: boolean;
}

const PREFIX = "GDAL_STRUCTURAL_METADATA_SIZE=";
/** "GDAL_STRUCTURAL_METADATA_SIZE=000000 bytes\n" */
const LINE_LENGTH = PREFIX.length + 6 + " bytes\n".length;

/** Reads the ghost header, or null when the bytes after the TIFF header are not one. */
export async function readGhostHeader(source: ByteSource, bigTiff: boolean): Promise<GhostHeader | null> {
  const start = bigTiff ? 16 : 8;
  const line = latin1(await source.read(start, LINE_LENGTH));
  if (line.length !== LINE_LENGTH || !line.startsWith(PREFIX)) return null;
  const size = Number.parseInt(line.slice(PREFIX.length, PREFIX.length + 6), 10);
  if (!Number.isFinite(size) || size < 0) return null;
  const text = latin1(await source.read(start + LINE_LENGTH, size));
  const end = start + LINE_LENGTH + size;
  return {
    // IFDs start on a word boundary, so GDAL pads an odd-sized header by one byte.
    expectedIfdOffset: end + (end % 2),
    blockOrderRowMajor: text.includes("BLOCK_ORDER=ROW_MAJOR"),
    blockLeaderSizeAsUint4: text.includes("BLOCK_LEADER=SIZE_AS_UINT4"),
    blockTrailerLast4BytesRepeated: text.includes("BLOCK_TRAILER=LAST_4_BYTES_REPEATED"),
    maskInterleavedWithImagery: text.includes("MASK_INTERLEAVED_WITH_IMAGERY=YES"),
    knownIncompatibleEdition: text.includes("KNOWN_INCOMPATIBLE_EDITION=YES"),
  };
}

function latin1(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}
