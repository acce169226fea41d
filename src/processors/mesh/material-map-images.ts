import sharp from "sharp";

interface Grey {
  data: Buffer;
  width: number;
  height: number;
}

/** One channel of an image as 8-bit grey: `r`/`g`/`b` as named, anything else (`m`, `l`, none) luminance. */
async function greyOf(image: Uint8Array, channel: string | null, size?: { width: number; height: number }): Promise<Grey> {
  let s = sharp(image);
  if (size) s = s.resize(size.width, size.height, { fit: "fill" });
  const index = channel === "r" ? 0 : channel === "g" ? 1 : channel === "b" ? 2 : null;
  s = index !== null ? s.removeAlpha().extractChannel(index) : s.greyscale();
  const { data, info } = await s.raw().toBuffer({ resolveWithObject: true });
  // greyscale() of an image with alpha keeps the alpha band: take the first band only.
  if (info.channels === 1) return { data, width: info.width, height: info.height };
  const one = Buffer.alloc(info.width * info.height);
  for (let i = 0; i < one.length; i++) one[i] = data[i * info.channels]!;
  return { data: one, width: info.width, height: info.height };
}

const png = (data: Buffer, width: number, height: number, channels: 3 | 4) =>
  sharp(data, { raw: { width, height, channels } })
    .png()
    .toBuffer()
    .then((b) => new Uint8Array(b));

/**
 * A bump map as a tangent-space normal map. An image that already is one (bluish, red and green
 * around the middle) is kept; a height map is differentiated (Sobel), its slope scaled by `-bm`.
 */
export async function bumpToNormalMap(image: Uint8Array, bumpMultiplier: number): Promise<Uint8Array> {
  const stats = await sharp(image).stats();
  const [r, g, b] = stats.channels.map((c) => c.mean);
  if (b !== undefined && b > 180 && Math.abs(r! - 128) < 40 && Math.abs(g! - 128) < 40) return image;
  const h = await greyOf(image, null);
  const { width, height } = h;
  const at = (x: number, y: number) => h.data[Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))]! / 255;
  const out = Buffer.alloc(width * height * 3);
  // Slope per texel of a [0,1] height; 2 makes a unit multiplier read like common bump nodes.
  const strength = 2 * bumpMultiplier;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x - 1, y) - at(x - 1, y + 1);
      const dy = at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x, y - 1) - at(x + 1, y - 1);
      // glTF normal maps: +X right, +Y up (image rows go down, so the row slope flips sign twice).
      const nx = -dx * strength,
        ny = dy * strength,
        len = Math.hypot(nx, ny, 1);
      const o = (y * width + x) * 3;
      out[o] = Math.round(((nx / len) * 0.5 + 0.5) * 255);
      out[o + 1] = Math.round(((ny / len) * 0.5 + 0.5) * 255);
      out[o + 2] = Math.round(((1 / len) * 0.5 + 0.5) * 255);
    }
  }
  return png(out, width, height, 3);
}

/** The base-colour image with the dissolve map as its alpha (white where there is no base image). */
export async function withDissolveAlpha(base: Uint8Array | null, dissolve: Uint8Array, channel: string | null): Promise<Uint8Array> {
  const size = base
    ? await sharp(base)
        .metadata()
        .then((m) => ({ width: m.width, height: m.height }))
    : undefined;
  const alpha = await greyOf(dissolve, channel, size);
  const { width, height } = alpha;
  const rgb = base ? await sharp(base).removeAlpha().toColourspace("srgb").raw().toBuffer() : Buffer.alloc(width * height * 3, 255);
  const out = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    out[i * 4] = rgb[i * 3]!;
    out[i * 4 + 1] = rgb[i * 3 + 1]!;
    out[i * 4 + 2] = rgb[i * 3 + 2]!;
    out[i * 4 + 3] = alpha.data[i]!;
  }
  return png(out, width, height, 4);
}

/** glTF's metallicRoughness image: roughness in green, metalness in blue; a missing map is 1 (the factor rules). */
export async function metallicRoughnessImage(roughness: { image: Uint8Array; channel: string | null } | null, metallic: { image: Uint8Array; channel: string | null } | null): Promise<Uint8Array> {
  const first = (roughness ?? metallic)!;
  const meta = await sharp(first.image).metadata();
  const size = { width: meta.width, height: meta.height };
  const g = roughness ? await greyOf(roughness.image, roughness.channel, size) : null;
  const b = metallic ? await greyOf(metallic.image, metallic.channel, size) : null;
  const out = Buffer.alloc(size.width * size.height * 3, 255);
  for (let i = 0; i < size.width * size.height; i++) {
    if (g) out[i * 3 + 1] = g.data[i]!;
    if (b) out[i * 3 + 2] = b.data[i]!;
  }
  return png(out, size.width, size.height, 3);
}
