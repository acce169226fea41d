/**
 * What a real thumbnail child costs: a fresh Node process loads sharp (libvips), makes the default
 * 256 px WebP of a 24 Mpx JPEG fixture and exits — the work of an `image_thumbnail` task without the
 * service's tsx worker start-up. Sets the bench's thumbnail profile and the broker's minimum CPU ask.
 *   npx tsx bench/scheduler/thumbnail-cost.ts [runs]
 * Last line: thumbnail_cpu_s=<mean CPU seconds, whole process> wall_s=<mean> work_cpu_s=<resize+encode only> peak_rss_mib=<max>
 */
import { execa } from "execa";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture } from "../../test/helpers/fixtures.ts";

// Plain JS for `node -e`; resolves sharp from this checkout's node_modules via the cwd.
const CHILD = String.raw`
const sharp = require("sharp");
const [input, out] = process.argv.slice(1);
const c0 = process.cpuUsage();
sharp(input).rotate().resize(256, 256, { fit: "inside" }).webp().toFile(out).then(() => {
  const work = process.cpuUsage(c0);
  const all = process.cpuUsage();
  process.stdout.write(JSON.stringify({ workCpuMs: (work.user + work.system) / 1000, cpuMs: (all.user + all.system) / 1000, rss: process.memoryUsage().rss }));
});
`;

const runs = Number(process.argv[2] ?? 10);
const input = fixture("images", "recurser_Landscape_3.jpg");
const dir = mkdtempSync(join(tmpdir(), "thumb-cost-"));
const rows: Array<{ cpuMs: number; workCpuMs: number; wallMs: number; rss: number }> = [];
try {
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const { stdout } = await execa(process.execPath, ["-e", CHILD, input, join(dir, `${i}.webp`)], { cwd: process.cwd() });
    rows.push({ ...(JSON.parse(stdout) as { cpuMs: number; workCpuMs: number; rss: number }), wallMs: performance.now() - t0 });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const mean = (k: "cpuMs" | "workCpuMs" | "wallMs") => rows.reduce((s, r) => s + r[k], 0) / rows.length / 1000;
const sorted = rows.map((r) => r.cpuMs / 1000).sort((a, b) => a - b);
console.log(`runs=${runs} cpu_s min=${sorted[0]?.toFixed(3)} max=${sorted.at(-1)?.toFixed(3)}`);
console.log(
  `thumbnail_cpu_s=${mean("cpuMs").toFixed(3)} wall_s=${mean("wallMs").toFixed(3)} work_cpu_s=${mean("workCpuMs").toFixed(3)} ` +
    `peak_rss_mib=${(Math.max(...rows.map((r) => r.rss)) / 1024 ** 2).toFixed(0)}`,
);
