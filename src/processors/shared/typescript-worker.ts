/** Worker threads on our .ts modules. Node 24 (the project's runtime) and Deno run them as they
 * are. The fallback is for a developer shell whose `node` is still 20 and runs the sources through
 * `--import tsx`, which a worker thread there does not run: remove it with Node 20. */
import { Worker } from "node:worker_threads";

/** True where .ts modules load without a loader: Node ≥ 22.18 / 24 (type stripping), Deno. */
const runsTypeScript = Boolean(process.features.typescript) || "Deno" in globalThis;

export function startTypeScriptWorker(url: URL): Worker {
  if (runsTypeScript) return new Worker(url);
  const boot = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { eval: true });
}
