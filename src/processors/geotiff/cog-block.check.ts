import { band1Offsets, cogLevels } from "./cog-layout.rules.ts";
import type { GhostHeader } from "./ghost-header.ts";
import type { ByteSource } from "../shared/byte-source.ts";
import type { TiffIfd, TiffStructure } from "./tiff-ifd.reader.ts";

/** The "full check" of GDAL's validator: the ghost header promises that blocks are in row-major
 * order, framed by a 4-byte size leader and a repeated 4-byte trailer, with each mask block right
 * after its image block. Readers such as GDAL's /vsicurl/ rely on these promises to merge range
 * requests, so a broken promise means wrong pixels over HTTP, not just slower reads. */
export async function checkCogBlocks(source: ByteSource, structure: TiffStructure, ghost: GhostHeader): Promise<string[]> {
  const errors: string[] = [];
  const { main, overviews, mainMask, overviewMasks } = cogLevels(structure);
  const maskFor = (ifd: TiffIfd, candidates: TiffIfd[]) => candidates.find((m) => m.width === ifd.width && m.height === ifd.height);
  await checkBand(source, "Main resolution image", main, ghost, ghost.maskInterleavedWithImagery ? mainMask : undefined, errors);
  if (mainMask) await checkBand(source, "Mask band of main resolution image", mainMask, { ...ghost, maskInterleavedWithImagery: false }, undefined, errors);
  for (const [i, ovr] of overviews.entries()) {
    const mask = maskFor(ovr, overviewMasks);
    await checkBand(source, `Overview ${i}`, ovr, ghost, ghost.maskInterleavedWithImagery ? mask : undefined, errors);
    if (mask) await checkBand(source, `Mask band of overview ${i}`, mask, { ...ghost, maskInterleavedWithImagery: false }, undefined, errors);
  }
  return errors;
}

async function checkBand(source: ByteSource, name: string, band: TiffIfd, ghost: GhostHeader, mask: TiffIfd | undefined, errors: string[]): Promise<void> {
  const offsets = band1Offsets(band);
  const xBlocks = Math.ceil(band.width / band.blockWidth);
  const usableMask = mask && mask.blockWidth === band.blockWidth && mask.blockHeight === band.blockHeight ? mask : undefined;
  if (mask && !usableMask) errors.push(`${name}: mask block size is different from its imagery band`);
  let lastOffset = 0;
  for (const [index, blockOffset] of offsets.entries()) {
    const at = `(${index % xBlocks}, ${Math.floor(index / xBlocks)})`;
    let offset = blockOffset;
    const byteCount = band.blockByteCounts[index] ?? 0;
    if (offset > 0) {
      if (ghost.blockOrderRowMajor && offset < lastOffset) errors.push(`${name}: offset of block ${at} is smaller than previous block`);
      if (ghost.blockLeaderSizeAsUint4) {
        const leader = await readUint32LE(source, offset - 4);
        if (leader !== byteCount) errors.push(`${name}: for block ${at}, size in leader bytes is ${String(leader)} instead of ${byteCount}`);
      }
      if (ghost.blockTrailerLast4BytesRepeated && byteCount >= 4) {
        const tail = await source.read(offset + byteCount - 4, 8);
        const same = tail.length === 8 && tail.subarray(0, 4).every((b, i) => b === tail[i + 4]);
        if (!same) errors.push(`${name}: for block ${at}, trailer bytes are invalid`);
      }
    }
    const maskOffset = usableMask?.blockOffsets[index] ?? 0;
    if (usableMask && offset > 0 && maskOffset > 0) {
      const expected = offset + byteCount + (ghost.blockLeaderSizeAsUint4 ? 4 : 0) + (ghost.blockTrailerLast4BytesRepeated ? 4 : 0);
      if (maskOffset !== expected) errors.push(`Mask of ${name}: for block ${at}, offset is ${maskOffset}, whereas ${expected} was expected`);
    } else if (usableMask && offset === 0 && maskOffset > 0) {
      if (ghost.blockOrderRowMajor && maskOffset < lastOffset) errors.push(`Mask of ${name}: offset of block ${at} is smaller than previous block`);
      offset = maskOffset;
    }
    lastOffset = offset;
  }
}

async function readUint32LE(source: ByteSource, offset: number): Promise<number | null> {
  if (offset < 0) return null;
  const bytes = await source.read(offset, 4);
  if (bytes.length < 4) return null;
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
}
