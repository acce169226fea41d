import type { Document } from "@gltf-transform/core";
import { AppError } from "../../contracts/app-error.ts";
import type { CompanionResolver, MissingResource } from "./companion-files.ts";
import { gltfIO } from "./gltf-io.ts";

interface GltfJson {
  buffers?: { uri?: string }[];
  images?: { uri?: string }[];
  [k: string]: unknown;
}

/** A 1×1 PNG standing in for a missing image while the document is read; its texture is then removed. */
const PLACEHOLDER_PNG = Uint8Array.from(Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==", "base64"));

const external = (uri: string | undefined): uri is string => uri !== undefined && !uri.startsWith("data:");

/**
 * Reads a glTF JSON document whose buffers and images live beside it. `given` holds resources
 * already in memory (assimp's output); the rest come through the resolver. A missing buffer is
 * INPUT_CORRUPT (no geometry without it); a missing image is reported and its texture removed
 * from the materials — never silently dropped.
 */
export async function readGltfJson(json: GltfJson, given: Readonly<Record<string, Uint8Array>>, resolver: CompanionResolver): Promise<{ doc: Document; missing: MissingResource[] }> {
  const resources: Record<string, Uint8Array> = {};
  const missing: MissingResource[] = [];
  for (const buffer of json.buffers ?? []) {
    if (!external(buffer.uri) || resources[buffer.uri]) continue;
    const bytes = given[buffer.uri] ?? (await resolver.read(buffer.uri));
    if (!bytes) throw new AppError("INPUT_CORRUPT", `the glTF's buffer ${JSON.stringify(buffer.uri)} is not in the input`, { details: { missing: [{ kind: "buffer", uri: buffer.uri }] } });
    resources[buffer.uri] = bytes;
  }
  const missingUris = new Set<string>();
  for (const image of json.images ?? []) {
    if (!external(image.uri) || resources[image.uri]) continue;
    const bytes = given[image.uri] ?? (await resolver.read(image.uri));
    if (bytes) resources[image.uri] = bytes;
    else {
      missingUris.add(image.uri);
      resources[image.uri] = PLACEHOLDER_PNG;
    }
  }
  for (const uri of missingUris) missing.push({ kind: "texture", uri });
  const io = await gltfIO();
  let doc: Document;
  try {
    doc = await io.readJSON({ json: json as never, resources: resources as Record<string, Uint8Array<ArrayBuffer>> });
  } catch (error) {
    throw new AppError("INPUT_CORRUPT", `the glTF could not be read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  for (const texture of doc.getRoot().listTextures()) if (missingUris.has(texture.getURI())) texture.dispose();
  return { doc, missing };
}
