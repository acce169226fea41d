import type { Vec3 } from "../point-chunk.ts";
import type { E57Scan } from "./e57-xml.ts";

/** Rigid transform of a scan as a row-major 3×3 rotation + translation; undefined when identity. */
export interface Rigid {
  m: number[];
  t: Vec3;
}

export function poseMatrix(pose: E57Scan["pose"]): Rigid | undefined {
  if (!pose) return undefined;
  const [w, x, y, z] = pose.rotation;
  const n = Math.hypot(w, x, y, z) || 1;
  const [a, b, c, d] = [w / n, x / n, y / n, z / n];
  const m = [
    1 - 2 * (c * c + d * d),
    2 * (b * c - a * d),
    2 * (b * d + a * c),
    2 * (b * c + a * d),
    1 - 2 * (b * b + d * d),
    2 * (c * d - a * b),
    2 * (b * d - a * c),
    2 * (c * d + a * b),
    1 - 2 * (b * b + c * c),
  ];
  const identity = m.every((v, i) => Math.abs(v - (i % 4 === 0 ? 1 : 0)) < 1e-15) && pose.translation.every((v) => v === 0);
  return identity ? undefined : { m, t: pose.translation };
}

/** Spherical (range, azimuth, elevation; radians, ISO convention of E57) → Cartesian. */
export function sphericalToCartesian(r: number, az: number, el: number): Vec3 {
  const ce = Math.cos(el);
  return [r * ce * Math.cos(az), r * ce * Math.sin(az), r * Math.sin(el)];
}
