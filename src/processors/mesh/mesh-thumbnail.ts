import type { Document, Material, Texture } from "@gltf-transform/core";
import sharp from "sharp";
import { readAttribute, scenePrimitives } from "./scene-primitives.ts";

export const THUMBNAIL_DEFAULTS = {
  /** Default: 512. */
  size: 512,
  /** Camera azimuth and elevation in degrees: a three-quarter view from the front right, above. */
  azimuth: 35,
  elevation: 25,
  /** Rendered at this many times the size, then downscaled (antialiasing). Default: 2. */
  supersample: 2,
  /** Share of the frame the model fills. Default: 0.9. */
  fill: 0.9,
} as const;

type Vec3 = [number, number, number];
interface Image {
  width: number;
  height: number;
  data: Uint8Array;
}

const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const norm = (a: Vec3): Vec3 => {
  const l = Math.hypot(a[0], a[1], a[2]) || 1;
  return [a[0] / l, a[1] / l, a[2] / l];
};
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const toLinear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
const toSrgb = (c: number) => (c <= 0.0031308 ? c * 12.92 : 1.055 * c ** (1 / 2.4) - 0.055);
const SRGB_TO_LINEAR = Float32Array.from({ length: 256 }, (_, i) => toLinear(i / 255));

function transform(m: ArrayLike<number>, x: number, y: number, z: number): Vec3 {
  return [m[0]! * x + m[4]! * y + m[8]! * z + m[12]!, m[1]! * x + m[5]! * y + m[9]! * z + m[13]!, m[2]! * x + m[6]! * y + m[10]! * z + m[14]!];
}

interface Batch {
  world: Float32Array; // 3 per vertex
  uv: Float32Array | null;
  color: Float32Array | null; // 4 per vertex, linear
  indices: ArrayLike<number>;
  base: [number, number, number, number];
  texture: Image | null;
}

