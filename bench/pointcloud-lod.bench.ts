/**
 * point_cloud_lod end to end: octree, three LAZ levels, 3D Tiles, preview and thumbnail.
 *   npm run bench -- pointcloud-lod [--quick] [--points N]
 * Generates (once, kept in the temp dir) an aerial-scan-like LAZ — rolling terrain, buildings,
 * vegetation, noise, RGB, intensity, classes, GPS time, random (not gridded) positions — with the
 * project's LAZ writer: 50 M points, 5 M with --quick. Then, each in its own child process:
 *   baseline: point_cloud_convert LAZ→LAS (laz-perf decode + LAS write), the same input;
 *   task:     every point_cloud_lod stage with the default params (laz + 3dtiles + thumbnails).
 * The parent samples the child's process tree RSS (/proc) and the work directory's size.
 */
import { readdir, readFile, rename, rm, stat, mkdir, mkdtemp } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { createLasSink } from "../src/processors/point-cloud/las/las-writer.ts";
import { emptyHeader, type PointChunk } from "../src/processors/point-cloud/point-chunk.ts";
import { pointCloudConvertProcessor } from "../src/processors/point-cloud/point-cloud-convert.processor.ts";
import { pointCloudLodProcessor } from "../src/processors/point-cloud-lod/point-cloud-lod.processor.ts";

const args = process.argv.slice(2);
/** Bytes of one LAS 1.2 format 3 record: the "uncompressed input" temp disk is measured against. */
const RECORD_BYTES = 34;

/** A deterministic aerial-like strip, chunk by chunk (~8 points/m²). */
async function generate(path: string, total: number): Promise<void> {
  const header = emptyHeader("las");
  header.scale = [0.01, 0.01, 0.01];
  header.offset = [500000, 4880000, 0];
  header.crs = { epsg: 32610 };
  header.attributes = { color: true, intensity: true, gpsTime: true, nir: false, classification: true };
  const sink = await createLasSink(path + ".partial", header, { version: "1.2", pointFormat: 3, compress: true });
  let s = 12345;
  const rnd = (): number => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const side = Math.sqrt(total / 8);
  const n = 500_000;
  for (let start = 0; start < total; start += n) {
    const count = Math.min(n, total - start);
    const c: PointChunk = {
      count,
      x: new Float64Array(count),
      y: new Float64Array(count),
      z: new Float64Array(count),
      intensity: new Uint16Array(count),
      red: new Uint16Array(count),
      green: new Uint16Array(count),
      blue: new Uint16Array(count),
      classification: new Uint8Array(count),
      returnNumber: new Uint8Array(count),
      numberOfReturns: new Uint8Array(count),
      gpsTime: new Float64Array(count),
    };
    for (let i = 0; i < count; i++) {
      // Flight lines: y advances with time, x is random across the swath.
      const k = start + i;
      const x = rnd() * side,
        y = (k / total) * side + (rnd() - 0.5) * 2;
      let z = 80 + 25 * Math.sin(x / 240) * Math.cos(y / 170) + 6 * Math.sin(x / 31 + y / 47);
      let cls = 2,
        returns = 1;
      const bx = Math.floor(x / 50),
        by = Math.floor(y / 50);
      const building = (bx * 7 + by * 11) % 6 === 0 && x % 50 > 12 && x % 50 < 40 && y % 50 > 15 && y % 50 < 42;
      if (building) {
        z += 9 + ((bx + by) % 5) * 3 + ((x % 50) - 26) * 0.15;
        cls = 6;
      } else if (rnd() < 0.2) {
        z += rnd() * 18;
        cls = 5;
        returns = 1 + Math.floor(rnd() * 3);
      } else if (rnd() < 0.002) {
        z += 40 + rnd() * 200;
        cls = 7;
      }
      c.x[i] = 500000 + x;
      c.y[i] = 4880000 + y;
      c.z[i] = z + (rnd() - 0.5) * 0.08;
      c.classification![i] = cls;
      c.numberOfReturns![i] = returns;
      c.returnNumber![i] = 1 + Math.floor(rnd() * returns);
      c.intensity![i] = Math.floor(rnd() * 3000) + (cls === 6 ? 2000 : 0);
      const g = cls === 5 ? [18000, 36000, 15000] : cls === 6 ? [42000, 30000, 28000] : [30000, 32000, 22000];
      c.red![i] = g[0]! + Math.floor(rnd() * 9000);
      c.green![i] = g[1]! + Math.floor(rnd() * 9000);
      c.blue![i] = g[2]! + Math.floor(rnd() * 9000);
      c.gpsTime![i] = 250000 + k * 2e-6;
    }
    await sink.write(c);
  }
  await sink.close();
  await rename(path + ".partial", path);
}

