import sharp from "sharp";
import { AppError } from "../../../contracts/app-error.ts";
import type { Bounds, PointChunk, PointCloudHeader } from "../../point-cloud/point-chunk.ts";
import { samplePoints } from "./point-sample.ts";
import { framingAzimuth, renderSplats } from "./splat-renderer.ts";

export interface ThumbnailOptions {
  /** Width and height in pixels. Default: 512. */
  size?: number;
  /** "oblique" (45° down, turned to the 15° step that frames the cloud tightest) or "top" (straight
   * down, north up). Default: "oblique". */
  view?: "oblique" | "top";
  /** Points drawn at most (more are thinned evenly). Default: 2 000 000. */
  maxPoints?: number;
  /** RGBA behind the points. Default: a dark grey, opaque. */
  background?: readonly [number, number, number, number];
  signal?: AbortSignal;
}

export const THUMBNAIL_DEFAULTS = {
  size: 512,
  view: "oblique",
  maxPoints: 2_000_000,
  background: [22, 24, 29, 255],
} as const;

const WEBP_QUALITY = 85;

/** A WEBP picture of the points: depth-tested splats seen obliquely (or from the top), coloured by
 * RGB, or by height where the source has none. Deterministic. */
export async function renderThumbnail(
  points: AsyncIterable<PointChunk>,
  header: PointCloudHeader,
  path: string,
  options: ThumbnailOptions = {},
): Promise<{ points: number; width: number; height: number }> {
  const size = options.size ?? THUMBNAIL_DEFAULTS.size;
  if (!(Number.isInteger(size) && size >= 16 && size <= 4096)) throw new AppError("INVALID_PARAMS", `thumbnail size must be an integer from 16 to 4096, got ${size}`);
  const sample = await samplePoints(points, options.maxPoints ?? THUMBNAIL_DEFAULTS.maxPoints, header.attributes.color, options.signal);
  const top = (options.view ?? THUMBNAIL_DEFAULTS.view) === "top";
  const scale = horizontalScale(header, sample.bounds);
  const elevation = top ? 90 : 45;
  const rgba = renderSplats(sample, {
    size,
    elevation,
    azimuth: top ? 0 : framingAzimuth(sample, elevation, scale),
    background: options.background ?? THUMBNAIL_DEFAULTS.background,
    horizontalScale: scale,
  });
  try {
    await sharp(rgba, { raw: { width: size, height: size, channels: 4 } })
      .webp({ quality: WEBP_QUALITY, alphaQuality: 100 })
      .toFile(path);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    throw new AppError(code === "ENOSPC" ? "INSUFFICIENT_DISK" : "INTERNAL", `thumbnail: writing ${path} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return { points: sample.count, width: size, height: size };
}

const GEOGRAPHIC_EPSG = new Set([4326, 4269, 4258, 4283, 4617, 4979, 4937, 6318, 7844]);

/** Geographic coordinates (degrees) with heights in metres would draw as a needle: degrees become
 * metres at the cloud's latitude. Projected clouds are drawn as they are. */
function horizontalScale(header: PointCloudHeader, bounds: Bounds | undefined): [number, number] {
  const { wkt, epsg } = header.crs;
  const geographic = (wkt !== undefined && /^\s*(GEOGCS|GEOGCRS|GEODCRS|GEOGRAPHICCRS)\[/i.test(wkt)) || (epsg !== undefined && GEOGRAPHIC_EPSG.has(epsg));
  if (!geographic || !bounds || Math.abs(bounds.min[1]) > 90 || Math.abs(bounds.max[1]) > 90) return [1, 1];
  const lat = (((bounds.min[1] + bounds.max[1]) / 2) * Math.PI) / 180;
  return [111_320 * Math.cos(lat), 110_574];
}
