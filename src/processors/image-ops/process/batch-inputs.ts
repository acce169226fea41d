import { readdir } from "node:fs/promises";
import { extname, join, relative, sep } from "node:path";

export interface BatchInput {
  /** Path below the downloaded directory, with "/" separators. */
  relative: string;
  absolute: string;
  /** Relative output path of its image, unique within the batch. */
  output: string;
}

/** The downloaded files in key order, minus the watermark objects, each with a unique output
 * name: `images/<name without extension>.<ext>`, or `images/<name>.<ext>` when two inputs differ
 * only by extension (photo.jpg and photo.png). */
export async function listBatchInputs(dir: string, exclude: ReadonlySet<string>, ext: string): Promise<BatchInput[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join("/"))
    .filter((r) => !exclude.has(r))
    .sort();
  const stem = (r: string) => r.slice(0, r.length - extname(r).length);
  const stems = new Map<string, number>();
  for (const r of files) stems.set(stem(r), (stems.get(stem(r)) ?? 0) + 1);
  return files.map((r) => ({ relative: r, absolute: join(dir, r), output: `images/${(stems.get(stem(r)) ?? 0) > 1 ? r : stem(r)}.${ext}` }));
}
