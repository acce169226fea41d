import type { Buffer } from "node:buffer";
import sharp, { type Sharp } from "sharp";

/** Decoded 8-bit pixels between two operations: what one step hands the next. */
export interface Raster {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

export const fromRaster = (r: Raster): Sharp => sharp(r.data, { raw: { width: r.width, height: r.height, channels: r.channels } });

export async function toRaster(image: Sharp): Promise<Raster> {
  const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}
