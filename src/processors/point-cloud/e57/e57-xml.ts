import { XMLParser } from "fast-xml-parser";
import { AppError } from "../../../contracts/app-error.ts";
import type { Bounds, Vec3 } from "../point-chunk.ts";

/** One prototype field: how its bytestream is bit-packed. */
export interface E57Field {
  name: string;
  kind: "float" | "integer" | "scaled";
  /** Bits per value: 32/64 for floats, ⌈log2(max−min+1)⌉ for integers (0 = constant). */
  bits: number;
  minimum: number;
  scale: number;
  offset: number;
}

export interface E57Scan {
  recordCount: number;
  /** Physical offset of the CompressedVector section header. */
  fileOffset: number;
  fields: E57Field[];
  /** Rotation quaternion (w, x, y, z) and translation into the file's coordinate system. */
  pose: { rotation: [number, number, number, number]; translation: Vec3 } | undefined;
  intensityLimits: [number, number] | undefined;
  colorLimits: [number, number] | undefined;
  bounds: Bounds | undefined;
}

export interface E57Description {
  scans: E57Scan[];
  coordinateMetadata: string | undefined;
}

type XmlNode = Record<string, unknown>;

// fast-xml-parser refuses a tag named "prototype" (pollution guard), which E57 uses: rename it.
const PROTOTYPE_TAG = "e57Prototype";
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  isArray: (name) => name === "vectorChild",
  transformTagName: (name) => (name === "prototype" ? PROTOTYPE_TAG : name),
});

const child = (n: unknown, key: string): XmlNode | undefined => (n && typeof n === "object" ? ((n as XmlNode)[key] as XmlNode | undefined) : undefined);
/** Element value; E57 writers leave zero values empty (`<x type="Integer"/>`). */
function num(n: unknown, fallback = 0): number {
  if (n === undefined) return fallback;
  if (typeof n === "number") return n;
  if (typeof n === "string") return Number(n) || 0;
  const t = (n as XmlNode)["#text"];
  return t === undefined ? 0 : Number(t);
}

function field(name: string, n: XmlNode): E57Field {
  const type = n["@_type"];
  const attr = (k: string, d: number): number => (n[`@_${k}`] === undefined ? d : Number(n[`@_${k}`]));
  if (type === "Float") return { name, kind: "float", bits: n["@_precision"] === "single" ? 32 : 64, minimum: 0, scale: 1, offset: 0 };
  if (type === "Integer" || type === "ScaledInteger") {
    const min = attr("minimum", 0),
      max = attr("maximum", 0);
    const range = max - min;
    return { name, kind: type === "Integer" ? "integer" : "scaled", bits: range <= 0 ? 0 : Math.ceil(Math.log2(range + 1)), minimum: min, scale: attr("scale", 1), offset: attr("offset", 0) };
  }
  throw new AppError("UNSUPPORTED_FORMAT", `E57 prototype field '${name}' has type '${String(type)}', which is not a number`);
}

export function parseE57Xml(xml: string): E57Description {
  let root: XmlNode | undefined;
  try {
    root = child(parser.parse(xml), "e57Root");
  } catch (cause) {
    throw new AppError("INPUT_CORRUPT", `E57 XML section does not parse: ${String(cause)}`, { cause });
  }
  if (!root) throw new AppError("INPUT_CORRUPT", "E57 XML section has no e57Root");
  const children = (child(root, "data3D")?.vectorChild ?? []) as XmlNode[];
  const scans = children.map((scan): E57Scan => {
    const points = child(scan, "points");
    const proto = child(points, PROTOTYPE_TAG);
    if (!points || !proto) throw new AppError("INPUT_CORRUPT", "E57 data3D entry has no points/prototype");
    const fields = Object.entries(proto)
      .filter(([k]) => !k.startsWith("@_") && k !== "#text")
      .map(([k, v]) => field(k, v as XmlNode));
    const pose = child(scan, "pose");
    const rot = child(pose, "rotation"),
      tr = child(pose, "translation");
    const il = child(scan, "intensityLimits"),
      cl = child(scan, "colorLimits"),
      cb = child(scan, "cartesianBounds");
    return {
      recordCount: Number(points["@_recordCount"] ?? 0),
      fileOffset: Number(points["@_fileOffset"] ?? 0),
      fields,
      pose: pose
        ? {
            rotation: [num(child(rot, "w"), 1), num(child(rot, "x")), num(child(rot, "y")), num(child(rot, "z"))],
            translation: [num(child(tr, "x")), num(child(tr, "y")), num(child(tr, "z"))],
          }
        : undefined,
      intensityLimits: il ? [num(child(il, "intensityMinimum")), num(child(il, "intensityMaximum"))] : undefined,
      colorLimits: cl ? [num(child(cl, "colorRedMinimum")), num(child(cl, "colorRedMaximum"))] : undefined,
      bounds: cb
        ? {
            min: [num(child(cb, "xMinimum")), num(child(cb, "yMinimum")), num(child(cb, "zMinimum"))],
            max: [num(child(cb, "xMaximum")), num(child(cb, "yMaximum")), num(child(cb, "zMaximum"))],
          }
        : undefined,
    };
  });
  const meta = root.coordinateMetadata;
  const text = typeof meta === "string" ? meta : meta && typeof meta === "object" ? (meta as XmlNode)["#text"] : undefined;
  return { scans, coordinateMetadata: typeof text === "string" && text.trim() ? text.trim() : undefined };
}