interface StageFigure {
  stage: string;
  seconds: number;
  cpuSeconds: number;
  points: number;
}

/** Child: runs a processor's stages on `input`; prints one JSON line per stage and a last one. */
async function child(kind: "lod" | "convert", input: string, dir: string): Promise<void> {
  const workDir = join(dir, "work"),
    outDir = join(dir, "out");
  await mkdir(workDir, { recursive: true });
  await mkdir(outDir, { recursive: true });
  const proc = kind === "lod" ? pointCloudLodProcessor : pointCloudConvertProcessor;
  const params = proc.params.parse(kind === "lod" ? {} : { output_format: "las" });
  const previous: Record<string, never[]> = {};
  for (const stage of (proc.stages as (p: unknown) => { name: string; run: (...a: unknown[]) => Promise<unknown> }[])(params)) {
    let points = 0;
    const t0 = performance.now(),
      cpu0 = process.cpuUsage();
    await stage.run(
      { filePath: input, workDir, outDir, params, source: { key: input, format: "laz" }, previous },
      { signal: new AbortController().signal, progress: (p: { done: number; total: number }) => (points = Math.max(points, p.total)), log: () => undefined },
    );
    const cpu = process.cpuUsage(cpu0);
    // cpuUsage counts every thread of the process: the index workers included.
    console.log(JSON.stringify({ stage: stage.name, seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, points } satisfies StageFigure));
  }
}

/** RSS of a process and its descendants, from /proc. */
async function treeRss(pid: number): Promise<number> {
  let total = 0;
  const visit = async (p: number): Promise<void> => {
    const status = await readFile(`/proc/${p}/status`, "utf8").catch(() => "");
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    if (m) total += Number(m[1]) * 1024;
    const tasks = await readdir(`/proc/${p}/task`).catch(() => [] as string[]);
    for (const t of tasks) {
      const kids = (await readFile(`/proc/${p}/task/${t}/children`, "utf8").catch(() => "")).trim();
      for (const k of kids ? kids.split(/\s+/) : []) await visit(Number(k));
    }
  };
  await visit(pid);
  return total;
}

async function duBytes(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const e of entries)
    if (e.isFile())
      total += await stat(join(e.parentPath, e.name)).then(
        (s) => s.size,
        () => 0,
      );
  return total;
}

async function measured(kind: "lod" | "convert", input: string, dir: string) {
  const t0 = performance.now();
  const run = execa(process.execPath, [import.meta.filename, "--child", kind, input, dir], { reject: false });
  let peakRss = 0,
    peakTemp = 0,
    busyRss = false,
    busyDisk = false;
  // RSS every 250 ms; the work directory (thousands of node files) every second, to stay cheap.
  const rssTimer = setInterval(() => {
    if (busyRss || run.pid === undefined) return;
    busyRss = true;
    void treeRss(run.pid).then((rss) => {
      peakRss = Math.max(peakRss, rss);
      busyRss = false;
    });
  }, 250);
  const diskTimer = setInterval(() => {
    if (busyDisk) return;
    busyDisk = true;
    void duBytes(join(dir, "work")).then((tmp) => {
      peakTemp = Math.max(peakTemp, tmp);
      busyDisk = false;
    });
  }, 1000);
  const result = await run;
  clearInterval(rssTimer);
  clearInterval(diskTimer);
  if (result.exitCode !== 0) throw new Error(`${kind} child failed:\n${result.stderr}`);
  const stages = result.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as StageFigure);
  return { stages, wall: (performance.now() - t0) / 1000, peakRss, peakTemp };
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const mpts = (p: number, s: number) => `${(p / s / 1e6).toFixed(2)} M pts/s`;

