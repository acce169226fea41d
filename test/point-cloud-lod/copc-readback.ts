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

/** One point per row, every attribute the octree node had, coordinates as the integers the file
 * stores: `want`'s rows are quantised with the file's scale/offset, `got`'s are recovered from
 * copc.js's scaled values. */
function rows(count: number, columns: (readonly [string, (i: number) => number])[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(columns.map(([, f]) => f(i)).join(" "));
  return out.sort();
}

/** Asserts that `got` (copc.js dimension arrays of one node) holds exactly `want`'s points, in any
 * order (the writer orders a node's points to compress best): every attribute equal, coordinates to
 * the file's quantum. */
export function assertSameAsChunk(got: Record<string, number[]>, want: PointChunk, file: { scale: Vec3 | number[]; offset: Vec3 | number[] }, where: string): void {
  assert.equal(got.X?.length, want.count, `${where}: point count`);
  const q =
    (a: number) =>
    (v: number): number =>
      Math.round((v - file.offset[a]!) / file.scale[a]!);
  const g = (name: string, f: (v: number) => number = (v) => v): readonly [string, (i: number) => number] => {
    const column = got[name];
    assert.ok(column, `${where}: copc.js has no ${name}`);
    return [name, (i) => f(column[i]!)];
  };
  const w = (name: string, values: ArrayLike<number>, f: (v: number) => number = (v) => v): readonly [string, (i: number) => number] => [name, (i) => f(values[i]!)];
  const gotCols = [g("X", q(0)), g("Y", q(1)), g("Z", q(2))];
  const wantCols = [w("X", want.x, q(0)), w("Y", want.y, q(1)), w("Z", want.z, q(2))];
  const both = (name: string, values: ArrayLike<number> | undefined, f?: (v: number) => number): void => {
    if (!values) return;
    gotCols.push(g(name, f));
    wantCols.push(w(name, values, f));
  };
  both("Intensity", want.intensity);
  both("Classification", want.classification);
  both("ReturnNumber", want.returnNumber);
  both("NumberOfReturns", want.numberOfReturns);
  both("GpsTime", want.gpsTime);
  both("Red", want.red);
  both("Green", want.green);
  both("Blue", want.blue);
  both("Infrared", want.nir);
  if (want.las) {
    const flags = want.las.flags;
    ["Synthetic", "KeyPoint", "Withheld", "Overlap", "ScanDirectionFlag", "EdgeOfFlightLine"].forEach((name, bit) =>
      both(
        name,
        Array.from(flags, (f) => (f >> bit) & 1),
      ),
    );
    both("UserData", want.las.userData);
    both("PointSourceId", want.las.pointSourceId);
    both("ScanAngle", want.las.scanAngle, (v) => Math.round(v / 0.006));
  }
  const [a, b] = [rows(want.count, gotCols), rows(want.count, wantCols)];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) assert.fail(`${where}: point rows differ (${gotCols.map(([n]) => n).join(" ")}):\n got  ${a[i]}\n want ${b[i]}`);
}
