import { rampColor } from "./color-ramp.ts";
import type { PointSample } from "./point-sample.ts";

export interface SplatView {
  /** Image width and height in pixels. */
  size: number;
  /** Degrees above the horizon the camera looks down from: 90 = top-down. */
  elevation: number;
  /** Degrees the cloud is turned about its vertical axis before viewing. */
  azimuth: number;
  /** Background RGBA. */
  background: readonly [number, number, number, number];
  /** Horizontal units → the vertical axis' units (geographic degrees → metres), x and y. */
  horizontalScale: readonly [number, number];
}

const MARGIN = 0.04;

/** Among azimuths 0°, 15°, … 165° (+ the same plus 180°, which frames the same extent), the one whose
 * view spans the least — the cloud then fills the most of the square. Judged on at most 20 000 of the
 * points; ties keep the smaller angle. Deterministic. */
export function framingAzimuth(sample: PointSample, elevation: number, horizontalScale: readonly [number, number]): number {
  const b = sample.bounds;
  if (!b || sample.count === 0) return 0;
  const step = Math.max(1, Math.floor(sample.count / 20_000));
  const cx = (b.min[0] + b.max[0]) / 2,
    cy = (b.min[1] + b.max[1]) / 2,
    cz = (b.min[2] + b.max[2]) / 2;
  const el = (elevation * Math.PI) / 180,
    sinE = Math.sin(el),
    cosE = Math.cos(el);
  let best = 0,
    bestExtent = Infinity;
  for (let deg = 0; deg < 180; deg += 15) {
    const az = (deg * Math.PI) / 180,
      cosA = Math.cos(az),
      sinA = Math.sin(az);
    let uMin = Infinity,
      uMax = -Infinity,
      vMin = Infinity,
      vMax = -Infinity;
    for (let i = 0; i < sample.count; i += step) {
      const x = (sample.x[i]! - cx) * horizontalScale[0],
        y = (sample.y[i]! - cy) * horizontalScale[1],
        z = sample.z[i]! - cz;
      const u = x * cosA - y * sinA,
        v = (x * sinA + y * cosA) * sinE + z * cosE;
      if (u < uMin) uMin = u;
      if (u > uMax) uMax = u;
      if (v < vMin) vMin = v;
      if (v > vMax) vMax = v;
    }
    const extent = Math.max(uMax - uMin, vMax - vMin);
    if (extent < bestExtent * 0.999) [best, bestExtent] = [deg, extent];
  }
  return best;
}

/** Renders points as depth-tested square/disc splats with an orthographic camera, shaded by eye-dome
 * lighting (darkening where a pixel lies behind its neighbours, so shapes read without normals).
 * Colour: the sample's RGB, or a height ramp (2nd–98th percentile of z) when it has none or it is
 * all black. Pure and deterministic: the same sample gives the same pixels. Returns RGBA. */
export function renderSplats(sample: PointSample, view: SplatView): Uint8Array {
  const { size } = view;
  const pixels = size * size;
  const out = new Uint8Array(pixels * 4);
  for (let p = 0; p < pixels; p++) out.set(view.background, 4 * p);
  const n = sample.count;
  if (n === 0 || !sample.bounds) return out;

  const b = sample.bounds;
  const cx = (b.min[0] + b.max[0]) / 2,
    cy = (b.min[1] + b.max[1]) / 2,
    cz = (b.min[2] + b.max[2]) / 2;
  const [sx, sy] = view.horizontalScale;
  const az = (view.azimuth * Math.PI) / 180,
    el = (view.elevation * Math.PI) / 180;
  const cosA = Math.cos(az),
    sinA = Math.sin(az),
    sinE = Math.sin(el),
    cosE = Math.cos(el);
  const u = new Float32Array(n),
    v = new Float32Array(n),
    depth = new Float32Array(n);
  let uMin = Infinity,
    uMax = -Infinity,
    vMin = Infinity,
    vMax = -Infinity,
    dMin = Infinity,
    dMax = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = (sample.x[i]! - cx) * sx,
      y = (sample.y[i]! - cy) * sy,
      z = sample.z[i]! - cz;
    const xr = x * cosA - y * sinA,
      yr = x * sinA + y * cosA;
    const ui = (u[i] = xr),
      vi = (v[i] = yr * sinE + z * cosE),
      di = (depth[i] = yr * cosE - z * sinE);
    if (ui < uMin) uMin = ui;
    if (ui > uMax) uMax = ui;
    if (vi < vMin) vMin = vi;
    if (vi > vMax) vMax = vi;
    if (di < dMin) dMin = di;
    if (di > dMax) dMax = di;
  }
  const extent = Math.max(uMax - uMin, vMax - vMin, 1e-12);
  const scale = (size * (1 - 2 * MARGIN)) / extent;
  const u0 = size / 2 - ((uMin + uMax) / 2) * scale,
    v0 = size / 2 + ((vMin + vMax) / 2) * scale;
  const radius = splatRadius(u, v, u0, v0, scale, size);
  const colors = pointColors(sample);

  const zbuf = new Float32Array(pixels).fill(Infinity);
  const rgb = new Uint8Array(pixels * 3);
  const disc: [number, number][] = [];
  for (let dy = -radius; dy <= radius; dy++) for (let dx = -radius; dx <= radius; dx++) if (dx * dx + dy * dy <= radius * radius + radius) disc.push([dx, dy]);
  for (let i = 0; i < n; i++) {
    const px = Math.floor(u0 + u[i]! * scale),
      py = Math.floor(v0 - v[i]! * scale),
      d = depth[i]!;
    for (const [dx, dy] of disc) {
      const qx = px + dx,
        qy = py + dy;
      if (qx < 0 || qy < 0 || qx >= size || qy >= size) continue;
      const q = qy * size + qx;
      if (d >= zbuf[q]!) continue;
      zbuf[q] = d;
      rgb[3 * q] = colors[3 * i]!;
      rgb[3 * q + 1] = colors[3 * i + 1]!;
      rgb[3 * q + 2] = colors[3 * i + 2]!;
    }
  }
  shade(zbuf, rgb, out, size, (dMax - dMin) * scale > 0 ? 1 / scale : 1);
  return out;
}

