/**
 * Point cloud conversion throughput and peak memory.
 *   node bench/pointcloud.bench.ts [--quick] [--points N]
 * Generates a synthetic LAS 1.2 format 3 file (10 M points, 1 M with --quick) in a temp dir, then runs
 * each conversion in its own child process (so peak RSS is per case) through the real processor.
 */
import { mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { createLasSink } from "../src/processors/point-cloud/las/las-writer.ts";
import { emptyHeader, type PointChunk } from "../src/processors/point-cloud/point-chunk.ts";
import { pointCloudConvertProcessor } from "../src/processors/point-cloud/point-cloud-convert.processor.ts";

const args = process.argv.slice(2);

async function generate(path: string, total: number): Promise<void> {
  const header = emptyHeader("las");
  header.scale = [0.01, 0.01, 0.01];
  header.offset = [500000, 4000000, 0];
  header.attributes = { color: true, intensity: true, gpsTime: true, nir: false, classification: true };
  const sink = await createLasSink(path, header, { version: "1.2", pointFormat: 3 });
  const side = Math.ceil(Math.sqrt(total));
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
      const k = start + i,
        gx = k % side,
        gy = Math.floor(k / side);
      // Scan-line order over smooth terrain, like an airborne strip.
      c.x[i] = 500000 + gx * 0.5 + Math.sin(k) * 0.1;
      c.y[i] = 4000000 + gy * 0.5;
      c.z[i] = 100 + 20 * Math.sin(gx / 300) * Math.cos(gy / 200) + ((k * 7919) % 100) / 100;
      c.intensity![i] = 200 + ((k * 31) % 800);
      c.red![i] = 30000 + ((gx * 13) % 20000);
      c.green![i] = 25000 + ((gy * 17) % 20000);
      c.blue![i] = 20000 + ((k * 7) % 10000);
      c.classification![i] = k % 10 === 0 ? 5 : 2;
      c.numberOfReturns![i] = 1 + (k % 3);
      c.returnNumber![i] = 1 + (k % c.numberOfReturns![i]!);
      c.gpsTime![i] = 300000 + k * 1e-5;
    }
    await sink.write(c);
  }
  await sink.close();
}

/** Child: one conversion through the processor's stages; prints JSON. */
async function child(input: string, outDir: string, format: "las" | "laz"): Promise<void> {
  const params = pointCloudConvertProcessor.params.parse({ output_format: format });
  await mkdir(outDir, { recursive: true });
  let points = 0;
  const t0 = performance.now();
  for (const stage of pointCloudConvertProcessor.stages(params)) {
    await stage.run(
      { filePath: input, workDir: outDir, outDir, params, source: { key: input }, previous: {} },
      { signal: new AbortController().signal, progress: (p) => (points = p.done), log: () => undefined },
    );
  }
  const seconds = (performance.now() - t0) / 1000;
  const out = join(outDir, `points.${format}`);
  console.log(JSON.stringify({ points, seconds, bytesOut: (await stat(out)).size, maxRssMB: process.resourceUsage().maxRSS / 1024 }));
}

async function main(): Promise<void> {
  const pointsArg = args.indexOf("--points");
  const total = pointsArg >= 0 ? Number(args[pointsArg + 1]) : args.includes("--quick") ? 1_000_000 : 10_000_000;
  const dir = await mkdtemp(join(tmpdir(), "vs3d-pc-bench-"));
  try {
    const src = join(dir, "synthetic.las");
    let t = performance.now();
    await generate(src, total);
    console.log(`generated ${total.toLocaleString("en")} points, ${((await stat(src)).size / 2 ** 20).toFixed(0)} MiB LAS in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const cases: [string, string, "las" | "laz"][] = [
      ["LAS→LAS", src, "las"],
      ["LAS→LAZ", src, "laz"],
    ];
    const results: Record<string, { points: number; seconds: number; bytesOut: number; maxRssMB: number }> = {};
    for (const [name, input, format] of [...cases, ["LAZ→LAS", join(dir, "LAS→LAZ", "points.laz"), "las"] as [string, string, "las"]]) {
      t = performance.now();
      const { stdout } = await execa(process.execPath, [import.meta.filename, "--child", input, join(dir, name), format]);
      const r = JSON.parse(stdout.trim().split("\n").at(-1)!) as (typeof results)[string];
      results[name] = r;
      console.log(
        `${name.padEnd(8)} ${r.points.toLocaleString("en")} pts  ${r.seconds.toFixed(2)} s  ${Math.round(r.points / r.seconds).toLocaleString("en")} pts/s  out ${(r.bytesOut / 2 ** 20).toFixed(1)} MiB  peak RSS ${r.maxRssMB.toFixed(0)} MiB`,
      );
      if (name === "LAS→LAZ") await rm(join(dir, "LAS→LAS"), { recursive: true, force: true });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (args[0] === "--child") await child(args[1]!, args[2]!, args[3] as "las" | "laz");
else await main();
