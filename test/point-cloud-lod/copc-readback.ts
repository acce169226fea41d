import assert from "node:assert/strict";
import { Copc, type Hierarchy } from "copc";
import type { PointChunk, Vec3 } from "../../src/processors/point-cloud/point-chunk.ts";

export type CopcNodes = Record<string, Hierarchy.Node>;

/** The whole hierarchy as the `copc` reader sees it, following every child page. */
export async function copcHierarchy(path: string): Promise<{ copc: Copc; nodes: CopcNodes; pages: number }> {
  const copc = await Copc.create(path);
  const nodes: CopcNodes = {};
  let pages = 0;
  const queue: Hierarchy.Page[] = [copc.info.rootHierarchyPage];
  while (queue.length > 0) {
    const page = queue.shift()!;
    pages++;
    const sub = await Copc.loadHierarchyPage(path, page);
    for (const [key, node] of Object.entries(sub.nodes)) {
      assert.equal(nodes[key], undefined, `node ${key} appears in two pages`);
      if (node) nodes[key] = node;
    }
    for (const p of Object.values(sub.pages)) if (p) queue.push(p);
  }
  return { copc, nodes, pages };
}

/** One node's points through `Copc.loadPointDataView`, as plain arrays. */
export async function copcNodePoints(path: string, copc: Copc, node: Hierarchy.Node): Promise<Record<string, number[]>> {
  const view = await Copc.loadPointDataView(path, copc, node);
  const out: Record<string, number[]> = {};
  for (const name of Object.keys(view.dimensions)) {
    const get = view.getter(name);
    out[name] = Array.from({ length: view.pointCount }, (_, i) => get(i));
  }
  return out;
}

/** Asserts that `got` (copc.js dimension arrays) holds `want`'s points in order: coordinates to
 * within half a quantum, every attribute the octree node had exactly. */
export function assertSameAsChunk(got: Record<string, number[]>, want: PointChunk, scale: Vec3, where: string): void {
  assert.equal(got.X?.length, want.count, `${where}: point count`);
  const close = (name: string, values: ArrayLike<number>, tol: number): void => {
    const g = got[name]!;
    for (let i = 0; i < want.count; i++) {
      if (!(Math.abs(g[i]! - values[i]!) <= tol)) assert.fail(`${where}: ${name}[${i}] is ${g[i]}, expected ${values[i]}`);
    }
  };
  close("X", want.x, scale[0] / 2 + 1e-9);
  close("Y", want.y, scale[1] / 2 + 1e-9);
  close("Z", want.z, scale[2] / 2 + 1e-9);
  if (want.intensity) close("Intensity", want.intensity, 0);
  if (want.classification) close("Classification", want.classification, 0);
  if (want.returnNumber) close("ReturnNumber", want.returnNumber, 0);
  if (want.numberOfReturns) close("NumberOfReturns", want.numberOfReturns, 0);
  if (want.gpsTime) close("GpsTime", want.gpsTime, 0);
  if (want.red) close("Red", want.red, 0);
  if (want.green) close("Green", want.green, 0);
  if (want.blue) close("Blue", want.blue, 0);
  if (want.nir) close("Infrared", want.nir, 0);
  if (want.las) {
    const bit = (b: number): number[] => Array.from(want.las!.flags, (f) => (f >> b) & 1);
    close("Synthetic", bit(0), 0);
    close("KeyPoint", bit(1), 0);
    close("Withheld", bit(2), 0);
    close("Overlap", bit(3), 0);
    close("ScanDirectionFlag", bit(4), 0);
    close("EdgeOfFlightLine", bit(5), 0);
    close("UserData", want.las.userData, 0);
    close("PointSourceId", want.las.pointSourceId, 0);
    close("ScanAngle", want.las.scanAngle, 0.0031);
  }
}
