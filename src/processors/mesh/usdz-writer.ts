import { crc32 } from "node:zlib";
import type { Document, Material, Texture } from "@gltf-transform/core";
import sharp from "sharp";
import { readAttribute, scenePrimitives } from "./scene-primitives.ts";

/** A file inside a USDZ: name and bytes. */
interface Entry {
  name: string;
  data: Uint8Array;
}

const ALIGN = 64;
const PAD_ID = 0x1986; // an unregistered extra-field id: ZIP readers skip it

/**
 * A USDZ is a ZIP without compression whose every file's data starts on a 64-byte boundary, the
 * first file being the USD layer (Pixar's USDZ spec). Alignment comes from padding each local
 * header's extra field.
 */
export function usdzArchive(entries: readonly Entry[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, "utf8");
    const crc = crc32(e.data);
    const headerEnd = offset + 30 + name.length;
    const pad = (ALIGN - ((headerEnd + 4) % ALIGN)) % ALIGN;
    const extra = Buffer.alloc(4 + pad);
    extra.writeUInt16LE(PAD_ID, 0);
    extra.writeUInt16LE(pad, 2);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(0x00210000, 10); // 1980-01-01 00:00
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    parts.push(local, name, extra, Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength));
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt32LE(0x00210000, 12);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(e.data.length, 20);
    cd.writeUInt32LE(e.data.length, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);
    offset = headerEnd + extra.length + e.data.length;
  }
  const cdBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cdBytes, end]);
}

const f = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(7)).toString() : "0");
const tuple = (v: ArrayLike<number>, from: number, n: number) => `(${Array.from({ length: n }, (_, i) => f(v[from + i]!)).join(", ")})`;

function list(values: ArrayLike<number>, n: number): string {
  const out: string[] = [];
  for (let i = 0; i < values.length; i += n) out.push(tuple(values, i, n));
  return `[${out.join(", ")}]`;
}

function transformed(m: ArrayLike<number>, src: ArrayLike<number>, isNormal: boolean): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i += 3) {
    const x = src[i]!,
      y = src[i + 1]!,
      z = src[i + 2]!;
    const v = [m[0]! * x + m[4]! * y + m[8]! * z, m[1]! * x + m[5]! * y + m[9]! * z, m[2]! * x + m[6]! * y + m[10]! * z];
    const l = isNormal ? Math.hypot(v[0]!, v[1]!, v[2]!) || 1 : 1;
    out.set(isNormal ? v.map((c) => c / l) : [v[0]! + m[12]!, v[1]! + m[13]!, v[2]! + m[14]!], i);
  }
  return out;
}

/**
 * The document as a USDZ for AR Quick Look: one `Mesh` prim per primitive in world space (metres,
 * Y up), UsdPreviewSurface materials with the base colour (factor and texture, as PNG/JPEG since
 * Quick Look reads no WEBP), metallic, roughness and opacity. Written here, not through three's
 * USDZExporter, which needs a DOM canvas for textures.
 */
export async function writeUsdz(doc: Document): Promise<Buffer> {
  const materials = new Map<Material | null, string>();
  const textures = new Map<Texture, string>();
  const files: Entry[] = [];
  const meshes: string[] = [];
  const materialDefs: string[] = [];

  async function textureFile(t: Texture): Promise<string> {
    if (textures.has(t)) return textures.get(t)!;
    const jpeg = t.getMimeType() === "image/jpeg";
    const name = `textures/t${textures.size}.${jpeg ? "jpg" : "png"}`;
    const data = jpeg ? t.getImage()! : new Uint8Array(await sharp(t.getImage()!).png().toBuffer());
    files.push({ name, data });
    textures.set(t, name);
    return name;
  }

  async function materialPath(m: Material | null): Promise<string> {
    if (materials.has(m)) return materials.get(m)!;
    const id = `M${materials.size}`;
    const path = `/Root/Materials/${id}`;
    materials.set(m, path);
    const base = m?.getBaseColorFactor() ?? [0.8, 0.8, 0.8, 1];
    const tex = m?.getBaseColorTexture();
    const lines = [
      `        def Material "${id}"`,
      "        {",
      `            token outputs:surface.connect = <${path}/Surface.outputs:surface>`,
      '            def Shader "Surface"',
      "            {",
      '                uniform token info:id = "UsdPreviewSurface"',
      tex ? `                color3f inputs:diffuseColor.connect = <${path}/Diffuse.outputs:rgb>` : `                color3f inputs:diffuseColor = ${tuple(base, 0, 3)}`,
      `                float inputs:metallic = ${f(m?.getMetallicFactor() ?? 0)}`,
      `                float inputs:roughness = ${f(m?.getRoughnessFactor() ?? 0.8)}`,
      `                float inputs:opacity = ${f(base[3] ?? 1)}`,
      "                token outputs:surface",
      "            }",
    ];
    if (tex) {
      lines.push(
        '            def Shader "Diffuse"',
        "            {",
        '                uniform token info:id = "UsdUVTexture"',
        `                asset inputs:file = @${await textureFile(tex)}@`,
        `                float2 inputs:st.connect = <${path}/St.outputs:result>`,
        `                float4 inputs:scale = ${tuple([base[0], base[1], base[2], 1], 0, 4)}`,
        '                token inputs:wrapS = "repeat"',
        '                token inputs:wrapT = "repeat"',
        "                float3 outputs:rgb",
        "            }",
        '            def Shader "St"',
        "            {",
        '                uniform token info:id = "UsdPrimvarReader_float2"',
        '                string inputs:varname = "st"',
        "                float2 outputs:result",
        "            }",
      );
    }
    lines.push("        }");
    materialDefs.push(lines.join("\n"));
    return path;
  }

  for (const { primitive: p, world: m, positions: pos, indices } of scenePrimitives(doc)) {
    const normals = readAttribute(p, "NORMAL", 3);
    const uv = readAttribute(p, "TEXCOORD_0", 2);
    if (uv) for (let i = 1; i < uv.length; i += 2) uv[i] = 1 - uv[i]!; // USD's st origin is bottom-left
    const material = await materialPath(p.getMaterial());
    const lines = [
      `    def Mesh "Mesh${meshes.length}"`,
      "    {",
      `        int[] faceVertexCounts = [${Array<number>(indices.length / 3)
        .fill(3)
        .join(", ")}]`,
      `        int[] faceVertexIndices = [${Array.from(indices).join(", ")}]`,
      `        point3f[] points = ${list(transformed(m, pos, false), 3)}`,
      ...(normals ? [`        normal3f[] normals = ${list(transformed(m, normals, true), 3)} (\n            interpolation = "vertex"\n        )`] : []),
      ...(uv ? [`        texCoord2f[] primvars:st = ${list(uv, 2)} (\n            interpolation = "vertex"\n        )`] : []),
      '        uniform token subdivisionScheme = "none"',
      `        uniform bool doubleSided = ${p.getMaterial()?.getDoubleSided() ? 1 : 0}`,
      `        rel material:binding = <${material}>`,
      "    }",
    ];
    meshes.push(lines.join("\n"));
  }
  const usda = [
    "#usda 1.0",
    "(",
    '    defaultPrim = "Root"',
    "    metersPerUnit = 1",
    '    upAxis = "Y"',
    ")",
    "",
    'def Xform "Root" (',
    '    kind = "component"',
    ")",
    "{",
    '    def Scope "Materials"',
    "    {",
    ...materialDefs,
    "    }",
    ...meshes,
    "}",
    "",
  ].join("\n");
  return usdzArchive([{ name: "model.usda", data: Buffer.from(usda, "utf8") }, ...files]);
}