const COARSE = 32;

/** Splat radius in pixels from the points' mean spacing on screen: the area they cover (cells of a
 * coarse grid that hold any) shared among them; splats a little wider than the spacing close holes. */
function splatRadius(u: Float32Array, v: Float32Array, u0: number, v0: number, scale: number, size: number): number {
  const cells = new Uint8Array(COARSE * COARSE);
  const cell = size / COARSE;
  for (let i = 0; i < u.length; i++) {
    const cx = Math.min(COARSE - 1, Math.max(0, Math.floor((u0 + u[i]! * scale) / cell)));
    const cy = Math.min(COARSE - 1, Math.max(0, Math.floor((v0 - v[i]! * scale) / cell)));
    cells[cy * COARSE + cx] = 1;
  }
  let occupied = 0;
  for (const c of cells) occupied += c;
  const spacing = Math.sqrt((occupied * cell * cell) / u.length);
  return Math.max(0, Math.min(6, Math.round(spacing * 0.75 - 0.25)));
}

function pointColors(sample: PointSample): Uint8Array {
  const n = sample.count;
  if (sample.rgb && sample.rgb.some((c) => c > 0)) return sample.rgb;
  const out = new Uint8Array(n * 3);
  const sorted = Float64Array.from(sample.z).sort();
  const lo = sorted[Math.floor((n - 1) * 0.02)]!,
    hi = sorted[Math.floor((n - 1) * 0.98)]!;
  const span = hi - lo || 1;
  for (let i = 0; i < n; i++) rampColor((sample.z[i]! - lo) / span, out, 3 * i);
  return out;
}

const NEIGHBOURS: readonly [number, number][] = [
  [-2, 0],
  [2, 0],
  [0, -2],
  [0, 2],
  [-1, -1],
  [1, 1],
  [-1, 1],
  [1, -1],
];

/** Eye-dome lighting: each drawn pixel darkens by how far it lies behind its neighbours (depth in
 * pixel units, `unit` source units per pixel); an empty neighbour counts as far behind. */
function shade(zbuf: Float32Array, rgb: Uint8Array, out: Uint8Array, size: number, unit: number): void {
  const EDGE = 2; // pixels of depth an empty neighbour counts for
  const STRENGTH = 0.08;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const q = y * size + x;
      const d = zbuf[q]!;
      if (d === Infinity) continue;
      let response = 0;
      for (const [dx, dy] of NEIGHBOURS) {
        const nx = x + dx,
          ny = y + dy;
        const nd = nx < 0 || ny < 0 || nx >= size || ny >= size ? Infinity : zbuf[ny * size + nx]!;
        response += nd === Infinity ? EDGE : Math.max(0, (d - nd) / unit);
      }
      const f = Math.exp(-STRENGTH * response);
      out[4 * q] = Math.round(rgb[3 * q]! * f);
      out[4 * q + 1] = Math.round(rgb[3 * q + 1]! * f);
      out[4 * q + 2] = Math.round(rgb[3 * q + 2]! * f);
      out[4 * q + 3] = 255;
    }
  }
}
