import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hono } from "hono";

/** The packages the viewer page imports, served from node_modules so the page works offline. */
const PACKAGES = ["three", "3d-tiles-renderer"] as const;
const SAFE_PATH = /^[\w.-]+(\/[\w.-]+)*\.(js|mjs)$/;

/** The installed package's folder: the nearest node_modules/<name> above this file. */
function packageRoot(name: string): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

export const VIEWER_MODULES_PREFIX = "/viewer/modules";

/** `GET /viewer/modules/<package>/<file>.js`: ES modules of three and 3d-tiles-renderer for the
 * viewer's import map. Only those two packages, only .js/.mjs files inside them. */
export function registerViewerModules(app: Hono): void {
  const roots = new Map<string, string>();
  for (const p of PACKAGES) {
    const root = packageRoot(p);
    if (root) roots.set(p, root);
  }
  app.get(`${VIEWER_MODULES_PREFIX}/*`, async (c) => {
    const rest = c.req.path.slice(VIEWER_MODULES_PREFIX.length + 1);
    const pkg = PACKAGES.find((p) => rest.startsWith(`${p}/`));
    const root = pkg ? roots.get(pkg) : undefined;
    const file = pkg ? rest.slice(pkg.length + 1) : "";
    if (!root || !SAFE_PATH.test(file) || file.split("/").includes("..")) return c.text("not found", 404);
    const full = normalize(join(root, file));
    if (!full.startsWith(root + sep) || !existsSync(full)) return c.text("not found", 404);
    return c.body(await readFile(full), 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "public, max-age=86400" });
  });
}
