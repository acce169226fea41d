import { AppError } from "../../contracts/app-error.ts";
import { linearise, type RawMesh } from "./raw-mesh.ts";

type Scalar = "i8" | "u8" | "i16" | "u16" | "i32" | "u32" | "f32" | "f64";
interface Property {
  name: string;
  type: Scalar;
  list?: Scalar;
}
interface Element {
  name: string;
  count: number;
  props: Property[];
}
interface Header {
  format: "ascii" | "binary_little_endian" | "binary_big_endian";
  elements: Element[];
  bodyOffset: number;
  textureFile?: string;
}

const TYPES: Record<string, Scalar> = {
  char: "i8",
  int8: "i8",
  uchar: "u8",
  uint8: "u8",
  short: "i16",
  int16: "i16",
  ushort: "u16",
  uint16: "u16",
  int: "i32",
  int32: "i32",
  uint: "u32",
  uint32: "u32",
  float: "f32",
  float32: "f32",
  double: "f64",
  float64: "f64",
};
const SIZE: Record<Scalar, number> = { i8: 1, u8: 1, i16: 2, u16: 2, i32: 4, u32: 4, f32: 4, f64: 8 };

const corrupt = (message: string) => new AppError("INPUT_CORRUPT", `PLY: ${message}`);

function parseHeader(bytes: Uint8Array): Header {
  const text = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 64 * 1024))).toString("latin1");
  const end = /end_header\r?\n/.exec(text);
  if (!end) throw corrupt("no end_header in the first 64 KiB");
  const elements: Element[] = [];
  let format: Header["format"] | undefined;
  let textureFile: string | undefined;
  for (const line of text.slice(0, end.index).split(/\r?\n/)) {
    const w = line.trim().split(/\s+/);
    if (w[0] === "format") format = w[1] as Header["format"];
    else if (w[0] === "comment" && /^texturefile$/i.test(w[1] ?? "")) textureFile = w.slice(2).join(" ");
    else if (w[0] === "element") elements.push({ name: w[1] ?? "", count: Number(w[2]), props: [] });
    else if (w[0] === "property") {
      const el = elements.at(-1);
      if (!el) throw corrupt("property before any element");
      if (w[1] === "list") {
        const [count, item, name] = [TYPES[w[2] ?? ""], TYPES[w[3] ?? ""], w[4]];
        if (!count || !item || !name) throw corrupt(`bad list property: ${line}`);
        el.props.push({ name, type: item, list: count });
      } else {
        const type = TYPES[w[1] ?? ""];
        if (!type || !w[2]) throw corrupt(`bad property: ${line}`);
        el.props.push({ name: w[2], type });
      }
    }
  }
  if (format !== "ascii" && format !== "binary_little_endian" && format !== "binary_big_endian") throw corrupt(`unknown format ${String(format)}`);
  if (elements.some((e) => !Number.isSafeInteger(e.count) || e.count < 0)) throw corrupt("an element count is not a number");
  return { format, elements, bodyOffset: Buffer.byteLength(text.slice(0, end.index + end[0].length), "latin1"), ...(textureFile ? { textureFile } : {}) };
}

/** Reads values one at a time from an ASCII or binary body. */
function valueReader(bytes: Uint8Array, header: Header): { next(type: Scalar): number } {
  if (header.format === "ascii") {
    const tokens = Buffer.from(bytes.subarray(header.bodyOffset))
      .toString("latin1")
      .split(/\s+/)
      .filter((t) => t !== "");
    let i = 0;
    return {
      next() {
        if (i >= tokens.length) throw corrupt("the body ends early");
        return Number(tokens[i++]);
      },
    };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = header.format === "binary_little_endian";
  let o = header.bodyOffset;
  return {
    next(type) {
      if (o + SIZE[type] > bytes.length) throw corrupt("the body ends early (truncated file)");
      const at = o;
      o += SIZE[type];
      switch (type) {
        case "i8":
          return view.getInt8(at);
        case "u8":
          return view.getUint8(at);
        case "i16":
          return view.getInt16(at, le);
        case "u16":
          return view.getUint16(at, le);
        case "i32":
          return view.getInt32(at, le);
        case "u32":
          return view.getUint32(at, le);
        case "f32":
          return view.getFloat32(at, le);
        case "f64":
          return view.getFloat64(at, le);
      }
    },
  };
}

const pick = (props: Property[], ...names: string[]) => names.map((n) => props.findIndex((p) => p.name === n && !p.list));

/** PLY (ASCII or binary, elements in any order): positions, normals, colours, UVs; polygons fanned into triangles. */
export function readPly(bytes: Uint8Array): RawMesh & { textureFile?: string } {
  const header = parseHeader(bytes);
  const vertexEl = header.elements.find((e) => e.name === "vertex");
  if (!vertexEl || vertexEl.count === 0) throw corrupt("no vertices");
  const [ix, iy, iz] = pick(vertexEl.props, "x", "y", "z");
  if (ix! < 0 || iy! < 0 || iz! < 0) throw corrupt("vertex has no x, y, z");
  const [inx, iny, inz] = pick(vertexEl.props, "nx", "ny", "nz");
  const [ir, ig, ib] = pick(vertexEl.props, "red", "green", "blue");
  const [ia] = pick(vertexEl.props, "alpha");
  const uv = [pick(vertexEl.props, "s", "t"), pick(vertexEl.props, "u", "v"), pick(vertexEl.props, "texture_u", "texture_v")].find(([a, b]) => a! >= 0 && b! >= 0);
  const n = vertexEl.count;
  const positions = new Float32Array(n * 3);
  const normals = inx! >= 0 && iny! >= 0 && inz! >= 0 ? new Float32Array(n * 3) : undefined;
  const colors = ir! >= 0 && ig! >= 0 && ib! >= 0 ? new Float32Array(n * 4) : undefined;
  const uvs = uv ? new Float32Array(n * 2) : undefined;
  const colorScale = colors ? (vertexEl.props[ir!]!.type === "u8" ? 1 / 255 : vertexEl.props[ir!]!.type === "u16" ? 1 / 65535 : 1) : 1;
  const indices: number[] = [];
  const reader = valueReader(bytes, header);
  const row: number[] = [];
  for (const el of header.elements) {
    for (let r = 0; r < el.count; r++) {
      row.length = 0;
      let face: number[] | null = null;
      for (const p of el.props) {
        if (p.list) {
          const len = reader.next(p.list);
          const items: number[] = [];
          for (let k = 0; k < len; k++) items.push(reader.next(p.type));
          if (el.name === "face" && (p.name === "vertex_indices" || p.name === "vertex_index")) face = items;
          row.push(NaN);
        } else row.push(reader.next(p.type));
      }
      if (el === vertexEl) {
        positions.set([row[ix!]!, row[iy!]!, row[iz!]!], r * 3);
        if (normals) normals.set([row[inx!]!, row[iny!]!, row[inz!]!], r * 3);
        if (colors) colors.set([row[ir!]! * colorScale, row[ig!]! * colorScale, row[ib!]! * colorScale, ia! >= 0 ? row[ia!]! * colorScale : 1], r * 4);
        if (uvs && uv) uvs.set([row[uv[0]!]!, 1 - row[uv[1]!]!], r * 2);
      } else if (face) {
        for (let k = 1; k + 1 < face.length; k++) indices.push(face[0]!, face[k]!, face[k + 1]!);
      }
    }
  }
  return {
    positions,
    normals,
    colors: colors ? linearise(colors) : undefined,
    uvs,
    indices: Uint32Array.from(indices),
    ...(header.textureFile ? { textureFile: header.textureFile } : {}),
  };
}