async function main(): Promise<void> {
  const pointsArg = args.indexOf("--points");
  const total = pointsArg >= 0 ? Number(args[pointsArg + 1]) : args.includes("--quick") ? 5_000_000 : 50_000_000;
  console.log(`point_cloud_lod bench — ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? "?"}, ${mib(totalmem())} RAM, Node ${process.version}`);
  const input = join(tmpdir(), `vs3d-pclod-bench-${total}.laz`);
  if (!(await stat(input).catch(() => null))) {
    const t = performance.now();
    await generate(input, total);
    console.log(`generated ${total.toLocaleString("en")} points → ${mib((await stat(input)).size)} LAZ in ${((performance.now() - t) / 1000).toFixed(1)} s (kept: ${input})`);
  } else console.log(`reusing ${input} (${mib((await stat(input)).size)})`);
  const uncompressed = total * RECORD_BYTES;
  const root = await mkdtemp(join(tmpdir(), "vs3d-pclod-bench-"));
  try {
    const base = await measured("convert", input, join(root, "convert"));
    const baseStage = base.stages.find((s) => s.stage === "convert")!;
    const baseRate = total / baseStage.seconds,
      baseCpuRate = total / baseStage.cpuSeconds;
    await rm(join(root, "convert"), { recursive: true, force: true });
    console.log(
      `baseline point_cloud_convert LAZ→LAS: ${base.wall.toFixed(1)} s wall, ${mpts(baseRate, 1)}, ${baseStage.cpuSeconds.toFixed(1)} CPU s (${mpts(baseCpuRate, 1)} per CPU-second), peak RSS ${mib(base.peakRss)}`,
    );
    const lod = await measured("lod", input, join(root, "lod"));
    console.log("| stage | wall s | CPU s | points | points/s (wall) | wall ratio to LAZ→LAS | points per CPU-second | CPU ratio to LAZ→LAS |");
    console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (const s of lod.stages) {
      const pts = s.stage === "read_header" ? total : s.points || total;
      const rate = pts / s.seconds;
      const cpuRate = pts / s.cpuSeconds;
      console.log(
        `| ${s.stage} | ${s.seconds.toFixed(2)} | ${s.cpuSeconds.toFixed(2)} | ${pts.toLocaleString("en")} | ${mpts(rate, 1)} | ${(rate / baseRate).toFixed(2)} | ${mpts(cpuRate, 1)} | ${(cpuRate / baseCpuRate).toFixed(2)} |`,
      );
    }
    const work = lod.stages.reduce((a, s) => a + s.seconds, 0),
      cpuTotal = lod.stages.reduce((a, s) => a + s.cpuSeconds, 0);
    console.log(
      `CPU: ${cpuTotal.toFixed(1)} s in all (${(cpuTotal / work).toFixed(2)} cores busy on average while the stages ran); load average ${(await readFile("/proc/loadavg", "utf8")).split(" ").slice(0, 3).join(" ")}`,
    );
    console.log(`whole task: ${lod.wall.toFixed(1)} s wall (${work.toFixed(1)} s in stages) = ${(total / lod.wall / baseRate).toFixed(2)} × the baseline's throughput; target ≤ 120 s at 50 M`);
    console.log(`peak RSS of the worker tree: ${mib(lod.peakRss)} (target ≤ 2048 MiB); baseline ${mib(base.peakRss)}`);
    console.log(`peak temp disk: ${mib(lod.peakTemp)} = ${(lod.peakTemp / uncompressed).toFixed(2)} × the uncompressed input (${mib(uncompressed)}; target < 3×)`);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (args[0] === "--child") await child(args[1] as "lod" | "convert", args[2]!, args[3]!);
else await main();
