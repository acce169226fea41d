import { cogLevels } from "./cog-layout.rules.ts";
import { fidelityProblems, type FidelityFacts } from "./raster-fidelity.ts";
import type { TiffIfd, TiffStructure } from "./tiff-ifd.reader.ts";

/** What a COG's own tags positively show, in the fidelity rule's terms: a property they do not show
 * is false or null, and `dataType` is null when the tags do not name exactly one GDAL type. */
export interface TagFidelityFacts extends Omit<FidelityFacts, "dataType"> {
  dataType: string | null;
}

/** GDAL's type for SampleFormat/BitsPerSample where no other can come out. Left out because GDAL
 * reads them otherwise or as several types: signed 8-bit (Byte with PIXELTYPE=SIGNEDBYTE in 3.6,
 * Int8 later), 1–15-bit NBITS (Byte/UInt16), 16-bit floats (Float32), 64-bit integers, complex. */
const GDAL_TYPES: Readonly<Record<string, string>> = { "1/8": "Byte", "1/16": "UInt16", "2/16": "Int16", "1/32": "UInt32", "2/32": "Int32", "3/32": "Float32", "3/64": "Float64" };
const INTEGER_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  Byte: [0, 255],
  UInt16: [0, 65535],
  Int16: [-32768, 32767],
  UInt32: [0, 4294967295],
  Int32: [-2147483648, 2147483647],
};
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const PALETTE = 3;
const TRANSPARENCY_MASK = 4;
const ASSOCIATED_ALPHA = 1;
const UNASSOCIATED_ALPHA = 2;

/** Reads the tags GDAL writes for palette, alpha, mask, nodata and data type from the main image. */
export function tagFidelityFacts(structure: TiffStructure): TagFidelityFacts {
  const { main, mainMask } = cogLevels(structure);
  const dataType = gdalType(main);
  return {
    hasPalette: main.photometric === PALETTE && main.hasColorMap,
    hasAlpha: main.extraSamples.some((s) => s === ASSOCIATED_ALPHA || s === UNASSOCIATED_ALPHA),
    // GDAL takes a full-size, one-sample transparency-mask IFD as the dataset's mask.
    hasMask: mainMask !== undefined && mainMask.width === main.width && mainMask.height === main.height && mainMask.samplesPerPixel === 1 && mainMask.photometric === TRANSPARENCY_MASK,
    nodata: dataType === null ? null : nodataOf(main.gdalNodata, dataType),
    dataType,
  };
}

/** True only when the tags show that the raster kept everything `source` had, by the fidelity rule's
 * own comparison; false when they show a problem or do not show enough (ask gdalinfo then). */
export function keptByTags(source: FidelityFacts, structure: TiffStructure): boolean {
  const tags = tagFidelityFacts(structure);
  if (tags.dataType === null) return false;
  return fidelityProblems(source, { ...tags, dataType: tags.dataType }).length === 0;
}

function gdalType(ifd: TiffIfd): string | null {
  const [bits, ...moreBits] = ifd.bitsPerSample;
  const [format, ...moreFormats] = ifd.sampleFormat;
  if (bits === undefined || format === undefined || moreBits.some((b) => b !== bits) || moreFormats.some((f) => f !== format)) return null;
  return GDAL_TYPES[`${format}/${bits}`] ?? null;
}

/** The nodata GDAL reads from its tag, as toRasterInfo has it (NaN as "nan"); null for no tag and
 * for text this does not read as GDAL does for certain (infinities, out-of-range or fractional
 * values and NaN of an integer type, anything but a plain decimal). */
function nodataOf(text: string | null, dataType: string): number | "nan" | null {
  if (text === null) return null;
  const trimmed = text.trim();
  const range = INTEGER_RANGES[dataType];
  if (/^[+-]?nan$/i.test(trimmed)) return range ? null : "nan";
  if (!DECIMAL.test(trimmed)) return null;
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return null;
  if (range && (!Number.isInteger(value) || value < range[0] || value > range[1])) return null;
  return value;
}
