import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import type { OutputFile } from "../processor.ts";
import { meshStats, type MeshStats } from "./mesh-stats.ts";
import { getSourceFacts, readOwnGlb, type SourceFacts } from "./mesh-source.ts";

export const MANIFEST_FILE = "manifest.json";
export const MANIFEST_VERSION = 1;

export interface GlbFacts extends MeshStats {
  file: string;
  bytes: number;
  sha256: string;
  extensions: string[];
}

/** Size, hash, counts and box of a GLB as written (decoded and dequantized for the counts). */
export async function describeGlb(path: string): Promise<{ facts: GlbFacts; extras: Record<string, unknown>; source: SourceFacts }> {
  const { doc, bytes } = await readOwnGlb(path);
  const json = JSON.parse(Buffer.from(bytes.subarray(20, 20 + new DataView(bytes.buffer, bytes.byteOffset).getUint32(12, true))).toString("utf8")) as { extensionsUsed?: string[] };
  return {
    facts: { file: basename(path), bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex"), ...meshStats(doc), extensions: json.extensionsUsed ?? [] },
    extras: doc.getRoot().getExtras(),
    source: getSourceFacts(doc),
  };
}

export async function writeManifest(outDir: string, manifest: object): Promise<OutputFile> {
  await writeFile(join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return { path: MANIFEST_FILE, type: "manifest", format: "json" };
}
