import sharp from "sharp";
import { toImageError } from "../../image/image-errors.ts";
import type { Letterbox } from "./letterbox.ts";

/** ultralytics pads with grey 114. */
const PAD = 114;

/** The upright image letterboxed into the model's input: RGB, 0–1, planar [1, 3, H, W]. */
export async function letterboxedTensor(filePath: string, lb: Letterbox, limitInputPixels: number, failOn: "none" | "truncated" | "error" | "warning", stage: string): Promise<Float32Array> {
  let raw: Buffer;
  try {
    raw = await sharp(filePath, { limitInputPixels, failOn })
      .autoOrient()
      .toColourspace("srgb")
      .removeAlpha()
      .resize({ width: lb.width, height: lb.height, fit: "fill" })
      .extend({
        left: lb.left,
        top: lb.top,
        right: lb.inputWidth - lb.width - lb.left,
        bottom: lb.inputHeight - lb.height - lb.top,
        background: { r: PAD, g: PAD, b: PAD },
      })
      .raw()
      .toBuffer();
  } catch (error) {
    throw toImageError(error, stage, "decode");
  }
  const plane = lb.inputWidth * lb.inputHeight;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    out[i] = raw[i * 3]! / 255;
    out[plane + i] = raw[i * 3 + 1]! / 255;
    out[2 * plane + i] = raw[i * 3 + 2]! / 255;
  }
  return out;
}
