import { open, rm } from "node:fs/promises";
import { AppError } from "../../../contracts/app-error.ts";
import { colorShiftFor } from "../color-depth.ts";
import type { PointChunk, PointCloudHeader, PointCloudSink } from "../point-chunk.ts";

export interface TextSinkOptions {
  kind: "xyz" | "pts";
  /** Decimals for coordinates. Default: from the source scale (0.001 → 3), else 3. */
  decimals?: number;
}

const COUNT_WIDTH = 12;

/** XYZ `x y z [r g b]` or PTS `count` + `x y z i [r g b]`, 8-bit colours. */
export async function createTextSink(path: string, header: PointCloudHeader, options: TextSinkOptions): Promise<PointCloudSink> {
  const fh = await open(path, "w");
  const decimals = options.decimals ?? (header.scale ? Math.min(9, Math.max(0, Math.ceil(-Math.log10(header.scale[0]) - 1e-9))) : 3);
  const color = header.attributes.color;
  let position = 0, count = 0;
  let shift: number | undefined;
  const append = async (text: string): Promise<void> => {
    const bytes = new TextEncoder().encode(text);
    await fh.write(bytes, 0, bytes.byteLength, position);
    position += bytes.byteLength;
  };
  // PTS needs the count first: exact when the source knows it, else a fixed-width slot patched on close.
  const exact = header.pointCount;
  if (options.kind === "pts") await append(exact !== undefined ? `${exact}\n` : `${"0".repeat(COUNT_WIDTH)}\n`);
  return {
    async write(c: PointChunk) {
      shift ??= colorShiftFor(c);
      const lines: string[] = new Array(c.count);
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
      if (options.kind === "pts") {
        if (exact === undefined) await fh.write(new TextEncoder().encode(String(count).padStart(COUNT_WIDTH, "0")), 0, COUNT_WIDTH, 0);
        else if (exact !== count) {
          await fh.close();
          throw new AppError("INPUT_CORRUPT", `The source announced ${exact} points but delivered ${count}`);
        }
      }
      await fh.close();
      return { points: count };
    },
    async abort() {
      await fh.close().catch(() => undefined);
      await rm(path, { force: true });
    },
  };
}
