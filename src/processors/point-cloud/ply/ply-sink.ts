import { colorShiftFor } from "../color-depth.ts";
import type { PointChunk, PointCloudHeader, PointCloudSink } from "../point-chunk.ts";
import { closeWithPointCount, openSequentialFile, pointCountText } from "../point-file.ts";

export interface PlySinkOptions {
  /** Default: "binary" (little endian). */
  encoding?: "binary" | "ascii";
}

/** PLY with double x y z (no precision lost to float32), 8-bit rgb, 16-bit intensity. */
export async function createPlySink(path: string, header: PointCloudHeader, options: PlySinkOptions = {}): Promise<PointCloudSink> {
  const binary = (options.encoding ?? "binary") === "binary";
  const { color, intensity } = header.attributes;
  const exact = header.pointCount;
  const countText = pointCountText(exact);
  const lines = [
    "ply",
    `format ${binary ? "binary_little_endian" : "ascii"} 1.0`,
    "comment written by Vision S3D Converter",
    `element vertex ${countText}`,
    "property double x",
    "property double y",
    "property double z",
    ...(color ? ["property uchar red", "property uchar green", "property uchar blue"] : []),
    ...(intensity ? ["property ushort intensity"] : []),
    "end_header",
  ];
  const head = new TextEncoder().encode(`${lines.join("\n")}\n`);
  const countAt = new TextDecoder().decode(head).indexOf(`element vertex ${countText}`) + "element vertex ".length;
  const recordSize = 24 + (color ? 3 : 0) + (intensity ? 2 : 0);
  const file = await openSequentialFile(path);
  let count = 0;
  let shift: number | undefined;
  await file.append(head);
  return {
    async write(c: PointChunk) {
      const s = (shift ??= colorShiftFor(c));
      if (binary) {
        const out = new Uint8Array(c.count * recordSize);
        const v = new DataView(out.buffer);
        for (let i = 0, p = 0; i < c.count; i++, p += recordSize) {
          v.setFloat64(p, c.x[i]!, true);
          v.setFloat64(p + 8, c.y[i]!, true);
          v.setFloat64(p + 16, c.z[i]!, true);
          let q = p + 24;
          if (color) {
            out[q++] = (c.red?.[i] ?? 0) >> s;
            out[q++] = (c.green?.[i] ?? 0) >> s;
            out[q++] = (c.blue?.[i] ?? 0) >> s;
          }
          if (intensity) v.setUint16(q, c.intensity?.[i] ?? 0, true);
        }
        await file.append(out);
      } else {
        const rows: string[] = new Array<string>(c.count);
        for (let i = 0; i < c.count; i++) {
          let row = `${c.x[i]} ${c.y[i]} ${c.z[i]}`;
          if (color) row += ` ${(c.red?.[i] ?? 0) >> s} ${(c.green?.[i] ?? 0) >> s} ${(c.blue?.[i] ?? 0) >> s}`;
          if (intensity) row += ` ${c.intensity?.[i] ?? 0}`;
          rows[i] = row;
        }
        await file.append(new TextEncoder().encode(`${rows.join("\n")}\n`));
      }
      count += c.count;
    },
    async close() {
      await closeWithPointCount(file, exact, count, countAt);
      return { points: count };
    },
    abort: () => file.abort(),
  };
}
