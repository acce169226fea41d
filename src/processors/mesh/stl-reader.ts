import { AppError } from "../../contracts/app-error.ts";
import type { RawMesh } from "./raw-mesh.ts";

/** Facet normals per corner (STL has no shared vertices; weld merges equal corners afterwards). */
function facetNormals(positions: Float32Array): Float32Array<ArrayBuffer> {
  const normals = new Float32Array(positions.length);
  for (let t = 0; t < positions.length; t += 9) {
    const ax = positions[t + 3]! - positions[t]!,
      ay = positions[t + 4]! - positions[t + 1]!,
      az = positions[t + 5]! - positions[t + 2]!;
    const bx = positions[t + 6]! - positions[t]!,
      by = positions[t + 7]! - positions[t + 1]!,
      bz = positions[t + 8]! - positions[t + 2]!;
    const n = [ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx];
    const len = Math.hypot(n[0]!, n[1]!, n[2]!);
    const unit = len > 0 ? n.map((v) => v / len + 0) : [0, 0, 1]; // + 0: no −0, so weld merges equal normals
    for (let c = 0; c < 3; c++) normals.set(unit, t + c * 3);
  }
  return normals;
}

const sequence = (n: number) => {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
};

/** Binary STL: 80-byte header (which may start with "solid"), uint32 count, 50 bytes per triangle. */
export function readBinaryStl(bytes: Uint8Array): RawMesh {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(80, true);
  if (bytes.length !== 84 + 50 * count) throw new AppError("INPUT_CORRUPT", `binary STL declares ${count} triangles but has ${bytes.length} bytes`);
  const positions = new Float32Array(count * 9);
  for (let t = 0; t < count; t++) {
    const base = 84 + t * 50 + 12; // skip the stored normal: often zero or wrong, recomputed below
    for (let k = 0; k < 9; k++) positions[t * 9 + k] = view.getFloat32(base + k * 4, true);
  }
  return { positions, normals: facetNormals(positions), indices: sequence(count * 3) };
}

/** ASCII STL: `vertex x y z` lines, three per facet. */
export function readAsciiStl(text: string): RawMesh {
  const values: number[] = [];
  const re = /vertex\s+(\S+)\s+(\S+)\s+(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) values.push(Number(m[1]), Number(m[2]), Number(m[3]));
  if (values.length % 9 !== 0) throw new AppError("INPUT_CORRUPT", "ASCII STL has a facet without three vertices");
  const positions = Float32Array.from(values);
  return { positions, normals: facetNormals(positions), indices: sequence(values.length / 3) };
}
