import { AppError } from "../../../contracts/app-error.ts";

export type PlyEncoding = "ascii" | "binary_little_endian" | "binary_big_endian";
export type PlyScalar = "int8" | "uint8" | "int16" | "uint16" | "int32" | "uint32" | "float32" | "float64";

export interface PlyProperty {
  name: string;
  type: PlyScalar;
  list: boolean;
}
export interface PlyElement {
  name: string;
  count: number;
  properties: PlyProperty[];
}
export interface PlyHeader {
  encoding: PlyEncoding;
  elements: PlyElement[];
  /** Bytes up to and including `end_header\n`. */ length: number;
}

const TYPE_ALIASES: Record<string, PlyScalar> = {
  char: "int8",
  int8: "int8",
  uchar: "uint8",
  uint8: "uint8",
  short: "int16",
  int16: "int16",
  ushort: "uint16",
  uint16: "uint16",
  int: "int32",
  int32: "int32",
  uint: "uint32",
  uint32: "uint32",
  float: "float32",
  float32: "float32",
  double: "float64",
  float64: "float64",
};

export const PLY_TYPE_SIZE: Record<PlyScalar, number> = { int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, float32: 4, float64: 8 };

/** Parses the ASCII header that starts a PLY file; `bytes` must contain `end_header`. */
export function parsePlyHeader(bytes: Uint8Array): PlyHeader {
  const text = new TextDecoder("latin1").decode(bytes);
  const end = text.indexOf("end_header");
  if (!text.startsWith("ply") || end < 0) throw new AppError("INPUT_CORRUPT", "Not a PLY file: missing 'ply' magic or 'end_header' within the first 64 KiB");
  const newline = text.indexOf("\n", end);
  const length = newline < 0 ? text.length : newline + 1;
  let encoding: PlyEncoding | undefined;
  const elements: PlyElement[] = [];
  for (const raw of text.slice(0, end).split("\n")) {
    const t = raw.trim().split(/\s+/);
    if (t[0] === "format") {
      if (t[1] !== "ascii" && t[1] !== "binary_little_endian" && t[1] !== "binary_big_endian") throw new AppError("UNSUPPORTED_FORMAT", `PLY format '${t[1]}' is not supported`);
      encoding = t[1];
    } else if (t[0] === "element") {
      const count = Number(t[2]);
      if (!Number.isSafeInteger(count) || count < 0) throw new AppError("INPUT_CORRUPT", `PLY element '${t[1]}' has a bad count '${t[2]}'`);
      elements.push({ name: t[1] ?? "", count, properties: [] });
    } else if (t[0] === "property") {
      const el = elements.at(-1);
      if (!el) throw new AppError("INPUT_CORRUPT", "PLY property before any element");
      const list = t[1] === "list";
      const type = TYPE_ALIASES[(list ? t[3] : t[1]) ?? ""];
      if (!type) throw new AppError("INPUT_CORRUPT", `PLY property '${raw.trim()}' has an unknown type`);
      el.properties.push({ name: (list ? t[4] : t[2]) ?? "", type, list });
    }
  }
  if (!encoding) throw new AppError("INPUT_CORRUPT", "PLY header has no format line");
  return { encoding, elements, length };
}

/** Reads one scalar from a DataView. */
export function readPlyScalar(v: DataView, at: number, type: PlyScalar, le: boolean): number {
  switch (type) {
    case "int8":
      return v.getInt8(at);
    case "uint8":
      return v.getUint8(at);
    case "int16":
      return v.getInt16(at, le);
    case "uint16":
      return v.getUint16(at, le);
    case "int32":
      return v.getInt32(at, le);
    case "uint32":
      return v.getUint32(at, le);
    case "float32":
      return v.getFloat32(at, le);
    case "float64":
      return v.getFloat64(at, le);
  }
}
