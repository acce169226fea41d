/** One texture map statement of an MTL material (`map_Kd -s 2 2 wood.png`). */
export interface MtlMap {
  material: string;
  /** The statement as written: "map_Kd", "map_Bump", "bump", "norm", "disp", … */
  map: string;
  uri: string;
  /** `-bm`: bump multiplier. Default: 1. */
  bumpMultiplier: number;
  /** `-imfchan`: the channel a scalar map is read from (r, g, b, m, l, z). Default: luminance. */
  channel: string | null;
}

/** How many values each option takes (`-o`, `-s`, `-t` take one to three numbers). */
const OPTION_ARITY: Record<string, number> = {
  blendu: 1,
  blendv: 1,
  bm: 1,
  boost: 1,
  cc: 1,
  clamp: 1,
  imfchan: 1,
  texres: 1,
  type: 1,
  mm: 2,
  o: 3,
  s: 3,
  t: 3,
};
const MAP_STATEMENT = /^(map_[a-z]+|bump|norm|disp|decal|refl)$/i;
const isNumber = (s: string | undefined) => s !== undefined && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s);

function parseMapLine(material: string, statement: string, rest: string): MtlMap | null {
  const tokens = rest.split(/\s+/).filter(Boolean);
  let bumpMultiplier = 1;
  let channel: string | null = null;
  let i = 0;
  while (i < tokens.length && tokens[i]!.startsWith("-") && OPTION_ARITY[tokens[i]!.slice(1).toLowerCase()] !== undefined) {
    const option = tokens[i]!.slice(1).toLowerCase();
    const arity = OPTION_ARITY[option]!;
    const values: string[] = [];
    i++;
    // -o/-s/-t take up to three numbers; the others exactly their count.
    while (values.length < arity && i < tokens.length && (arity < 3 || isNumber(tokens[i]))) values.push(tokens[i++]!);
    if (option === "bm" && isNumber(values[0])) bumpMultiplier = Number(values[0]);
    if (option === "imfchan" && values[0]) channel = values[0].toLowerCase();
  }
  // What is left is the file name, which may contain spaces.
  const uri = tokens.slice(i).join(" ");
  return uri ? { material, map: statement, uri, bumpMultiplier, channel } : null;
}

/** Every texture map statement of an MTL file, by material, in file order. */
export function parseMtlMaps(text: string): MtlMap[] {
  const maps: MtlMap[] = [];
  let material: string | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, "").trim();
    const m = /^(\S+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const [, statement, rest] = m as unknown as [string, string, string];
    if (statement.toLowerCase() === "newmtl") material = rest.trim();
    else if (material !== null && MAP_STATEMENT.test(statement)) {
      const map = parseMapLine(material, statement, rest);
      if (map) maps.push(map);
    }
  }
  return maps;
}

/** What becomes of an MTL map in glTF. */
export type MapFate =
  /** assimp fills this slot itself (base colour, emissive, `norm` → normal). */
  | { kind: "assimp"; slot: "baseColor" | "emissive" | "normal" }
  /** We fill it: bump → normal (a height map converted), dissolve → base-colour alpha, PBR maps → metallicRoughness. */
  | { kind: "ours"; slot: "normal" | "alpha" | "roughness" | "metallic" }
  | { kind: "dropped"; reason: string };

/** Where each MTL map goes: glTF 2.0 core has no slot for ambient, specular, shininess, displacement,
 * reflection, decal or sheen maps. */
export function mapFate(map: string): MapFate {
  switch (map.toLowerCase()) {
    case "map_kd":
      return { kind: "assimp", slot: "baseColor" };
    case "map_ke":
      return { kind: "assimp", slot: "emissive" };
    case "norm":
      return { kind: "assimp", slot: "normal" };
    case "map_bump":
    case "bump":
      return { kind: "ours", slot: "normal" };
    case "map_d":
      return { kind: "ours", slot: "alpha" };
    case "map_pr":
      return { kind: "ours", slot: "roughness" };
    case "map_pm":
      return { kind: "ours", slot: "metallic" };
    case "map_ka":
      return { kind: "dropped", reason: "ambient maps have no glTF slot" };
    case "map_ks":
      return { kind: "dropped", reason: "specular (Phong) maps have no glTF core slot" };
    case "map_ns":
      return { kind: "dropped", reason: "shininess maps have no glTF slot" };
    case "disp":
      return { kind: "dropped", reason: "displacement maps have no glTF slot" };
    case "refl":
      return { kind: "dropped", reason: "reflection maps have no glTF slot" };
    case "decal":
      return { kind: "dropped", reason: "decal maps have no glTF slot" };
    default:
      return { kind: "dropped", reason: `${map} has no glTF slot` };
  }
}
