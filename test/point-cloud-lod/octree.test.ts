import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, statSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { buildOctree, buildOctreeAtomically, breadthFirst } from "../../src/processors/point-cloud-lod/octree/build-octree.ts";
import { nodeName, type Octree } from "../../src/processors/point-cloud-lod/octree/octree.ts";
import { nodeCube } from "../../src/processors/point-cloud-lod/octree/grid-sample.ts";
import { detectInputFormat, openPointCloud } from "../../src/processors/point-cloud/point-cloud-source.ts";
import { createLasSink } from "../../src/processors/point-cloud/las/las-writer.ts";
import { emptyHeader } from "../../src/processors/point-cloud/point-chunk.ts";
import { fixture } from "../helpers/fixtures.ts";
import { cleanupRuns, scratchDir } from "../helpers/run-stages.ts";
import { pointKeys, sourceKeys } from "./lod-test-utils.ts";

after(cleanupRuns);

const quiet = { signal: new AbortController().signal, progress: () => {} };
const opener = (path: string) => async () => openPointCloud(path, await detectInputFormat(path));
/** Small nodes and chunks, so even the small fixtures get chunks, merged upper levels and depth. */
const small = { maxLeafPoints: 150, maxChunkPoints: 3000 };

const inside = (v: number, lo: number, hi: number, eps: number) => v >= lo - eps && v <= hi + eps;

async function assertInvariants(tree: Octree, path: string): Promise<void> {
  // Breadth-first order, unique keys, no empty node.
  for (let i = 1; i < tree.nodes.length; i++) assert.ok(breadthFirst(tree.nodes[i - 1]!.key, tree.nodes[i]!.key) < 0, `node ${i} out of breadth-first order`);
  const byName = new Map(tree.nodes.map((n) => [nodeName(n.key), n]));
  const keys: string[] = [];
  let sum = 0;
  for (const node of tree.nodes) {
    assert.ok(node.pointCount > 0, `${nodeName(node.key)} is empty`);
    sum += node.pointCount;
    // Children lists: each child exists, is one level down inside this cube; subtree counts add up.
    let subtree = node.pointCount;
    for (const c of node.children) {
      const child = byName.get(nodeName(c));
      assert.ok(child, `child ${nodeName(c)} of ${nodeName(node.key)} is listed`);
      assert.equal(c.d, node.key.d + 1);
      assert.deepEqual([c.x >> 1, c.y >> 1, c.z >> 1], [node.key.x, node.key.y, node.key.z]);
      subtree += child.subtreePointCount;
    }
    assert.equal(node.subtreePointCount, subtree, `${nodeName(node.key)} subtree count`);
    if (node.key.d > 0) {
      const parent = byName.get(nodeName({ d: node.key.d - 1, x: node.key.x >> 1, y: node.key.y >> 1, z: node.key.z >> 1 }));
      assert.ok(
        parent?.children.some((c) => nodeName(c) === nodeName(node.key)),
        `${nodeName(node.key)} is its parent's child`,
      );
    }
    assert.deepEqual(node.cube, nodeCube(tree.cube, node.key));
    const pts = await tree.readNode(node.key);
    assert.equal(pts.count, node.pointCount);
    const eps = (tree.cube.max[0] - tree.cube.min[0]) * 1e-9;
    const min = [Infinity, Infinity, Infinity],
      max = [-Infinity, -Infinity, -Infinity];
    for (let i = 0; i < pts.count; i++) {
      const v = [pts.x[i]!, pts.y[i]!, pts.z[i]!];
      for (let a = 0; a < 3; a++) {
        assert.ok(inside(v[a]!, node.cube.min[a]!, node.cube.max[a]!, eps), `point ${i} of ${nodeName(node.key)} outside its cube on axis ${a}`);
        min[a] = Math.min(min[a]!, v[a]!);
        max[a] = Math.max(max[a]!, v[a]!);
      }
    }
    assert.deepEqual(node.bounds, { min, max }, `${nodeName(node.key)} bounds are tight`);
    for (const k of pointKeys(pts)) keys.push(k);
  }
  assert.equal(sum, tree.pointCount);
  assert.equal(tree.nodes[0]?.subtreePointCount, tree.pointCount);
  // Every input point in exactly one node, every attribute intact.
  assert.deepEqual(keys.sort(), await sourceKeys(await opener(path)()));
}

for (const name of ["laspy_autzen_trim.laz", "laspy_simple.las", "laspy_simple1_4.las", "laspy_extrabytes.las", "e57rs_bunnyFloat.e57", "derived_simple_xyzrgb_binary.ply", "derived_simple.xyz"]) {
  test(`octree of ${name}: every point in exactly one node, inside its cube and tight bounds, breadth-first, no empty node`, { timeout: 60_000 }, async () => {
    const path = fixture("pointcloud", name);
    const dir = join(await scratchDir(), "octree");
    const tree = await buildOctreeAtomically(opener(path), dir, { ...quiet, ...small });
    assert.ok(tree.nodes.length > 1, "the small limits split the cloud");
    await assertInvariants(tree, path);
    assert.deepEqual(await readdir(dir), ["nodes", "octree.json"], "staging and chunk files are gone");
  });
}

