import { z } from "zod";

/** The part of `gdalinfo -json` the processors read. */
export const GdalInfoJson = z.object({
  driverShortName: z.string(),
  size: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  coordinateSystem: z.object({ wkt: z.string() }).partial().optional(),
  geoTransform: z.array(z.number()).length(6).optional(),
  metadata: z.record(z.string(), z.record(z.string(), z.string())).optional(),
  bands: z
    .array(
      z.object({
        band: z.number().int(),
        type: z.string(),
        colorInterpretation: z.string().optional(),
        // gdalinfo writes a NaN nodata as the string "nan".
        noDataValue: z.union([z.number(), z.string()]).optional(),
        colorTable: z.object({ count: z.number().int(), entries: z.array(z.array(z.number())) }).optional(),
        mask: z.object({ flags: z.array(z.string()) }).optional(),
        overviews: z.array(z.object({ size: z.tuple([z.number(), z.number()]) })).optional(),
        block: z.tuple([z.number(), z.number()]).optional(),
        computedMin: z.number().optional(),
        computedMax: z.number().optional(),
        metadata: z.record(z.string(), z.record(z.string(), z.string())).optional(),
      }),
    )
    .min(1),
});
export type GdalInfoJson = z.infer<typeof GdalInfoJson>;

/** What kind of values the pixels hold; it decides compression, predictor and resampling. */
export type RasterKind = "categorical" | "elevation" | "imagery";

export interface RasterInfo {
  width: number;
  height: number;
  bandCount: number;
  dataType: string;
  kind: RasterKind;
  hasPalette: boolean;
  /** A band with colour interpretation Alpha. */
  hasAlpha: boolean;
  /** A per-dataset mask (an alpha band, or the internal mask GDAL writes for JPEG, which cannot hold alpha). */
  hasMask: boolean;
  /** Nodata of band 1: a number, "nan", or null when none. */
  nodata: number | "nan" | null;
  /** Source photometric hint (e.g. "YCbCr" for JPEG-in-TIFF), null when plain. */
  photometric: string | null;
  compression: string | null;
  hasGeoreference: boolean;
  /** Pixel width and height in CRS units (positive), null without a geotransform. */
  pixelSize: [number, number] | null;
  overviewCount: number;
  /** Bits per sample when band 1 packs them below its type's size (TIFF NBITS, e.g. 12 in a
   * UInt16); absent for whole 8/16/32/64-bit samples. */
  nbits?: number;
}

const FLOAT_TYPES = new Set(["Float32", "Float64", "CFloat32", "CFloat64"]);

export function isFloatType(dataType: string): boolean {
  return FLOAT_TYPES.has(dataType);
}

/** Pure reading of gdalinfo's JSON into the facts the processors decide on. */
export function toRasterInfo(json: GdalInfoJson): RasterInfo {
  const [first] = json.bands;
  if (!first) throw new Error("GdalInfoJson guarantees one band");
  const hasPalette = first.colorTable !== undefined || first.colorInterpretation === "Palette";
  const structure = json.metadata?.IMAGE_STRUCTURE ?? {};
  const nodata = first.noDataValue === undefined ? null : typeof first.noDataValue === "number" ? first.noDataValue : /nan/i.test(first.noDataValue) ? "nan" : Number(first.noDataValue);
  // Single-band non-byte rasters are measurements (heights, temperatures): they need lossless
  // compression and averaging, like floats. Multi-band bytes are pictures.
  const kind: RasterKind = hasPalette ? "categorical" : isFloatType(first.type) || (json.bands.length === 1 && first.type !== "Byte") ? "elevation" : "imagery";
  return {
    width: json.size[0],
    height: json.size[1],
    bandCount: json.bands.length,
    dataType: first.type,
    kind,
    hasPalette,
    hasAlpha: json.bands.some((b) => b.colorInterpretation === "Alpha"),
    hasMask: first.mask?.flags.includes("PER_DATASET") ?? false,
    nodata: typeof nodata === "number" && Number.isNaN(nodata) ? "nan" : nodata,
    photometric: structure.SOURCE_COLOR_SPACE ?? null,
    compression: structure.COMPRESSION ?? null,
    hasGeoreference: json.geoTransform !== undefined || (json.coordinateSystem?.wkt ?? "") !== "",
    pixelSize: json.geoTransform ? [Math.hypot(json.geoTransform[1]!, json.geoTransform[4]!), Math.hypot(json.geoTransform[2]!, json.geoTransform[5]!)] : null,
    overviewCount: first.overviews?.length ?? 0,
    ...nbitsOf(first.metadata?.IMAGE_STRUCTURE?.NBITS),
  };
}

function nbitsOf(value: string | undefined): { nbits?: number } {
  const bits = Number(value);
  return value !== undefined && Number.isInteger(bits) && bits > 0 && ![8, 16, 32, 64].includes(bits) ? { nbits: bits } : {};
}
