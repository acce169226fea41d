/** WGS84 ellipsoid. */
const A = 6378137;
const F = 1 / 298.257223563;
const E2 = F * (2 - F);

/** Geodetic (degrees, metres above the ellipsoid) → ECEF metres, written to out[at..at+2]. */
export function geodeticToEcef(lonDeg: number, latDeg: number, h: number, out: Float64Array | number[], at = 0): void {
  const lon = (lonDeg * Math.PI) / 180,
    lat = (latDeg * Math.PI) / 180;
  const sinLat = Math.sin(lat),
    cosLat = Math.cos(lat);
  const n = A / Math.sqrt(1 - E2 * sinLat * sinLat);
  out[at] = (n + h) * cosLat * Math.cos(lon);
  out[at + 1] = (n + h) * cosLat * Math.sin(lon);
  out[at + 2] = (n * (1 - E2) + h) * sinLat;
}

/** ECEF → geodetic (degrees, metres), Bowring's iteration (sub-millimetre near the surface). */
export function ecefToGeodetic(x: number, y: number, z: number): { longitude: number; latitude: number; height: number } {
  const lon = Math.atan2(y, x);
  const p = Math.hypot(x, y);
  let lat = Math.atan2(z, p * (1 - E2));
  let h = 0;
  for (let i = 0; i < 6; i++) {
    const sinLat = Math.sin(lat);
    const n = A / Math.sqrt(1 - E2 * sinLat * sinLat);
    h = p / Math.cos(lat) - n;
    lat = Math.atan2(z, p * (1 - (E2 * n) / (n + h)));
  }
  return { longitude: (lon * 180) / Math.PI, latitude: (lat * 180) / Math.PI, height: h };
}

/** The east-north-up frame at a geodetic point: the column-major 4×4 that takes ENU metres to ECEF
 * (3D Tiles' `transform`). Columns: east, north, up, origin. */
export function enuToEcefMatrix(lonDeg: number, latDeg: number, h: number): number[] {
  const lon = (lonDeg * Math.PI) / 180,
    lat = (latDeg * Math.PI) / 180;
  const sl = Math.sin(lon),
    cl = Math.cos(lon),
    sp = Math.sin(lat),
    cp = Math.cos(lat);
  const o = [0, 0, 0];
  geodeticToEcef(lonDeg, latDeg, h, o);
  return [-sl, cl, 0, 0, -sp * cl, -sp * sl, cp, 0, cp * cl, cp * sl, sp, 0, o[0]!, o[1]!, o[2]!, 1];
}
