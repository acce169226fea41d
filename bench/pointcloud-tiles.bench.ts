/**
 * The tileset stage alone: `writeTileset` over a generated octree, points per second.
 *   node bench/pointcloud-tiles.bench.ts [--quick] [--points N]
 * Generates an aerial-scan-like cloud in memory (rolling terrain, buildings, trees, noise, RGB,
 * classes; UTM 10N coordinates so the georeferenced path runs), splits it with the test octree
 * builder, then times the stage. Baseline in the same run: the same tiles' bytes written with no
 * encoding (`copy`), i.e. what reading nodes and writing files cost by themselves.
 * `measureTilesStage(octree, dir)` is exported for the point_cloud_lod bench.
 */
import { mkdtemp, rm, stat, writeFile, mkdir } from "node:fs/promises";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { emptyHeader, type PointChunk } from "../src/processors/point-cloud/point-chunk.ts";
import type { Octree } from "../src/processors/point-cloud-lod/octree/octree.ts";
import { nodeName } from "../src/processors/point-cloud-lod/octree/octree.ts";
import { writeTileset } from "../src/processors/point-cloud-lod/tiles/write-tileset.ts";
import { fakeOctree } from "../test/point-cloud-lod/tiles-fake-octree.ts";

export interface TilesStageFigures {
  points: number;
  tiles: number;
  seconds: number;
  pointsPerSecond: number;
  /** CPU seconds of this process during the stage: what the stage costs whatever else the machine runs. */
  cpuSeconds: number;
  bytes: number;
}

/** Runs the tileset stage on `octree` into `dir` and times it. */
export async function measureTilesStage(octree: Octree, dir: string, srsIn?: string): Promise<TilesStageFigures> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const result = await writeTileset(octree, dir, srsIn ? { srsIn } : {}, { signal: new AbortController().signal, progress: () => {} });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  let bytes = 0;
  for (const o of result.outputs) bytes += (await stat(join(dir, o.path))).size;
  return { points: octree.pointCount, tiles: result.outputs.length - 1, seconds, pointsPerSecond: octree.pointCount / seconds, cpuSeconds, bytes };
}

/** A deterministic aerial-scan-like cloud. */
export function aerialCloud(n: number, seed = 1): PointChunk {
  let s = seed >>> 0;
  const rnd = (): number => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const c: PointChunk = {
    count: n,
    x: new Float64Array(n),
    y: new Float64Array(n),
    z: new Float64Array(n),
    intensity: new Uint16Array(n),
    red: new Uint16Array(n),
    green: new Uint16Array(n),
    blue: new Uint16Array(n),
    classification: new Uint8Array(n),
  };
  const side = Math.sqrt(n) * 0.5; // ~4 points/m²
  for (let i = 0; i < n; i++) {
    const x = rnd() * side,
      y = rnd() * side;
    let z = 60 + 15 * Math.sin(x / 180) * Math.cos(y / 130) + 4 * Math.sin(x / 23 + y / 41);
    let cls = 2;
    const bx = Math.floor(x / 60),
      by = Math.floor(y / 60);
    const inBuilding = (bx * 7 + by * 13) % 5 === 0 && x % 60 > 15 && x % 60 < 45 && y % 60 > 20 && y % 60 < 50;
    if (inBuilding) {
      z += 8 + ((bx + by) % 4) * 3;
      cls = 6;
    } else if (rnd() < 0.15) {
      z += rnd() * 14;
      cls = 5;
    }
    z += (rnd() - 0.5) * 0.1;
    c.x[i] = 500000 + x;
    c.y[i] = 4880000 + y;
    c.z[i] = z;
    c.classification![i] = cls;
    c.intensity![i] = Math.floor(rnd() * 4000);
    const g = cls === 5 ? 40000 : cls === 6 ? 30000 : 35000;
    c.red![i] = Math.floor(g * 0.8 + rnd() * 8000);
    c.green![i] = Math.floor(g + rnd() * 8000);
    c.blue![i] = Math.floor(g * 0.7 + rnd() * 8000);
  }
  return c;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf("--points");
  const points = at >= 0 ? Number(args[at + 1]) : args.includes("--quick") ? 1_000_000 : 5_000_000;
  console.log(`# pointcloud-tiles — ${new Date().toISOString()} — ${cpus()[0]?.model ?? "cpu"} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
  const cloud = aerialCloud(points);
  const header = emptyHeader("las");
  header.attributes = { color: true, intensity: true, gpsTime: false, nir: false, classification: true };
  const t0 = performance.now();
  const octree = fakeOctree(header, cloud, { maxPerNode: 20_000, cells: 128 });
  console.log(`generated ${points.toLocaleString()} points, ${octree.nodes.length} nodes in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const dir = await mkdtemp(join(tmpdir(), "vs3d-tiles-bench-"));
  try {
    // Baseline: read every node and write its raw attribute bytes (no mapping, no encoding).
    const b0 = performance.now();
    const c0 = process.cpuUsage();
    await mkdir(join(dir, "copy"), { recursive: true });
    for (const node of octree.nodes) {
      const chunk = await octree.readNode(node.key);
      await writeFile(join(dir, "copy", `${nodeName(node.key)}.bin`), new Uint8Array(chunk.x.buffer));
    }
    const baseline = (performance.now() - b0) / 1000;
    const bc = process.cpuUsage(c0);
    const baselineCpu = (bc.user + bc.system) / 1e6;
    const georef = await measureTilesStage(octree, join(dir, "utm"), "EPSG:32610");
    const unplaced = await measureTilesStage(octree, join(dir, "local"));
    const row = (name: string, f: TilesStageFigures) =>
      `| ${name} | ${f.points.toLocaleString()} | ${f.tiles} | ${f.seconds.toFixed(2)} s | ${f.cpuSeconds.toFixed(2)} s | ${(f.pointsPerSecond / 1e6).toFixed(2)} M pts/s | ${(f.points / f.cpuSeconds / 1e6).toFixed(2)} M pts/s | ${(f.cpuSeconds / baselineCpu).toFixed(2)} | ${(f.pointsPerSecond / 0.8e6).toFixed(2)} | ${(f.bytes / f.points).toFixed(2)} B |`;
    console.log(
      `load average before the run: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(" ")}`,
    );
    console.log("| case | points | tiles | wall | CPU | throughput (wall) | per CPU-second | CPU vs copy baseline | wall vs 0.8 M pts/s target | bytes/point |");
    console.log("|---|---|---|---|---|---|---|---|---|---|");
    console.log(
      `| copy baseline (read nodes, write raw x) | ${points.toLocaleString()} | ${octree.nodes.length} | ${baseline.toFixed(2)} s | ${baselineCpu.toFixed(2)} s | ${(points / baseline / 1e6).toFixed(2)} M pts/s | ${(points / baselineCpu / 1e6).toFixed(2)} M pts/s | 1.00 | — | 8.00 B |`,
    );
    console.log(row("georeferenced (EPSG:32610 → ENU)", georef));
    console.log(row("unplaced (no CRS)", unplaced));
    console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (includes the in-memory cloud)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
