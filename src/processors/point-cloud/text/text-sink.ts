import { colorShiftFor } from "../color-depth.ts";
import type { PointChunk, PointCloudHeader, PointCloudSink } from "../point-chunk.ts";
import { closeWithPointCount, openSequentialFile, pointCountText } from "../point-file.ts";

export interface TextSinkOptions {
  kind: "xyz" | "pts";
  /** Decimals for coordinates. Default: from the source scale (0.001 → 3), else 3. */
  decimals?: number;
}

/** XYZ `x y z [r g b]` or PTS `count` + `x y z i [r g b]`, 8-bit colours. */
export async function createTextSink(path: string, header: PointCloudHeader, options: TextSinkOptions): Promise<PointCloudSink> {
  const file = await openSequentialFile(path);
  const decimals = options.decimals ?? (header.scale ? Math.min(9, Math.max(0, Math.ceil(-Math.log10(header.scale[0]) - 1e-9))) : 3);
  const color = header.attributes.color;
  let count = 0;
  let shift: number | undefined;
  const append = (text: string): Promise<void> => file.append(new TextEncoder().encode(text));
  // PTS needs the count first: exact when the source knows it, else a fixed-width slot patched on close.
  const exact = header.pointCount;
  if (options.kind === "pts") await append(`${pointCountText(exact)}\n`);
  return {
    async write(c: PointChunk) {
      shift ??= colorShiftFor(c);
      const lines: string[] = new Array<string>(c.count);
      for (let i = 0; i < c.count; i++) {
        let line = `${c.x[i]!.toFixed(decimals)} ${c.y[i]!.toFixed(decimals)} ${c.z[i]!.toFixed(decimals)}`;
        if (options.kind === "pts") line += ` ${c.intensity?.[i] ?? 0}`;
        if (color) line += ` ${(c.red?.[i] ?? 0) >> shift} ${(c.green?.[i] ?? 0) >> shift} ${(c.blue?.[i] ?? 0) >> shift}`;
        lines[i] = line;
      }
      await append(`${lines.join("\n")}\n`);
      count += c.count;
    },
    async close() {
      // XYZ has no count to patch or check.
      if (options.kind === "pts") await closeWithPointCount(file, exact, count, 0);
      else await file.close();
      return { points: count };
    },
    abort: () => file.abort(),
  };
}
