import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";

/** The host's `--import` preloads (a developer's tsx on an older Node, a test's guard), for a worker
 * process to load too; the rest of the host's command line (inspector, heap size) stays its own.
 * Each becomes a URL, so the child finds it from any working directory. Node 24 needs no loader
 * for the worker's .ts sources, so in production this is empty. */
export function inheritedImports(execArgv: readonly string[] = process.execArgv): string[] {
  const imports: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const spec = arg === "--import" ? execArgv[++i] : arg.startsWith("--import=") ? arg.slice("--import=".length) : undefined;
    if (spec) imports.push("--import", absolute(spec));
  }
  return imports;
}

function absolute(spec: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(spec)) return spec; // already a URL (file:, data:, node:)
  if (spec.startsWith(".") || isAbsolute(spec)) return pathToFileURL(resolve(spec)).href;
  try {
    return import.meta.resolve(spec); // a package: the host found it, and so does this module
  } catch {
    return spec;
  }
}
