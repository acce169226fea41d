import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { scratchDir } from "../helpers/run-stages.ts";

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A white page with these lines in black DejaVu Sans, rendered by librsvg: known text for OCR. */
export async function renderText(lines: readonly string[], options: { width?: number; fontSize?: number; format?: "png" | "jpeg" } = {}): Promise<Buffer> {
  const fontSize = options.fontSize ?? 40;
  const width = options.width ?? 900;
  const lineHeight = Math.round(fontSize * 1.8);
  const height = lineHeight * (lines.length + 1);
  const texts = lines.map((l, i) => `<text x="${Math.round(fontSize / 2)}" y="${lineHeight * (i + 1)}" font-family="DejaVu Sans" font-size="${fontSize}" fill="black">${escapeXml(l)}</text>`);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="white"/>${texts.join("")}</svg>`;
  const image = sharp(Buffer.from(svg)).flatten({ background: "#ffffff" });
  return options.format === "jpeg" ? image.jpeg({ quality: 95 }).toBuffer() : image.png().toBuffer();
}

/** Writes a buffer into a fresh scratch directory (removed by cleanupRuns) and returns its path. */
export async function scratchFile(name: string, body: Uint8Array | string): Promise<string> {
  const path = join(await scratchDir("vs3d-imgops-"), name);
  await writeFile(path, body);
  return path;
}

/** A `width`×`height` RGB image: left half black, right half white (one vertical edge). */
export async function halfAndHalf(width: number, height: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = Math.floor(width / 2); x < width; x++) data.fill(255, (y * width + x) * 3, (y * width + x) * 3 + 3);
  return sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** Four quadrants: red top-left, green top-right, blue bottom-left, white bottom-right. */
export async function quadrants(width: number, height: number): Promise<Buffer> {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const colour = y < height / 2 ? (x < width / 2 ? [255, 0, 0] : [0, 255, 0]) : x < width / 2 ? [0, 0, 255] : [255, 255, 255];
      data.set(colour, i);
    }
  }
  return sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** RGB(A) of one pixel of an image file. */
export async function pixel(file: string, x: number, y: number): Promise<number[]> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  const i = (y * info.width + x) * info.channels;
  return [...data.subarray(i, i + info.channels)];
}

export async function rawOf(file: string): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}