test("the octree is deterministic: two builds (1 and 2 threads) give identical bytes in every node", { timeout: 60_000 }, async () => {
  const path = fixture("pointcloud", "laspy_autzen_trim.laz");
  const root = await scratchDir();
  const a = await buildOctree(opener(path), join(root, "a"), { ...quiet, ...small, threads: 1 });
  const b = await buildOctree(opener(path), join(root, "b"), { ...quiet, ...small, threads: 2 });
  assert.deepEqual(a.nodes, b.nodes);
  assert.ok(a.nodes.length > 50);
  for (const n of a.nodes) {
    const [x, y] = await Promise.all(["a", "b"].map((d) => readFile(join(root, d, "nodes", `${nodeName(n.key)}.bin`))));
    assert.ok(x!.equals(y!), `node ${nodeName(n.key)} differs`);
  }
});

test("the upper levels hold an even sample: the root's points cover the whole extent", { timeout: 60_000 }, async () => {
  const path = fixture("pointcloud", "laspy_autzen_trim.laz");
  const tree = await buildOctree(opener(path), join(await scratchDir(), "o"), { ...quiet, maxLeafPoints: 2000, maxChunkPoints: 20_000 });
  const root = await tree.readNode(tree.nodes[0]!.key);
  // The root's sample spans (nearly) the cloud's x/y extent, and a 4×4 grid over it has no empty cell.
  const { min, max } = tree.bounds;
  const cells = new Set<number>();
  for (let i = 0; i < root.count; i++) {
    const cx = Math.min(3, Math.floor(((root.x[i]! - min[0]) / (max[0] - min[0])) * 4)),
      cy = Math.min(3, Math.floor(((root.y[i]! - min[1]) / (max[1] - min[1])) * 4));
    cells.add(cx * 4 + cy);
  }
  assert.equal(cells.size, 16);
  assert.ok(root.count < tree.pointCount / 2);
});

async function lasOf(path: string, points: (i: number) => [number, number, number], count: number): Promise<void> {
  const header = { ...emptyHeader("las"), scale: [0.01, 0.01, 0.01] as [number, number, number], offset: [0, 0, 0] as [number, number, number] };
  const sink = await createLasSink(path, header);
  for (let at = 0; at < count;) {
    const n = Math.min(100_000, count - at);
    const x = new Float64Array(n),
      y = new Float64Array(n),
      z = new Float64Array(n);
    for (let i = 0; i < n; i++) [x[i], y[i], z[i]] = points(at + i);
    await sink.write({ count: n, x, y, z });
    at += n;
  }
  await sink.close();
}

test("a million identical points (and a few others) end in a leaf at bounded depth", { timeout: 60_000 }, async () => {
  const root = await scratchDir();
  const path = join(root, "same.las");
  // 1 000 000 copies of one point, plus 1000 spread ones so the duplicates are not the whole cube.
  await lasOf(path, (i) => (i < 1_000_000 ? [12.34, 56.78, 9.1] : [(i % 100) * 3, Math.floor((i % 1000) / 100) * 20, 0]), 1_001_000);
  const started = Date.now();
  const tree = await buildOctree(opener(path), join(root, "o"), quiet);
  assert.ok(Date.now() - started < 45_000);
  assert.equal(tree.pointCount, 1_001_000);
  const depth = Math.max(...tree.nodes.map((n) => n.key.d));
  assert.ok(depth <= 20, `depth ${depth}`);
  const biggest = tree.nodes.reduce((a, b) => (b.pointCount > a.pointCount ? b : a));
  assert.ok(biggest.pointCount > 990_000, "the duplicates sit together in one leaf");
  assert.deepEqual(biggest.bounds.min, biggest.bounds.max);
  assert.equal(
    tree.nodes.reduce((n, x) => n + x.pointCount, 0),
    1_001_000,
  );
});

function dirBytes(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) total += statSync(join(e.parentPath, e.name), { throwIfNoEntry: false })?.size ?? 0;
  return total;
}

test("temporary disk stays under 3× the uncompressed input while building", { timeout: 60_000 }, async () => {
  const path = fixture("pointcloud", "laspy_autzen_trim.laz");
  const source = await openPointCloud(path, "las");
  await source.close();
  const uncompressed = source.header.pointCount! * 34; // LAS format 3 records
  const dir = join(await scratchDir(), "o");
  let peak = 0;
  await buildOctree(opener(path), dir, { signal: new AbortController().signal, maxChunkPoints: 20_000, progress: () => (peak = Math.max(peak, dirBytes(dir))) });
  peak = Math.max(peak, dirBytes(dir));
  assert.ok(peak > uncompressed, `measured ${peak} B`);
  assert.ok(peak < 3 * uncompressed, `peak ${peak} B ≥ 3 × ${uncompressed} B`);
});

test("a dense cluster is split into chunks a level of 128³ deeper: no chunk exceeds the limit, invariants hold", { timeout: 60_000 }, async () => {
  const root = await scratchDir();
  const path = join(root, "cluster.las");
  // 20 000 points over 1 km, 60 000 within a 2 m cube (one counting cell holds them all).
  let s = 7;
  const rnd = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  await lasOf(path, (i) => (i < 20_000 ? [rnd() * 1000, rnd() * 1000, rnd() * 50] : [500 + rnd() * 2, 500 + rnd() * 2, 20 + rnd() * 2]), 80_000);
  let chunks: readonly { key: { d: number }; points: number }[] = [];
  const tree = await buildOctreeAtomically(opener(path), join(root, "o"), { ...quiet, maxLeafPoints: 500, maxChunkPoints: 5000, onChunks: (c) => (chunks = c) });
  assert.ok(chunks.length > 10);
  assert.ok(
    chunks.every((c) => c.points <= 5000),
    `largest chunk ${Math.max(...chunks.map((c) => c.points))}`,
  );
  assert.ok(
    chunks.some((c) => c.key.d > 7),
    "the cluster was split below the counting grid",
  );
  await assertInvariants(tree, path);
});
