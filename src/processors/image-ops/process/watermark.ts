import { Buffer } from "node:buffer";
import sharp, { type OverlayOptions } from "sharp";
import { AppError } from "../../../contracts/app-error.ts";
import type { OperationOf } from "./operations.ts";

/** What a watermark needs from outside the pixels: where an `image_key` overlay was downloaded. */
export interface WatermarkSources {
  /** The local path of an overlay object, or null when the task did not download it. */
  imageFile(key: string): string | null;
  /** Pixel limit for the overlay, checked from its header. */
  limitInputPixels: number;
}

const escapeMarkup = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const MAX_INLINE_BYTES = 1024 * 1024;

/** Renders the overlay at its place on a `width`×`height` image: scaled to `scale` of the width
 * (and inside the margins), with `opacity` applied to its alpha. */
export async function watermarkOverlay(op: OperationOf<"watermark">, width: number, height: number, sources: WatermarkSources, where: string): Promise<OverlayOptions> {
  const margin = Math.round(op.margin * Math.min(width, height));
  const maxW = Math.max(1, width - 2 * margin);
  const maxH = Math.max(1, height - 2 * margin);
  let overlay = await overlaySource(op, sources, where);
  const meta = await overlay.metadata();
  const natural = { w: meta.width ?? 1, h: meta.height ?? 1 };
  const targetW = Math.min(maxW, Math.max(1, Math.round(op.scale * width)));
  // Text is rendered large and scaled to the box; an image overlay is never enlarged.
  const fitW = op.text !== undefined ? targetW : Math.min(targetW, natural.w);
  const fitH = Math.min(maxH, Math.max(1, Math.round((fitW * natural.h) / natural.w)));
  const { data, info } = await overlay.resize({ width: fitW, height: fitH, fit: "inside" }).ensureAlpha().toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
  for (let i = 3; i < data.length; i += 4) data[i] = Math.round(data[i]! * op.opacity);
  overlay = sharp(data, { raw: { width: info.width, height: info.height, channels: 4 } });
  const { left, top } = place(op.gravity, width, height, info.width, info.height, margin);
  return { input: await overlay.png().toBuffer(), left, top };
}

async function overlaySource(op: OperationOf<"watermark">, sources: WatermarkSources, where: string) {
  if (op.text !== undefined) {
    return sharp({ text: { text: `<span foreground="${op.color}">${escapeMarkup(op.text)}</span>`, font: "DejaVu Sans Bold", dpi: 300, rgba: true } });
  }
  let input: string | Buffer;
  if (op.image_key !== undefined) {
    const file = sources.imageFile(op.image_key);
    if (file === null) throw new AppError("INVALID_PARAMS", `${where}: the watermark image ${JSON.stringify(op.image_key)} is not among the task's downloaded objects`);
    input = file;
  } else {
    input = Buffer.from(op.image_base64 ?? "", "base64");
    if (input.length > MAX_INLINE_BYTES) throw new AppError("INVALID_PARAMS", `${where}: image_base64 decodes to ${input.length} bytes, above ${MAX_INLINE_BYTES}`);
  }
  try {
    const meta = await sharp(input, { limitInputPixels: false }).metadata();
    if (!meta.width || !meta.height || !["png", "webp", "jpeg", "gif", "tiff"].includes(meta.format ?? "")) throw new Error(`format ${meta.format ?? "unknown"}`);
    if (meta.width * meta.height > sources.limitInputPixels) throw new AppError("INPUT_TOO_LARGE", `${where}: the watermark image is ${meta.width}×${meta.height} px, above the pixel limit`);
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError("INVALID_PARAMS", `${where}: the watermark image is not a PNG, WebP, JPEG, GIF or TIFF image (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`);
  }
  return sharp(input, { limitInputPixels: sources.limitInputPixels, failOn: "warning" }).autoOrient();
}

function place(gravity: OperationOf<"watermark">["gravity"], w: number, h: number, ow: number, oh: number, margin: number): { left: number; top: number } {
  const x = gravity.includes("west") ? margin : gravity.includes("east") ? w - ow - margin : Math.round((w - ow) / 2);
  const y = gravity.startsWith("north") ? margin : gravity.startsWith("south") ? h - oh - margin : Math.round((h - oh) / 2);
  return { left: Math.max(0, x), top: Math.max(0, y) };
}
