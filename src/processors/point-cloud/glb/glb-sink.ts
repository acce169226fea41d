import { open, rm, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { colorShiftFor } from "../color-depth.ts";
import type { PointChunk, PointCloudHeader, PointCloudSink, Vec3 } from "../point-chunk.ts";
import { glbDocument, glbPrefix } from "./glb-json.ts";

const COPY_BLOCK = 4 << 20;

/** GLB of glTF POINTS. Positions and colours stream into two scratch files (default: beside the output) (the
 * JSON, which must come first, needs the count and bounds), then are joined. LAS is Z-up and glTF
 * Y-up, so (x, y, z) → (x, z, −y). */
export async function createGlbSink(path: string, header: PointCloudHeader, options: { scratchDir?: string } = {}): Promise<PointCloudSink> {
  const color = header.attributes.color;
  const scratch = join(options.scratchDir ?? dirname(path), basename(path));
  const posPath = `${scratch}.pos.tmp`,
    colPath = `${scratch}.col.tmp`;
  const pos = await open(posPath, "w+");
  const col = color ? await open(colPath, "w+") : undefined;
  let center: Vec3 | undefined;
  let shift: number | undefined;
  let count = 0,
    posAt = 0,
    colAt = 0;
  const min: Vec3 = [Infinity, Infinity, Infinity],
    max: Vec3 = [-Infinity, -Infinity, -Infinity];
  const cleanup = async (): Promise<void> => {
    await pos.close().catch(() => undefined);
    await col?.close().catch(() => undefined);
    await rm(posPath, { force: true });
    await rm(colPath, { force: true });
  };
  return {
    async write(c: PointChunk) {
      if (c.count === 0) return;
      const b = header.bounds;
      center ??= b ? [(b.min[0] + b.max[0]) / 2, (b.min[1] + b.max[1]) / 2, (b.min[2] + b.max[2]) / 2] : [c.x[0]!, c.y[0]!, c.z[0]!];
      const s = (shift ??= colorShiftFor(c));
      const p = new Float32Array(c.count * 3);
      for (let i = 0; i < c.count; i++) {
        const gx = (p[3 * i] = c.x[i]! - center[0]),
          gy = (p[3 * i + 1] = c.z[i]! - center[2]),
          gz = (p[3 * i + 2] = -(c.y[i]! - center[1]));
        const f = [Math.fround(gx), Math.fround(gy), Math.fround(gz)];
        for (let k = 0; k < 3; k++) {
          if (f[k]! < min[k]!) min[k] = f[k]!;
          if (f[k]! > max[k]!) max[k] = f[k]!;
        }
      }
      await pos.write(new Uint8Array(p.buffer), 0, p.byteLength, posAt);
      posAt += p.byteLength;
      if (col) {
        const rgba = new Uint8Array(c.count * 4);
        for (let i = 0; i < c.count; i++) {
          rgba[4 * i] = (c.red?.[i] ?? 0) >> s;
          rgba[4 * i + 1] = (c.green?.[i] ?? 0) >> s;
          rgba[4 * i + 2] = (c.blue?.[i] ?? 0) >> s;
          rgba[4 * i + 3] = 255;
        }
        await col.write(rgba, 0, rgba.byteLength, colAt);
        colAt += rgba.byteLength;
      }
      count += c.count;
    },
    async close() {
      const c = center ?? [0, 0, 0];
      const { json, binLength } = glbDocument({ count, translation: [c[0], c[2], -c[1]], min, max, color });
      const out = await open(path, "w");
      try {
        const prefix = glbPrefix(json, binLength);
        await out.write(prefix, 0, prefix.byteLength, 0);
        let at = prefix.byteLength;
        at = await copyInto(out, at, pos, posAt);
        if (col) await copyInto(out, at, col, colAt);
      } finally {
        await out.close();
        await cleanup();
      }
      return { points: count };
    },
    async abort() {
      await cleanup();
      await rm(path, { force: true });
    },
  };
}

async function copyInto(out: FileHandle, at: number, from: FileHandle, length: number): Promise<number> {
  const buf = new Uint8Array(Math.min(COPY_BLOCK, Math.max(length, 1)));
  for (let done = 0; done < length;) {
    const { bytesRead } = await from.read(buf, 0, Math.min(buf.byteLength, length - done), done);
    await out.write(buf, 0, bytesRead, at + done);
    done += bytesRead;
  }
  return at + length;
}
