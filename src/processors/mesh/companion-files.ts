import { readdir, readFile, realpath } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";

/** A companion file (MTL, texture, .bin) a model names but the input does not hold. */
export interface MissingResource {
  kind: "material_library" | "texture" | "buffer";
  uri: string;
  /** Default: "not_found". */
  reason?: "not_found" | "unreadable";
}

const inside = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel !== "" && !rel.startsWith("..") && !rel.startsWith(sep) && !rel.includes(`..${sep}`);
};

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const abs = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(abs)));
    else if (e.isFile()) out.push(abs);
  }
  return out;
}

/**
 * Finds the files a model refers to, only below `rootDir` (the extracted ZIP or the downloaded key
 * set): the URI as written relative to the model, else a file of the same name anywhere below the
 * root, case-insensitively (exporters write absolute Windows paths such as `C:\Users\me\wood.png`).
 * A lone file has no root and so no companions.
 */
export function companionResolver(rootDir: string | null, modelPath: string) {
  let index: Promise<string[]> | null = null;
  const realRoot = rootDir ? realpath(rootDir) : null;
  return {
    async find(uri: string): Promise<string | null> {
      if (!rootDir || !realRoot || /^[a-z][a-z0-9+.-]*:\/\//i.test(uri) || uri.startsWith("data:")) return null;
      let clean: string;
      try {
        clean = decodeURIComponent(uri);
      } catch {
        clean = uri;
      }
      clean = clean.replace(/\\/g, "/").replace(/^\.\//, "");
      const root = await realRoot;
      const direct = resolve(dirname(modelPath), clean);
      const candidates = [direct];
      index ??= walk(rootDir);
      const name = basename(clean).toLowerCase();
      candidates.push(...(await index).filter((f) => basename(f).toLowerCase() === name));
      for (const c of candidates) {
        const real = await realpath(c).catch(() => null);
        if (real && inside(root, real)) return real;
      }
      return null;
    },
    async read(uri: string): Promise<Uint8Array | null> {
      const path = await this.find(uri);
      return path ? new Uint8Array(await readFile(path)) : null;
    },
  };
}
export type CompanionResolver = ReturnType<typeof companionResolver>;
