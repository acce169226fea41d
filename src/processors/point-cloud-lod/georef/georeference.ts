import proj4 from "proj4";
import type { Bounds, Vec3 } from "../../point-cloud/point-chunk.ts";
import type { CrsDefinition } from "./crs-definition.ts";
import { enuToEcefMatrix, geodeticToEcef } from "./ecef.ts";

export const IDENTITY: readonly number[] = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];

/** How source coordinates become the tileset's local frame (metres, z up). */
export interface Georeference {
  georeferenced: boolean;
  /** The CRS's label, when georeferenced. */
  crs?: string;
  /** Local frame → ECEF, column-major 4×4 (the root tile's `transform`); identity when unplaced. */
  transform: readonly number[];
  /** Geodetic origin of the local frame (degrees, metres), when georeferenced. */
  origin?: { longitude: number; latitude: number; height: number };
  /** True when `toLocal` is affine (an unplaced cloud), so it needs no interpolation. */
  affine: boolean;
  /** Exact map of one source point to local metres (east, north, up), written to out[at..at+2]. */
  toLocal(x: number, y: number, z: number, out: Float64Array | number[], at: number): void;
}

const centreOf = (b: Bounds): Vec3 => [(b.min[0] + b.max[0]) / 2, (b.min[1] + b.max[1]) / 2, (b.min[2] + b.max[2]) / 2];

/** A cloud without a usable CRS: centred on the origin, scaled to metres when the unit is known,
 * axes as they are (x east, y north, z up), identity transform. */
export function unplacedGeoreference(bounds: Bounds, metresPerUnit = 1): Georeference {
  const [cx, cy, cz] = centreOf(bounds);
  const k = metresPerUnit;
  return {
    georeferenced: false,
    transform: IDENTITY,
    affine: true,
    toLocal(x, y, z, out, at) {
      out[at] = (x - cx) * k;
      out[at + 1] = (y - cy) * k;
      out[at + 2] = (z - cz) * k;
    },
  };
}

/** Source CRS → WGS84 (proj4) → ECEF → the east-north-up frame at the centre of `bounds`. Heights are
 * taken as ellipsoidal (no geoid model), scaled by the vertical unit. Throws when the CRS does not map
 * the bounds' corners to the globe (coordinates that do not belong to this CRS). */
export function createGeoreference(crs: CrsDefinition, bounds: Bounds): Georeference {
  const converter = proj4(crs.def, "WGS84");
  const vu = crs.verticalUnit;
  const [cx, cy, cz] = centreOf(bounds);
  const geodetic = (x: number, y: number): [number, number] => {
    const r = converter.forward<number[]>([x, y]);
    return [r[0]!, r[1]!];
  };
  for (const [x, y] of [
    [cx, cy],
    [bounds.min[0], bounds.min[1]],
    [bounds.max[0], bounds.max[1]],
    [bounds.min[0], bounds.max[1]],
    [bounds.max[0], bounds.min[1]],
  ] as const) {
    const [lon, lat] = geodetic(x, y);
    if (!Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lat) > 90 || Math.abs(lon) > 540) {
      throw new Error(`coordinates (${x}, ${y}) are not on the globe in ${crs.label}`);
    }
  }
  const [lon0, lat0] = geodetic(cx, cy);
  const h0 = cz * vu;
  const m = enuToEcefMatrix(lon0, lat0, h0);
  const e = [m[0]!, m[1]!, m[2]!],
    n = [m[4]!, m[5]!, m[6]!],
    u = [m[8]!, m[9]!, m[10]!],
    o = [m[12]!, m[13]!, m[14]!];
  const p = [0, 0, 0];
  return {
    georeferenced: true,
    crs: crs.label,
    transform: m,
    origin: { longitude: lon0, latitude: lat0, height: h0 },
    affine: false,
    toLocal(x, y, z, out, at) {
      const [lon, lat] = geodetic(x, y);
      geodeticToEcef(lon, lat, z * vu, p);
      const dx = p[0]! - o[0]!,
        dy = p[1]! - o[1]!,
        dz = p[2]! - o[2]!;
      out[at] = e[0]! * dx + e[1]! * dy + e[2]! * dz;
      out[at + 1] = n[0]! * dx + n[1]! * dy + n[2]! * dz;
      out[at + 2] = u[0]! * dx + u[1]! * dy + u[2]! * dz;
    },
  };
}
