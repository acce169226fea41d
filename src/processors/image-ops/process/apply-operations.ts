import type { Sharp } from "sharp";
import { AppError } from "../../../contracts/app-error.ts";
import { EDGE_KERNELS, MAX_SIDE, type Operation, type OperationOf } from "./operations.ts";
import { fromRaster, toRaster, type Raster } from "./raster.ts";
import { watermarkOverlay, type WatermarkSources } from "./watermark.ts";

const gravityName = (g: string) => (g === "center" ? "centre" : g);

/** The operations in order, each on the previous one's pixels (sharp applies the operations of one
 * pipeline in its own fixed order, so an ordered list is a chain of pipelines over decoded pixels).
 * Returns the last pipeline, not yet encoded. `label` prefixes every error: "operations[3] (crop)". */
export async function applyOperations(start: Raster, operations: readonly Operation[], sources: WatermarkSources, signal: AbortSignal): Promise<Sharp> {
  let raster = start;
  let image = fromRaster(raster);
  for (const [index, op] of operations.entries()) {
    signal.throwIfAborted();
    const where = `operations[${index}] (${op.op})`;
    if (index > 0) raster = await step(image, where);
    checkGrowth(op, raster, where);
    image = await applyOne(fromRaster(raster), op, raster, sources, where);
  }
  return image;
}

async function step(image: Sharp, where: string): Promise<Raster> {
  let raster: Raster;
  try {
    raster = await toRaster(image);
  } catch (error) {
    throw new AppError("INTERNAL", `${where}: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`, { cause: error });
  }
  if (raster.width > MAX_SIDE || raster.height > MAX_SIDE) {
    throw new AppError("INVALID_PARAMS", `${where}: the image became ${raster.width}×${raster.height} px, above ${MAX_SIDE} px a side`);
  }
  return raster;
}

/** Refuses an operation that would make the image too big before it allocates the pixels. */
function checkGrowth(op: Operation, r: Raster, where: string): void {
  let w = r.width;
  let h = r.height;
  if (op.op === "extend") [w, h] = [r.width + op.left + op.right, r.height + op.top + op.bottom];
  if (op.op === "resize" && !op.without_enlargement && op.width !== undefined && op.height !== undefined) [w, h] = [op.width, op.height];
  if (w > MAX_SIDE || h > MAX_SIDE) throw new AppError("INVALID_PARAMS", `${where}: the result would be ${w}×${h} px, above ${MAX_SIDE} px a side`);
}

async function applyOne(image: Sharp, op: Operation, r: Raster, sources: WatermarkSources, where: string): Promise<Sharp> {
  switch (op.op) {
    case "resize":
      return image.resize({
        ...(op.width !== undefined ? { width: op.width } : {}),
        ...(op.height !== undefined ? { height: op.height } : {}),
        fit: op.fit,
        position: gravityName(op.position),
        withoutEnlargement: op.without_enlargement,
        background: op.background,
      });
    case "crop":
      return crop(image, op, r, where);
    case "rotate":
      return image.rotate(op.angle, { background: op.background });
    case "flip":
      return image.flip();
    case "flop":
      return image.flop();
    case "blur":
      return image.blur(op.sigma);
    case "sharpen":
      return op.sigma === undefined ? image.sharpen() : image.sharpen({ sigma: op.sigma });
    case "grayscale":
      return image.greyscale();
    case "normalize":
      return image.normalise({ lower: op.lower, upper: op.upper });
    case "gamma":
      return image.gamma(op.gamma);
    case "modulate":
      return image.modulate({
        ...(op.brightness !== undefined ? { brightness: op.brightness } : {}),
        ...(op.saturation !== undefined ? { saturation: op.saturation } : {}),
        ...(op.hue !== undefined ? { hue: Math.round(op.hue) } : {}),
      });
    case "edge_detect": {
      const kernel = op.matrix ?? [...EDGE_KERNELS[op.kernel]];
      const side = kernel.length === 25 ? 5 : 3;
      return (op.grayscale ? image.greyscale() : image).convolve({ width: side, height: side, kernel, scale: 1, offset: 0 });
    }
    case "threshold":
      return image.threshold(op.value);
    case "watermark":
      return image.composite([await watermarkOverlay(op, r.width, r.height, sources, where)]);
    case "extend":
      return image.extend({ top: op.top, bottom: op.bottom, left: op.left, right: op.right, extendWith: op.with, background: op.background });
    case "trim":
      return image.trim({ threshold: op.threshold, ...(op.background !== undefined ? { background: op.background } : {}) });
  }
}

/** A box (left/top) is cut as is; a gravity keeps that side of the image at the crop's size;
 * attention/entropy use libvips' smart crop, which first scales the image down to cover the size. */
function crop(image: Sharp, op: OperationOf<"crop">, r: Raster, where: string): Sharp {
  if (op.gravity === "attention" || op.gravity === "entropy") {
    return image.resize({ width: op.width, height: op.height, fit: "cover", position: op.gravity });
  }
  const left = op.left ?? alignedOffset(op.gravity, "west", "east", r.width, op.width);
  const top = op.top ?? alignedOffset(op.gravity, "north", "south", r.height, op.height);
  if (left + op.width > r.width || top + op.height > r.height || left < 0 || top < 0) {
    throw new AppError("INVALID_PARAMS", `${where}: the box ${op.width}×${op.height} at ${left},${top} does not fit in the ${r.width}×${r.height} px image`);
  }
  return image.extract({ left, top, width: op.width, height: op.height });
}

function alignedOffset(gravity: string, low: string, high: string, size: number, crop: number): number {
  if (gravity.includes(low)) return 0;
  if (gravity.includes(high)) return size - crop;
  return Math.floor((size - crop) / 2);
}
