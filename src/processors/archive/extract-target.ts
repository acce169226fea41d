import { constants } from "node:fs";
import { link, lstat, mkdir, open, readlink, realpath, rename, rm, symlink, unlink } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { AppError } from "../../contracts/app-error.ts";
import { normaliseEntryPath, parentPaths, resolveLinkTarget } from "./entry-path.ts";
import type { ExtractBudget } from "./extract-budget.ts";
import { NameRegistry, numberedName } from "./name-registry.ts";

export interface ExtractTargetOptions {
  /** Directory the entries land in; created if missing. */
  root: string;
  /** Scratch directory on the same filesystem; bytes are written here first, then linked into place. */
  partialDir: string;
  budget: ExtractBudget;
  /** Default: false — every symlink and hardlink is UNSAFE_ARCHIVE. */
  allowLinks: boolean;
  signal: AbortSignal;
  /** Called with each chunk's length after it is counted, for progress. */
  onBytes?: (n: number) => void;
}

export interface ExtractedEntry {
  /** Relative to the root, `/`-separated. */
  path: string;
  kind: "file" | "symlink" | "hardlink";
  /** For links: what it points at, relative to the root. */
  target?: string;
}

const unsafe = (message: string, details: Record<string, unknown>) => new AppError("UNSAFE_ARCHIVE", message, { details });
// O_NOFOLLOW + O_EXCL: a pre-existing name (or a planted symlink) at the scratch path fails the open.
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * The only code that writes extracted bytes. Every name goes through normalisation and the name
 * registry; directories are created one segment at a time and checked with lstat, so an existing
 * symlink is never followed; bytes go to a scratch file first and are linked into place (link(2)
 * never replaces and never follows the new name). Links are created last, after all files, so no
 * entry can be written through one.
 */
