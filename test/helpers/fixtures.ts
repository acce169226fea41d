import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root, from this file's location. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** ../shared/fixtures beside the checkout (CI clones main with shared/ beside it). */
export const FIXTURES = process.env.VS3D_FIXTURES ?? resolve(REPO_ROOT, "../shared/fixtures");

export function fixture(...parts: string[]): string {
  const path = join(FIXTURES, ...parts);
  if (!existsSync(path)) throw new Error(`fixture missing: ${path}`);
  return path;
}
