import { readdir, rm, stat } from "node:fs/promises";
import { extname, join, relative, resolve, sep } from "node:path";
import { AppError } from "../../contracts/app-error.ts";
import { extractArchive } from "../archive/extract-archive.ts";
import { ExtractBudget } from "../archive/extract-budget.ts";
import { createExtractTarget } from "../archive/extract-target.ts";
import type { InputObjects } from "../processor.ts";
import { detectMeshFormat, MODEL_EXTENSIONS, readHead, type MeshFormat } from "./mesh-format.ts";
import type { MeshInputParams } from "./mesh-params.ts";

/** The model to load: its file, the directory its companions (MTL, textures, .bin) are resolved in, and its format. */
export interface MeshInput {
  modelPath: string;
  /** Companion files are looked up below this directory only; null for a lone file (it has none). */
  rootDir: string | null;
  format: Exclude<MeshFormat, "zip">;
  sizeBytes: number;
}

/** Caps for a ZIP of a model and its textures: the archive_extract defences with smaller limits. */
export const MESH_ZIP_CAPS = { maxTotalBytes: 4 * 1024 ** 3, maxEntryBytes: 4 * 1024 ** 3, maxRatio: 100, maxEntries: 2000 } as const;

/** inputObjects for both mesh processors: a list of keys or a prefix (a model with its companions). */
export function meshInputObjects(p: MeshInputParams): InputObjects | null {
  if (p.source_keys) return { keys: p.source_keys, ...(p.source_prefix !== undefined ? { base: p.source_prefix } : {}) };
  return p.source_prefix !== undefined ? { prefix: p.source_prefix } : null;
}

async function listFiles(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const abs = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(abs, base)));
    else if (entry.isFile()) out.push(relative(base, abs).split(sep).join("/"));
  }
  return out.sort();
}

/** "The" model of a directory: `model_path` when given, else the first model file by MODEL_EXTENSIONS order. */
async function pickModel(dir: string, modelPath: string | undefined): Promise<string> {
  const files = (await listFiles(dir)).filter((f) => !f.startsWith("__MACOSX/"));
  if (modelPath !== undefined) {
    const wanted = modelPath.replace(/\\/g, "/").replace(/^\.\//, "");
    if (!files.includes(wanted)) throw new AppError("INPUT_NOT_FOUND", `model_path ${JSON.stringify(modelPath)} is not in the input (${files.length} files)`);
    return join(dir, wanted);
  }
  for (const ext of MODEL_EXTENSIONS) {
    const found = files.filter((f) => extname(f).toLowerCase() === ext);
    if (found.length > 0) return join(dir, found[0]!);
  }
  throw new AppError("UNSUPPORTED_FORMAT", `no model file (${MODEL_EXTENSIONS.join(", ")}) among the ${files.length} input files`);
}

async function extractZip(zipPath: string, dir: string, size: number, signal: AbortSignal): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  const budget = new ExtractBudget(size, MESH_ZIP_CAPS);
  const partialDir = `${dir}.partial`;
  const target = await createExtractTarget({ root: dir, partialDir, budget, allowLinks: false, signal });
  try {
    await extractArchive({ path: zipPath, size, password: undefined, signal, target, budget, progress: () => {}, sourceKey: "model.zip" }, "zip");
    await target.finish();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(partialDir, { recursive: true, force: true });
  }
}

async function identify(modelPath: string, rootDir: string | null): Promise<MeshInput> {
  const { head, size } = await readHead(modelPath);
  if (size === 0) throw new AppError("INPUT_CORRUPT", "the model file is empty");
  const format = detectMeshFormat(head, size);
  if (format === null) throw new AppError("UNSUPPORTED_FORMAT", "the input is not a mesh format this service reads (GLB, glTF, OBJ, PLY, STL, FBX, DAE, or a ZIP of one)");
  if (format === "zip") throw new AppError("UNSUPPORTED_FORMAT", "a ZIP inside the model's ZIP is not read");
  return { modelPath, rootDir, format, sizeBytes: size };
}

/**
 * Finds the model: the downloaded file itself, the model inside a ZIP (extracted with the
 * archive_extract defences into the work dir: zip-slip, links and bombs are refused), or the model
 * among the downloaded objects of `source_keys` / `source_prefix` (a directory).
 */
export async function resolveMeshInput(filePath: string, workDir: string, params: MeshInputParams, signal: AbortSignal): Promise<MeshInput> {
  const st = await stat(filePath);
  if (st.isDirectory()) return identify(await pickModel(filePath, params.model_path), filePath);
  const { head, size } = await readHead(filePath);
  if (size > 0 && detectMeshFormat(head, size) === "zip") {
    const dir = resolve(workDir, "input");
    await extractZip(filePath, dir, size, signal);
    return identify(await pickModel(dir, params.model_path), dir);
  }
  // A lone download has no companions: its directory belongs to the service, not to the model.
  return identify(filePath, null);
}
