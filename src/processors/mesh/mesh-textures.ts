import type { Document, Texture } from "@gltf-transform/core";
import { textureCompress } from "@gltf-transform/functions";
import sharp from "sharp";
import type { MissingResource } from "./companion-files.ts";

const GLTF_MIME = new Set(["image/png", "image/jpeg", "image/webp"]);

/**
 * Every texture becomes something a glTF viewer decodes: PNG, JPEG and WEBP stay; others sharp can
 * read (GIF, TIFF, AVIF…) become PNG; one nobody can decode is removed from its materials and
 * reported (`unreadable`), never left broken in the GLB.
 */
export async function normaliseTextureImages(doc: Document): Promise<MissingResource[]> {
  const unreadable: MissingResource[] = [];
  for (const texture of doc.getRoot().listTextures()) {
    const image = texture.getImage();
    const uri = texture.getURI() || texture.getName() || "(embedded)";
    if (!image) {
      unreadable.push({ kind: "texture", uri, reason: "unreadable" });
      texture.dispose();
      continue;
    }
    try {
      const meta = await sharp(image).metadata();
      const mime = meta.format === "jpeg" ? "image/jpeg" : `image/${meta.format}`;
      if (GLTF_MIME.has(mime)) {
        texture.setMimeType(mime);
      } else {
        texture.setImage(new Uint8Array(await sharp(image).png().toBuffer())).setMimeType("image/png");
        if (texture.getURI()) texture.setURI(texture.getURI().replace(/\.[^./]+$/, "") + ".png");
      }
    } catch {
      unreadable.push({ kind: "texture", uri, reason: "unreadable" });
      texture.dispose();
    }
  }
  return unreadable;
}

/** Longest edge of the largest texture, 0 without textures. */
export function largestTextureEdge(doc: Document): number {
  let edge = 0;
  for (const t of doc.getRoot().listTextures()) {
    const size = t.getSize();
    if (size) edge = Math.max(edge, size[0], size[1]);
  }
  return edge;
}

export interface TextureOptions {
  /** Longest edge; textures above it are downscaled (aspect kept). Default: none. */
  maxSize?: number | undefined;
  /** Re-encode to WEBP with EXT_texture_webp. Default: false. */
  webp?: boolean | undefined;
}

const needsResize = (t: Texture, max: number) => {
  const s = t.getSize();
  return s !== null && Math.max(s[0], s[1]) > max;
};

/** Downscales and/or re-encodes the textures with sharp (glTF-Transform's textureCompress). */
export async function processTextures(doc: Document, options: TextureOptions): Promise<void> {
  const textures = doc.getRoot().listTextures();
  if (textures.length === 0) return;
  const { maxSize, webp } = options;
  if (webp) {
    await doc.transform(textureCompress({ encoder: sharp, targetFormat: "webp", ...(maxSize ? { resize: [maxSize, maxSize] } : {}) }));
    return;
  }
  // textureCompress fits within the box and never enlarges; textures already small enough are re-encoded as they are.
  if (maxSize && textures.some((t) => needsResize(t, maxSize))) await doc.transform(textureCompress({ encoder: sharp, resize: [maxSize, maxSize] }));
}
