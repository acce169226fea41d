/** COPC writer throughput: a generated octree (no builder in the loop) written as COPC, against the
 * plain LAZ writer on the same node chunks (baseline, same run) and against generating the points.
 * Usage: npm run bench -- copc [--quick]   (full: 5 M points; --quick: 1 M) */
import { mkdtemp, rm, stat } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { createLasSink } from "../src/processors/point-cloud/las/las-writer.ts";
import { emptyHeader, type PointChunk, type PointCloudHeader, type Vec3 } from "../src/processors/point-cloud/point-chunk.ts";
import type { NodeKey, Octree, OctreeNode } from "../src/processors/point-cloud-lod/octree/octree.ts";
import { writeCopc } from "../src/processors/point-cloud-lod/copc/write-copc.ts";

const quick = process.argv.includes("--quick");
const TOTAL = quick ? 1_000_000 : 5_000_000;
const DEPTH = 4; // levels 0–4: 4 681 nodes, ~1 070 points each
const SIZE = 2048; // metres

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** An aerial-looking sample of a node's cube: rolling terrain, box buildings, vegetation noise, RGB
 * by height, classes, 1–3 returns, GPS time along flight lines. Deterministic per node. */
function nodePoints(key: NodeKey, count: number): PointChunk {
  const random = rng(key.d * 1_000_003 + key.x * 7919 + key.y * 104_729 + key.z * 15_485_863 + 1);
  const edge = SIZE / 2 ** key.d;
  const x = new Float64Array(count),
    y = new Float64Array(count),
    z = new Float64Array(count);
  const intensity = new Uint16Array(count),
    red = new Uint16Array(count),
    green = new Uint16Array(count),
    blue = new Uint16Array(count);
  const classification = new Uint8Array(count),
    returnNumber = new Uint8Array(count),
    numberOfReturns = new Uint8Array(count),
    gpsTime = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const px = 500_000 + (key.x + random()) * edge,
      py = 4_000_000 + (key.y + random()) * edge;
    const ground = 100 + 20 * Math.sin(px / 150) * Math.cos(py / 210);
    const building = (Math.floor(px / 60) + Math.floor(py / 60)) % 7 === 0;
    const veg = !building && random() < 0.3;
    x[i] = Math.round(px * 100) / 100;
    y[i] = Math.round(py * 100) / 100;
    z[i] = Math.round((ground + (building ? 12 : veg ? random() * 15 : random() * 0.2)) * 100) / 100;
    classification[i] = building ? 6 : veg ? 5 : 2;
    numberOfReturns[i] = veg ? 3 : 1;
    returnNumber[i] = veg ? 1 + Math.floor(random() * 3) : 1;
    intensity[i] = Math.floor(random() * 4000);
    const shade = Math.min(65535, Math.floor(((z[i]! - 80) / 60) * 65535));
    red[i] = building ? 40_000 : shade >> 1;
    green[i] = veg ? 50_000 : shade;
    blue[i] = building ? 38_000 : shade >> 2;
    gpsTime[i] = 300_000 + py / 50 + i * 1e-5;
  }
  return { count, x, y, z, intensity, red, green, blue, classification, returnNumber, numberOfReturns, gpsTime };
}

function syntheticOctree(): Octree {
  const keys: NodeKey[] = [];
  for (let d = 0; d <= DEPTH; d++) for (let zc = 0; zc < 2 ** d; zc++) for (let yc = 0; yc < 2 ** d; yc++) for (let xc = 0; xc < 2 ** d; xc++) keys.push({ d, x: xc, y: yc, z: zc });
  const per = Math.floor(TOTAL / keys.length);
  const counts = keys.map((_, i) => per + (i < TOTAL - per * keys.length ? 1 : 0));
  const min: Vec3 = [500_000, 4_000_000, 0];
  const cube = { min, max: [min[0] + SIZE, min[1] + SIZE, SIZE] as Vec3 };
  const nodes: OctreeNode[] = keys.map((key, i) => {
    const edge = SIZE / 2 ** key.d;
    const nmin = [min[0] + key.x * edge, min[1] + key.y * edge, key.z * edge] as Vec3;
    const c = { min: nmin, max: nmin.map((v) => v + edge) as Vec3 };
    return { key, cube: c, bounds: c, pointCount: counts[i]!, subtreePointCount: counts[i]!, spacing: edge / 128, children: [] };
  });
  const header: PointCloudHeader = {
    ...emptyHeader("las"),
    pointCount: TOTAL,
    scale: [0.01, 0.01, 0.01],
    offset: [500_000, 4_000_000, 0],
    attributes: { color: true, intensity: true, gpsTime: true, nir: false, classification: true },
    las: { version: "1.2", pointFormat: 3, globalEncoding: 1, fileSourceId: 0, systemIdentifier: "bench" },
  };
  header.bounds = cube;
  const byName = new Map(nodes.map((n) => [`${n.key.d}-${n.key.x}-${n.key.y}-${n.key.z}`, n]));
  return {
    header,
    pointCount: TOTAL,
    bounds: cube,
    cube,
    nodes,
    readNode: (key) => Promise.resolve(nodePoints(key, byName.get(`${key.d}-${key.x}-${key.y}-${key.z}`)!.pointCount)),
  };
}

let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
const dir = await mkdtemp(join(tmpdir(), "vs3d-copc-bench-"));
const octree = syntheticOctree();
const fmt = (pps: number): string => `${(pps / 1e6).toFixed(2)} M pts/s`;
try {
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}; ${new Date().toISOString()}`);
  console.log(`octree: ${TOTAL.toLocaleString("en")} points in ${octree.nodes.length} nodes (levels 0–${DEPTH})`);
  let t = performance.now();
  for (const n of octree.nodes) await octree.readNode(n.key);
  const gen = (performance.now() - t) / 1000;

  t = performance.now();
  const sink = await createLasSink(join(dir, "baseline.laz"), octree.header, { version: "1.4", pointFormat: 7, compress: true });
  for (const n of octree.nodes) await sink.write(await octree.readNode(n.key));
  await sink.close();
  const laz = (performance.now() - t) / 1000;

  t = performance.now();
  const path = join(dir, "bench.copc.laz");
  await writeCopc(octree, path, { signal: new AbortController().signal, progress: () => undefined });
  const copc = (performance.now() - t) / 1000;
  const bytes = (await stat(path)).size,
    lazBytes = (await stat(join(dir, "baseline.laz"))).size;
  console.log(`generating the points (in both runs below): ${gen.toFixed(2)} s`);
  console.log(`LAZ 1.4 format 7 writer, 50 000-point chunks (baseline): ${laz.toFixed(2)} s, ${fmt(TOTAL / laz)}, ${lazBytes.toLocaleString("en")} B`);
  console.log(
    `COPC writer, one chunk per node: ${copc.toFixed(2)} s, ${fmt(TOTAL / copc)} (${(laz / copc).toFixed(2)} × the baseline), ${bytes.toLocaleString("en")} B (${(bytes / lazBytes).toFixed(3)} × the baseline's size)`,
  );
  console.log(`COPC writer without point generation: ${fmt(TOTAL / (copc - gen))}`);
  console.log(`peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`);
} finally {
  clearInterval(sampler);
  await rm(dir, { recursive: true, force: true });
}