async function decodeTexture(t: Texture | null, cache: Map<Texture, Image | null>): Promise<Image | null> {
  if (!t) return null;
  if (cache.has(t)) return cache.get(t)!;
  let image: Image | null = null;
  try {
    const { data, info } = await sharp(t.getImage()!).ensureAlpha().resize(256, 256, { fit: "inside", withoutEnlargement: true }).raw().toBuffer({ resolveWithObject: true });
    image = { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch {
    image = null; // the GLB validated; a texture sharp cannot decode just renders untextured
  }
  cache.set(t, image);
  return image;
}

async function batchesOf(doc: Document): Promise<Batch[]> {
  const batches: Batch[] = [];
  const cache = new Map<Texture, Image | null>();
  for (const { primitive: p, world: m, positions: pos, indices } of scenePrimitives(doc)) {
    const world = new Float32Array(pos.length);
    for (let i = 0; i < pos.length; i += 3) world.set(transform(m, pos[i]!, pos[i + 1]!, pos[i + 2]!), i);
    const material: Material | null = p.getMaterial();
    const texture = material ? await decodeTexture(material.getBaseColorTexture(), cache) : null;
    const texCoord = material?.getBaseColorTextureInfo()?.getTexCoord() ?? 0;
    batches.push({
      world,
      uv: texture ? readAttribute(p, `TEXCOORD_${texCoord}`, 2, 1) : null,
      color: readAttribute(p, "COLOR_0", 4, 1),
      indices,
      base: material?.getBaseColorFactor() ?? [0.8, 0.8, 0.8, 1],
      texture,
    });
  }
  return batches;
}

function sample(t: Image, u: number, v: number, out: number[]): void {
  const x = Math.min(t.width - 1, Math.max(0, Math.floor((u - Math.floor(u)) * t.width)));
  const y = Math.min(t.height - 1, Math.max(0, Math.floor((v - Math.floor(v)) * t.height)));
  const o = (y * t.width + x) * 4;
  out[0] = SRGB_TO_LINEAR[t.data[o]!]!;
  out[1] = SRGB_TO_LINEAR[t.data[o + 1]!]!;
  out[2] = SRGB_TO_LINEAR[t.data[o + 2]!]!;
}

/**
 * A WEBP picture of the model: an orthographic three-quarter view, z-buffered, Lambert-shaded per
 * face (two-sided, a key light from above-left of the camera plus ambient), base colour × texture ×
 * vertex colour; transparent background; supersampled then downscaled by sharp.
 */
export async function renderThumbnail(doc: Document, size: number = THUMBNAIL_DEFAULTS.size): Promise<Buffer> {
  const { azimuth, elevation, supersample, fill } = THUMBNAIL_DEFAULTS;
  const S = size * supersample;
  const batches = await batchesOf(doc);
  const az = (azimuth * Math.PI) / 180,
    el = (elevation * Math.PI) / 180;
  const toCamera = norm([Math.cos(el) * Math.sin(az), Math.sin(el), Math.cos(el) * Math.cos(az)]);
  const right = norm(cross([0, 1, 0], toCamera));
  const up = cross(toCamera, right);
  const light = norm([toCamera[0] - right[0] * 0.5 + up[0] * 0.8, toCamera[1] - right[1] * 0.5 + up[1] * 0.8, toCamera[2] - right[2] * 0.5 + up[2] * 0.8]);
  let minX = Infinity,
    maxX = -Infinity,
    minY = Infinity,
    maxY = -Infinity;
  for (const b of batches) {
    for (let i = 0; i < b.world.length; i += 3) {
      const p: Vec3 = [b.world[i]!, b.world[i + 1]!, b.world[i + 2]!];
      const x = dot(p, right),
        y = dot(p, up);
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  const extent = Math.max(maxX - minX, maxY - minY) || 1;
  const scale = (S * fill) / extent;
  const cx = (minX + maxX) / 2,
    cy = (minY + maxY) / 2;
  const rgba = new Uint8Array(S * S * 4);
  const depth = new Float32Array(S * S).fill(-Infinity);
  const texel = [1, 1, 1];
  for (const b of batches) {
    const n = b.world.length / 3;
    const sx = new Float32Array(n),
      sy = new Float32Array(n),
      sz = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const p: Vec3 = [b.world[i * 3]!, b.world[i * 3 + 1]!, b.world[i * 3 + 2]!];
      sx[i] = (dot(p, right) - cx) * scale + S / 2;
      sy[i] = S / 2 - (dot(p, up) - cy) * scale;
      sz[i] = dot(p, toCamera);
    }
    for (let t = 0; t + 2 < b.indices.length; t += 3) {
      const i0 = b.indices[t]!,
        i1 = b.indices[t + 1]!,
        i2 = b.indices[t + 2]!;
      const w = b.world;
      const e1: Vec3 = [w[i1 * 3]! - w[i0 * 3]!, w[i1 * 3 + 1]! - w[i0 * 3 + 1]!, w[i1 * 3 + 2]! - w[i0 * 3 + 2]!];
      const e2: Vec3 = [w[i2 * 3]! - w[i0 * 3]!, w[i2 * 3 + 1]! - w[i0 * 3 + 1]!, w[i2 * 3 + 2]! - w[i0 * 3 + 2]!];
      const shade = 0.3 + 0.7 * Math.abs(dot(norm(cross(e1, e2)), light));
      const x0 = sx[i0]!,
        y0 = sy[i0]!,
        x1 = sx[i1]!,
        y1 = sy[i1]!,
        x2 = sx[i2]!,
        y2 = sy[i2]!;
      const area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
      if (area === 0 || !Number.isFinite(area)) continue;
      const bx0 = Math.max(0, Math.floor(Math.min(x0, x1, x2))),
        bx1 = Math.min(S - 1, Math.ceil(Math.max(x0, x1, x2)));
      const by0 = Math.max(0, Math.floor(Math.min(y0, y1, y2))),
        by1 = Math.min(S - 1, Math.ceil(Math.max(y0, y1, y2)));
      for (let y = by0; y <= by1; y++) {
        for (let x = bx0; x <= bx1; x++) {
          const px = x + 0.5,
            py = y + 0.5;
          const a = ((x1 - px) * (y2 - py) - (x2 - px) * (y1 - py)) / area;
          const bb = ((x2 - px) * (y0 - py) - (x0 - px) * (y2 - py)) / area;
          const c = 1 - a - bb;
          if (a < 0 || bb < 0 || c < 0) continue;
          const z = a * sz[i0]! + bb * sz[i1]! + c * sz[i2]!;
          const o = y * S + x;
          if (z <= depth[o]!) continue;
          depth[o] = z;
          let r = b.base[0],
            g = b.base[1],
            bl = b.base[2];
          if (b.texture && b.uv) {
            sample(b.texture, a * b.uv[i0 * 2]! + bb * b.uv[i1 * 2]! + c * b.uv[i2 * 2]!, a * b.uv[i0 * 2 + 1]! + bb * b.uv[i1 * 2 + 1]! + c * b.uv[i2 * 2 + 1]!, texel);
            r *= texel[0]!;
            g *= texel[1]!;
            bl *= texel[2]!;
          }
          if (b.color) {
            r *= a * b.color[i0 * 4]! + bb * b.color[i1 * 4]! + c * b.color[i2 * 4]!;
            g *= a * b.color[i0 * 4 + 1]! + bb * b.color[i1 * 4 + 1]! + c * b.color[i2 * 4 + 1]!;
            bl *= a * b.color[i0 * 4 + 2]! + bb * b.color[i1 * 4 + 2]! + c * b.color[i2 * 4 + 2]!;
          }
          rgba[o * 4] = Math.round(255 * toSrgb(Math.min(1, r * shade)));
          rgba[o * 4 + 1] = Math.round(255 * toSrgb(Math.min(1, g * shade)));
          rgba[o * 4 + 2] = Math.round(255 * toSrgb(Math.min(1, bl * shade)));
          rgba[o * 4 + 3] = 255;
        }
      }
    }
  }
  return sharp(rgba, { raw: { width: S, height: S, channels: 4 } })
    .resize(size, size, { kernel: "lanczos3" })
    .webp({ quality: 85, alphaQuality: 90 })
    .toBuffer();
}
