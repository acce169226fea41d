import { createRequire } from "node:module";
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { Document } from "@gltf-transform/core";
import { AppError } from "../../contracts/app-error.ts";
import type { CompanionResolver, MissingResource } from "./companion-files.ts";
import { readGltfJson } from "./gltf-json-reader.ts";
import { applyMtlMaps, type DroppedMap } from "./obj-material-maps.ts";

const require = createRequire(import.meta.url);
const label = (f: string) => (f === "fbx_ascii" ? "FBX" : f.toUpperCase());

interface AjsFile {
  GetPath(): string;
  GetContent(): Uint8Array;
}
interface AjsResult {
  IsSuccess(): boolean;
  GetErrorCode(): string;
  FileCount(): number;
  GetFile(i: number): AjsFile;
}
interface AjsFileList {
  AddFile(name: string, content: Uint8Array): void;
}
interface Assimp {
  FileList: new () => AjsFileList;
  ConvertFileList(list: AjsFileList, format: string): AjsResult;
}

let assimp: Promise<Assimp> | null = null;
const loadAssimp = () => (assimp ??= (require("assimpjs") as () => Promise<Assimp>)());

/** `mtllib` names of an OBJ (several per line are allowed). */
export function materialLibraries(objText: string): string[] {
  const names: string[] = [];
  for (const m of objText.matchAll(/^[ \t]*mtllib[ \t]+(.+?)[ \t]*$/gm)) names.push(...m[1]!.split(/\s+(?=\S+\.mtl\b)/i));
  return names;
}

/**
 * OBJ, FBX (binary and ASCII) and DAE through assimp (assimpjs: assimp 5 compiled to WASM, in
 * process): it exports glTF 2.0 JSON + buffer, whose image URIs are then resolved among the
 * companions like any glTF's. An OBJ's MTL files are handed to assimp; a missing one is reported.
 */
export async function readWithAssimp(
  modelPath: string,
  format: "obj" | "fbx_ascii" | "dae",
  resolver: CompanionResolver,
): Promise<{ doc: Document; missing: MissingResource[]; droppedMaps: DroppedMap[] }> {
  const ajs = await loadAssimp();
  const list = new ajs.FileList();
  const modelBytes = new Uint8Array(await readFile(modelPath));
  const name = basename(modelPath);
  list.AddFile(name, modelBytes);
  const missing: MissingResource[] = [];
  const mtlTexts: string[] = [];
  if (format === "obj") {
    for (const lib of materialLibraries(Buffer.from(modelBytes).toString("latin1"))) {
      const bytes = await resolver.read(lib);
      if (bytes) {
        list.AddFile(basename(lib.replace(/\\/g, "/")), bytes);
        mtlTexts.push(Buffer.from(bytes).toString("latin1"));
      } else missing.push({ kind: "material_library", uri: lib });
    }
  }
  const result = ajs.ConvertFileList(list, "gltf2");
  if (!result.IsSuccess() || result.FileCount() === 0) {
    throw new AppError("INPUT_CORRUPT", `the ${label(format)} file could not be read (assimp: ${result.GetErrorCode()})`);
  }
  const given: Record<string, Uint8Array> = {};
  let json: Record<string, unknown> | null = null;
  for (let i = 0; i < result.FileCount(); i++) {
    const file = result.GetFile(i);
    if (file.GetPath().endsWith(".gltf")) json = JSON.parse(Buffer.from(file.GetContent()).toString("utf8")) as Record<string, unknown>;
    else given[file.GetPath()] = new Uint8Array(file.GetContent());
  }
  if (!json) throw new AppError("INPUT_CORRUPT", `assimp read the ${label(format)} file but produced no glTF`);
  const read = await readGltfJson(json, given, resolver);
  const maps = await applyMtlMaps(read.doc, mtlTexts, resolver);
  return { doc: read.doc, missing: [...missing, ...read.missing, ...maps.missing], droppedMaps: maps.dropped };
}
