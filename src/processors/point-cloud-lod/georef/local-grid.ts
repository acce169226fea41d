import type { Bounds, PointChunk } from "../../point-cloud/point-chunk.ts";
import type { Georeference } from "./georeference.ts";

export const LOCAL_GRID_DEFAULTS = {
  /** Grid spacing, in metres of the local frame, of exact samples over a node's bounds. The map from
   * a projected CRS to ENU bends by about d²/(8R) per axis over a cell of size d: 150 m → < 1 mm.
   * Default: 150. */
  cellMetres: 150,
  /** At most this many samples per horizontal axis (a 38 km node still keeps 150 m cells). Default: 257. */
  maxSamples: 257,
};

/** Maps a chunk's source coordinates to local metres, interleaved x,y,z. proj4 runs per grid sample,
 * not per point: inside `bounds` the map is trilinear between exact samples (exact in z, which the
 * map is affine in; < 1 mm in x,y at the default cell). Unplaced clouds map exactly. */
export function mapToLocal(geo: Georeference, bounds: Bounds, metresPerUnit: number, chunk: PointChunk, options = LOCAL_GRID_DEFAULTS): Float64Array {
  const out = new Float64Array(chunk.count * 3);
  const { x, y, z, count } = chunk;
  if (geo.affine) {
    for (let i = 0; i < count; i++) geo.toLocal(x[i]!, y[i]!, z[i]!, out, i * 3);
    return out;
  }
  const span = (a: 0 | 1 | 2): number => Math.max(bounds.max[a] - bounds.min[a], 0);
  const samples = (a: 0 | 1): number => Math.min(options.maxSamples, Math.max(2, Math.ceil((span(a) * metresPerUnit) / options.cellMetres) + 1));
  const nx = samples(0),
    ny = samples(1);
  // A flat axis still gets two samples one unit apart, so the interpolation stays defined.
  const sx = span(0) > 0 ? span(0) / (nx - 1) : 1,
    sy = span(1) > 0 ? span(1) / (ny - 1) : 1,
    sz = span(2) > 0 ? span(2) : 1;
  const [x0, y0, z0] = bounds.min;
  const grid = new Float64Array(nx * ny * 2 * 3);
  for (let k = 0; k < 2; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) geo.toLocal(x0 + i * sx, y0 + j * sy, z0 + k * sz, grid, ((k * ny + j) * nx + i) * 3);
  const layer = nx * ny * 3;
  for (let p = 0; p < count; p++) {
    let fx = (x[p]! - x0) / sx,
      fy = (y[p]! - y0) / sy;
    const fz = (z[p]! - z0) / sz;
    let i = Math.floor(fx),
      j = Math.floor(fy);
    i = i < 0 ? 0 : i > nx - 2 ? nx - 2 : i;
    j = j < 0 ? 0 : j > ny - 2 ? ny - 2 : j;
    fx -= i;
    fy -= j;
    const c00 = (j * nx + i) * 3,
      c10 = c00 + 3,
      c01 = c00 + nx * 3,
      c11 = c01 + 3;
    const w00 = (1 - fx) * (1 - fy),
      w10 = fx * (1 - fy),
      w01 = (1 - fx) * fy,
      w11 = fx * fy;
    for (let a = 0; a < 3; a++) {
      const lo = w00 * grid[c00 + a]! + w10 * grid[c10 + a]! + w01 * grid[c01 + a]! + w11 * grid[c11 + a]!;
      const hi = w00 * grid[layer + c00 + a]! + w10 * grid[layer + c10 + a]! + w01 * grid[layer + c01 + a]! + w11 * grid[layer + c11 + a]!;
      out[p * 3 + a] = lo + (hi - lo) * fz;
    }
  }
  return out;
}