export async function createExtractTarget(options: ExtractTargetOptions) {
  const { root, partialDir, budget, allowLinks, signal } = options;
  await mkdir(root, { recursive: true });
  await mkdir(partialDir, { recursive: true });
  const realRoot = await realpath(root);
  const registry = new NameRegistry();
  const entries: ExtractedEntry[] = [];
  const pendingLinks: Required<ExtractedEntry>[] = [];
  let tempCounter = 0;
  // Directories this target created or checked: only this code writes below root while it runs.
  const verified = new Set<string>([""]);

  async function ensureDir(rel: string): Promise<void> {
    if (verified.has(rel)) return;
    for (const dir of [...parentPaths(rel), rel]) {
      if (verified.has(dir)) continue;
      const abs = join(root, dir);
      const st = await lstat(abs).catch((e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? null : Promise.reject(e)));
      if (st === null) await mkdir(abs);
      else if (!st.isDirectory() || st.isSymbolicLink()) throw unsafe(`${JSON.stringify(dir)} exists and is not a directory: refused`, { entry: dir });
    }
    if (rel !== "" && (await realpath(join(root, rel))) !== join(realRoot, ...rel.split("/"))) {
      throw unsafe(`directory ${JSON.stringify(rel)} resolves outside the target: refused`, { entry: rel });
    }
    for (const dir of [...parentPaths(rel), rel]) verified.add(dir);
  }

  function begin(name: string): string {
    signal.throwIfAborted();
    budget.startEntry(name);
    return normaliseEntryPath(name);
  }

  const target = {
    root,
    /** Progress hook: called with each chunk's length after the budget accepted it. */
    onBytes: options.onBytes ?? ((_n: number): void => {}),
    async directory(name: string): Promise<void> {
      await ensureDir(target.claimDirectory(name));
    },
    /** Counts and reserves a directory without creating it yet, for readers that cannot await. */
    claimDirectory(name: string): string {
      return registry.claim(begin(name), "directory");
    },
    ensureDirectory: ensureDir,
    /** A fresh directory name next to `rel` for a nested archive's content: `x.zip.d`, `x.zip (2).d`, … */
    reserveNestedDirectory(rel: string): string {
      for (let n = 1; ; n++) {
        const candidate = `${n === 1 ? rel : numberedName(rel, n)}.d`;
        if (registry.kindOf(candidate) === undefined) return registry.claim(candidate, "directory");
      }
    },
    /** Validates the name, counts the entry and reserves its final path (after the duplicate rule). */
    claimFile(name: string): string {
      return registry.claim(begin(name), "file");
    },
    newTempPath(): string {
      return join(partialDir, `${++tempCounter}.part`);
    },
    async writeClaimed(rel: string, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
      const temp = target.newTempPath();
      const handle = await open(temp, CREATE_FLAGS, 0o644);
      try {
        for await (const chunk of chunks) {
          signal.throwIfAborted();
          budget.addBytes(chunk.length);
          target.onBytes(chunk.length);
          await handle.write(chunk);
        }
      } finally {
        await handle.close();
      }
      await target.commitTemp(rel, temp);
    },
    async file(name: string, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<void> {
      await target.writeClaimed(target.claimFile(name), chunks);
    },
    /** Moves a finished scratch file to its claimed path without ever replacing anything. */
    async commitTemp(rel: string, temp: string): Promise<void> {
      const parents = parentPaths(rel);
      await ensureDir(parents.at(-1) ?? "");
      const finalPath = join(root, rel);
      try {
        await link(temp, finalPath);
        await unlink(temp);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EEXIST") throw unsafe(`${JSON.stringify(rel)} already exists: refused`, { entry: rel });
        if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP") throw e;
        // Filesystems without hard links: rename after checking nothing is there.
        if (
          await lstat(finalPath).then(
            () => true,
            () => false,
          )
        )
          throw unsafe(`${JSON.stringify(rel)} already exists: refused`, { entry: rel });
        await rename(temp, finalPath);
      }
      entries.push({ path: rel, kind: "file" });
    },
    symlink(name: string, linkTarget: string): void {
      const rel = begin(name);
      if (!allowLinks) throw unsafe(`archive entry ${JSON.stringify(rel)} is a symlink; links are refused unless allow_links is set`, { entry: rel, kind: "symlink" });
      const resolved = resolveLinkTarget(rel, linkTarget);
      if (resolved === null) throw unsafe(`symlink ${JSON.stringify(rel)} -> ${JSON.stringify(linkTarget)} points outside the target: refused`, { entry: rel, link_target: linkTarget });
      pendingLinks.push({ path: registry.claim(rel, "link"), kind: "symlink", target: linkTarget });
    },
    hardlink(name: string, linkTarget: string): void {
      const rel = begin(name);
      if (!allowLinks) throw unsafe(`archive entry ${JSON.stringify(rel)} is a hardlink; links are refused unless allow_links is set`, { entry: rel, kind: "hardlink" });
      let to: string;
      try {
        to = normaliseEntryPath(linkTarget);
      } catch {
        throw unsafe(`hardlink ${JSON.stringify(rel)} -> ${JSON.stringify(linkTarget)} points outside the target: refused`, { entry: rel, link_target: linkTarget });
      }
      if (registry.kindOf(to) !== "file") throw unsafe(`hardlink ${JSON.stringify(rel)} -> ${JSON.stringify(to)} does not name an extracted file: refused`, { entry: rel, link_target: to });
      pendingLinks.push({ path: registry.claim(rel, "file"), kind: "hardlink", target: to });
    },
    special(name: string, kind: string): never {
      throw unsafe(`archive entry ${JSON.stringify(name)} is a ${kind}: refused`, { entry: name, kind });
    },
    /** Creates the links (last, so nothing was written through one), checks them, removes scratch. */
    async finish(): Promise<ExtractedEntry[]> {
      for (const l of pendingLinks) {
        await ensureDir(parentPaths(l.path).at(-1) ?? "");
        const abs = join(root, l.path);
        if (l.kind === "hardlink") await link(join(root, l.target), abs);
        else {
          await symlink(l.target, abs);
          const real = await realpath(abs).catch(() => null);
          if (real !== null && real !== realRoot && !real.startsWith(realRoot + sep)) {
            await unlink(abs);
            throw unsafe(`symlink ${JSON.stringify(l.path)} resolves outside the target: refused`, { entry: l.path, resolved: relative(realRoot, real) });
          }
        }
        entries.push(l.kind === "symlink" ? { ...l, target: await readlink(abs) } : l);
      }
      await rm(partialDir, { recursive: true, force: true });
      return entries;
    },
  };
  return target;
}

export type ExtractTarget = Awaited<ReturnType<typeof createExtractTarget>>;
