import { readFileSync } from "node:fs";
import type { Hono } from "hono";

/** The dashboard's files, plain ES modules and CSS next to this file: no build step, no CDN. Read
 * once, at start; only these names are served. */
const FILES: Record<string, string> = {
  "index.html": "text/html; charset=utf-8",
  "dashboard.css": "text/css; charset=utf-8",
  "main.js": "text/javascript; charset=utf-8",
  "api.js": "text/javascript; charset=utf-8",
  "format.js": "text/javascript; charset=utf-8",
  "dom.js": "text/javascript; charset=utf-8",
  "task-list.js": "text/javascript; charset=utf-8",
  "task-page.js": "text/javascript; charset=utf-8",
  "node-panel.js": "text/javascript; charset=utf-8",
  "dlq-panel.js": "text/javascript; charset=utf-8",
};

export const DASHBOARD_PREFIX = "/dashboard";

/** Scripts only from here, no inline script or handler, images from here or the blobs the page
 * fetched with its key. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

let cache: Map<string, string> | null = null;
function files(): Map<string, string> {
  cache ??= new Map(Object.keys(FILES).map((name) => [name, readFileSync(new URL(name, import.meta.url), "utf8")]));
  return cache;
}

/** GET / (the page) and GET /dashboard/:file (its modules and style). */
export function registerDashboard(app: Hono): void {
  const headers = (name: string) => ({ "content-type": FILES[name]!, "cache-control": "no-cache", "x-content-type-options": "nosniff" });
  app.get("/", (c) => c.body(files().get("index.html")!, 200, { ...headers("index.html"), "content-security-policy": CSP, "referrer-policy": "no-referrer" }));
  app.get(`${DASHBOARD_PREFIX}/:file`, (c) => {
    const name = c.req.param("file");
    const body = Object.hasOwn(FILES, name) ? files().get(name) : undefined;
    return body === undefined ? c.text("not found", 404) : c.body(body, 200, headers(name));
  });
}
