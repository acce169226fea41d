import { open, stat } from "node:fs/promises";

export const MESH_FORMATS = ["glb", "gltf", "obj", "ply", "stl_binary", "stl_ascii", "fbx_binary", "fbx_ascii", "dae", "zip"] as const;
export type MeshFormat = (typeof MESH_FORMATS)[number];

const HEAD_BYTES = 4096;

/** The first bytes of a file and its size: all format detection needs. */
export async function readHead(path: string, bytes = HEAD_BYTES): Promise<{ head: Buffer; size: number }> {
  const size = (await stat(path)).size;
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(Math.min(bytes, size));
    await fh.read(buf, 0, buf.length, 0);
    return { head: buf, size };
  } finally {
    await fh.close();
  }
}

/**
 * The format from content, never from the name alone. A binary STL's 80-byte header may start with
 * "solid" (several exporters write that): a file is binary STL when its size is exactly
 * 84 + 50 × the triangle count in bytes 80–83, whatever its header says.
 */
export function detectMeshFormat(head: Buffer, size: number): MeshFormat | null {
  const ascii = head.toString("latin1");
  if (head.length >= 12 && ascii.startsWith("glTF")) return "glb";
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return "zip";
  if (ascii.startsWith("Kaydara FBX Binary")) return "fbx_binary";
  if (head.length >= 84 && 84 + 50 * head.readUInt32LE(80) === size) return "stl_binary";
  if (/^ply\r?\n/.test(ascii)) return "ply";
  const text = ascii.replace(/^\uFEFF|^\xEF\xBB\xBF/, "").trimStart();
  if (/^solid\b/.test(text) && /\bfacet\b|\bendsolid\b/.test(text)) return "stl_ascii";
  if (/^; FBX \d/.test(text) || /^FBXHeaderExtension\s*:/m.test(text)) return "fbx_ascii";
  if (text.startsWith("<") && /<COLLADA[\s>]/.test(text)) return "dae";
  if (text.startsWith("{") && /"asset"\s*:/.test(text)) return "gltf";
  if (looksLikeObj(text)) return "obj";
  return null;
}

/** OBJ has no magic: most non-comment lines of its start are known statements, one of them `v`. */
function looksLikeObj(text: string): boolean {
  const lines = text
    .split(/\r?\n/)
    .slice(0, -1)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  if (lines.length === 0) return false;
  const known = /^(v|vt|vn|vp|f|l|p|o|g|s|usemtl|mtllib|cstype|deg|curv|surf|parm|end)(\s|$)/;
  const ok = lines.filter((l) => known.test(l)).length;
  return ok / lines.length >= 0.9 && lines.some((l) => /^v\s+[-+.\d]/.test(l));
}

/** File extensions of model files, in the order a ZIP or key set is searched for "the" model. */
export const MODEL_EXTENSIONS = [".glb", ".gltf", ".fbx", ".dae", ".obj", ".ply", ".stl"] as const;
