import { readFile } from "node:fs/promises";
import { basename, extname } from "node:path";
import type { Document } from "@gltf-transform/core";
import { AppError } from "../../contracts/app-error.ts";
import { readWithAssimp } from "./assimp-reader.ts";
import { companionResolver, type MissingResource } from "./companion-files.ts";
import { readWithFbx2gltf } from "./fbx2gltf-reader.ts";
import { gltfIO } from "./gltf-io.ts";
import { readGltfJson } from "./gltf-json-reader.ts";
import { checkInputGltf, type ValidatorMessage } from "./gltf-validate.ts";
import { checkVertexBudget } from "./mesh-budget.ts";
import type { MeshInput } from "./mesh-input.ts";
import type { DroppedMap } from "./obj-material-maps.ts";
import { readPly } from "./ply-reader.ts";
import { documentFromRaw } from "./raw-mesh.ts";
import { readAsciiStl, readBinaryStl } from "./stl-reader.ts";

export interface LoadedMesh {
  doc: Document;
  /** Companions the model names that the input does not hold (reported in the manifest). */
  missing: MissingResource[];
  /** The input's own validator errors that cleanup repairs (glTF inputs only). */
  inputIssues: ValidatorMessage[];
  declaredVertices: number;
  /** OBJ material maps glTF has no slot for (reported in the manifest and the result). */
  droppedMaps: DroppedMap[];
}

const MIME: Record<string, string> = { ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp" };

async function readGlb(bytes: Uint8Array): Promise<{ doc: Document; inputIssues: ValidatorMessage[] }> {
  const inputIssues = await checkInputGltf(bytes);
  try {
    return { doc: await (await gltfIO()).readBinary(bytes), inputIssues };
  } catch (error) {
    throw new AppError("INPUT_CORRUPT", `the GLB could not be read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/**
 * Loads any supported model into a glTF-Transform document: the vertex budget first (from the
 * header, before parsing), then the format's reader; glTF inputs go through glTF-Validator first,
 * so index-out-of-range or NaN data fails as INPUT_CORRUPT instead of being "simplified".
 */
export async function loadMesh(input: MeshInput, vertexCap: number, scratch: { workDir: string; signal: AbortSignal }): Promise<LoadedMesh> {
  const declaredVertices = await checkVertexBudget(input, vertexCap);
  const resolver = companionResolver(input.rootDir, input.modelPath);
  const name = basename(input.modelPath, extname(input.modelPath));
  const base = { missing: [] as MissingResource[], inputIssues: [] as ValidatorMessage[], declaredVertices, droppedMaps: [] as DroppedMap[] };
  switch (input.format) {
    case "glb":
      return { ...base, ...(await readGlb(new Uint8Array(await readFile(input.modelPath)))) };
    case "gltf": {
      const bytes = new Uint8Array(await readFile(input.modelPath));
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(Buffer.from(bytes).toString("utf8")) as Record<string, unknown>;
      } catch (error) {
        throw new AppError("INPUT_CORRUPT", `the glTF JSON does not parse: ${(error as Error).message}`);
      }
      const inputIssues = await checkInputGltf(bytes, async (uri) => {
        const found = await resolver.read(uri);
        if (!found) throw new Error(`not found: ${uri}`);
        return found;
      });
      return { ...base, ...(await readGltfJson(json, {}, resolver)), inputIssues };
    }
    case "ply": {
      const raw = readPly(new Uint8Array(await readFile(input.modelPath)));
      const missing: MissingResource[] = [];
      if (raw.textureFile) {
        const image = await resolver.read(raw.textureFile);
        const mimeType = MIME[extname(raw.textureFile).toLowerCase()];
        if (image && mimeType) raw.texture = { uri: raw.textureFile, image: new Uint8Array(image), mimeType };
        else missing.push({ kind: "texture", uri: raw.textureFile });
      }
      return { ...base, doc: documentFromRaw(raw, name), missing };
    }
    case "stl_binary":
      return { ...base, doc: documentFromRaw(readBinaryStl(new Uint8Array(await readFile(input.modelPath))), name) };
    case "stl_ascii":
      return { ...base, doc: documentFromRaw(readAsciiStl(await readFile(input.modelPath, "latin1")), name) };
    case "fbx_binary":
      return { ...base, ...(await readWithFbx2gltf(input.modelPath, scratch.workDir, scratch.signal)) };
    case "obj":
    case "fbx_ascii":
    case "dae":
      return { ...base, ...(await readWithAssimp(input.modelPath, input.format, resolver)) };
  }
}
