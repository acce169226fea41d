import sharp from "sharp";
import type { Detection } from "./detect-params.ts";

const PALETTE = ["#e6194b", "#3cb44b", "#ffe119", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6", "#bcf60c", "#fabebe"];
const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** An SVG of the boxes and their labels, the size of the image, to composite over it. */
export function annotationSvg(width: number, height: number, detections: readonly Detection[]): string {
  const stroke = Math.max(2, Math.round(Math.min(width, height) / 300));
  const font = Math.max(12, Math.round(Math.min(width, height) / 40));
  const parts = detections.map((d) => {
    const colour = PALETTE[d.class_id % PALETTE.length]!;
    const { x0, y0, x1, y1 } = d.box;
    const label = `${d.label} ${(d.confidence * 100).toFixed(0)}%`;
    const ty = y0 > font + 4 ? y0 - 4 : y0 + font + 2;
    return (
      `<rect x="${x0}" y="${y0}" width="${x1 - x0}" height="${y1 - y0}" fill="none" stroke="${colour}" stroke-width="${stroke}"/>` +
      `<text x="${x0 + 2}" y="${ty}" font-family="DejaVu Sans" font-size="${font}" fill="${colour}" stroke="#000" stroke-width="${Math.max(1, stroke / 2)}" paint-order="stroke">${escapeXml(label)}</text>`
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${parts.join("")}</svg>`;
}

/** The upright image with the boxes drawn on, as JPEG (or PNG/WebP). */
export async function writeAnnotated(
  filePath: string,
  outPath: string,
  width: number,
  height: number,
  detections: readonly Detection[],
  format: "jpeg" | "png" | "webp",
  limitInputPixels: number,
): Promise<void> {
  const overlay = Buffer.from(annotationSvg(width, height, detections));
  let image = sharp(filePath, { limitInputPixels })
    .autoOrient()
    .toColourspace("srgb")
    .composite([{ input: overlay, left: 0, top: 0 }]);
  image = format === "jpeg" ? image.flatten({ background: "#ffffff" }).jpeg({ quality: 85 }) : format === "png" ? image.png() : image.webp();
  await image.toFile(outPath);
}
