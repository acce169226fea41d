import type { GhostHeader } from "./ghost-header.ts";
import type { TiffIfd, TiffStructure } from "./tiff-ifd.reader.ts";

/** The IFDs GDAL sees as one raster: the main image, its overviews in file order, and masks. */
export interface CogLevels {
  main: TiffIfd;
  overviews: TiffIfd[];
  mainMask: TiffIfd | undefined;
  overviewMasks: TiffIfd[];
}

export interface CogLayoutFacts {
  structure: TiffStructure;
  /** Only read when the main IFD is not right after the TIFF header (as GDAL's validator does). */
  ghost: GhostHeader | null;
  hasExternalOverviews: boolean;
}

export interface CogLayoutReport {
  errors: string[];
  warnings: string[];
  details: { ifdOffsets: number[]; dataOffsets: number[]; overviewSizes: [number, number][]; tiled: boolean };
}

const REDUCED = 1;
const MASK = 4;

export function cogLevels(structure: TiffStructure): CogLevels {
  const [main, ...rest] = structure.ifds;
  if (!main) throw new Error("a TIFF structure always has a main IFD");
  const isMask = (ifd: TiffIfd) => (ifd.subfileType & MASK) !== 0;
  const isReduced = (ifd: TiffIfd) => (ifd.subfileType & REDUCED) !== 0;
  return {
    main,
    overviews: rest.filter((ifd) => isReduced(ifd) && !isMask(ifd)),
    mainMask: rest.find((ifd) => isMask(ifd) && !isReduced(ifd)),
    overviewMasks: rest.filter((ifd) => isMask(ifd) && isReduced(ifd)),
  };
}

/** Offset of the first non-empty block of band 1, 0 when every block is sparse. */
export function firstBlockOffset(ifd: TiffIfd): number {
  return band1Offsets(ifd).find((o) => o !== 0) ?? 0;
}

/** With planar configuration, band 1 owns the first blocks-per-band entries; GDAL checks band 1 only. */
export function band1Offsets(ifd: TiffIfd): number[] {
  if (ifd.planarConfig !== 2) return ifd.blockOffsets;
  const perBand = Math.ceil(ifd.width / ifd.blockWidth) * Math.ceil(ifd.height / ifd.blockHeight);
  return ifd.blockOffsets.slice(0, perBand);
}

/** The layout rules of GDAL's validate_cloud_optimized_geotiff.py, on facts read from the file:
 * the main IFD first, overviews smaller and smaller with their IFDs in increasing offsets, and the
 * image data in the reverse order (smallest overview first, full resolution last). */
export function checkCogLayout(facts: CogLayoutFacts): CogLayoutReport {
  const errors: string[] = [];
  const warnings: string[] = [];
  const { main, overviews } = cogLevels(facts.structure);
  if (facts.hasExternalOverviews) errors.push("Overviews found in external .ovr file. They should be internal");

  // GDAL's own test: a block as wide as a wide image means strips, which defeat range reads.
  const untiled = (ifd: TiffIfd) => ifd.blockWidth === ifd.width && ifd.blockWidth > 1024;
  if (main.width > 512 || main.height > 512) {
    if (untiled(main)) errors.push("The file is greater than 512xH or Wx512, but is not tiled");
    if (overviews.length === 0) warnings.push("The file is greater than 512xH or Wx512, it is recommended to include internal overviews");
  }

  const ifdOffsets = [main.offset];
  if (main.offset !== 8 && main.offset !== 16) {
    const ghost = facts.ghost;
    if (ghost?.knownIncompatibleEdition) errors.push("KNOWN_INCOMPATIBLE_EDITION=YES is declared in the file");
    const expected = ghost ? ghost.expectedIfdOffset : facts.structure.bigTiff ? 16 : 8;
    if (expected !== main.offset) errors.push(`The offset of the main IFD should be ${expected}. It is ${main.offset} instead`);
  }

  overviews.forEach((ovr, i) => {
    const prev = i === 0 ? main : overviews[i - 1]!;
    if (ovr.width > prev.width || ovr.height > prev.height) {
      errors.push(i === 0 ? "First overview has larger dimension than main band" : `Overview of index ${i} has larger dimension than overview of index ${i - 1}`);
    }
    if (untiled(ovr)) errors.push(`Overview of index ${i} is not tiled`);
    ifdOffsets.push(ovr.offset);
    if (ovr.offset < prev.offset) {
      const other = i === 0 ? "the main image" : `index ${i - 1}`;
      errors.push(`The offset of the IFD for overview of index ${i} is ${ovr.offset}, whereas it should be greater than the one of ${other}, which is at byte ${prev.offset}`);
    }
  });

  const dataOffsets = [main, ...overviews].map(firstBlockOffset);
  const last = dataOffsets.length - 1;
  if (dataOffsets[last]! !== 0 && dataOffsets[last]! < ifdOffsets[last]!) {
    errors.push(overviews.length > 0 ? "The offset of the first block of the smallest overview should be after its IFD" : "The offset of the first block of the image should be after its IFD");
  }
  for (let i = last - 1; i > 0; i--) {
    if (dataOffsets[i]! !== 0 && dataOffsets[i]! < dataOffsets[i + 1]!) {
      errors.push(`The offset of the first block of overview of index ${i - 1} should be after the one of the overview of index ${i}`);
    }
  }
  if (dataOffsets.length >= 2 && dataOffsets[0]! !== 0 && dataOffsets[0]! < dataOffsets[1]!) {
    errors.push(`The offset of the first block of the main resolution image should be after the one of the overview of index ${overviews.length - 1}`);
  }

  return {
    errors,
    warnings,
    details: { ifdOffsets, dataOffsets, overviewSizes: overviews.map((o) => [o.width, o.height]), tiled: [main, ...overviews].every((ifd) => ifd.tiled) },
  };
}
