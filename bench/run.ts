/** `npm run bench -- <name> [--quick]`: runs one benchmark script; each prints its figures and the
 * machine, and bench/RESULTS.md records them with the date. */
import { execa } from "execa";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const BENCHES: Record<string, string> = {
  scheduler: "scheduler/scheduler.bench.ts",
  pointcloud: "pointcloud.bench.ts",
  laz: "laz-encoder.bench.ts",
  copc: "copc.bench.ts",
  "event-store": "event-store.bench.ts",
  tools: "tools.bench.ts",
  "pointcloud-tiles": "pointcloud-tiles.bench.ts",
  "pointcloud-lod": "pointcloud-lod.bench.ts",
  mesh: "mesh.bench.ts",
  "store-outage": "store-outage.bench.ts",
  "task-start": "task-start.bench.ts",
  thumbnails: "thumbnails.bench.ts",
  "task-list": "task-list.bench.ts",
  "task-fold": "task-fold.bench.ts",
  chaos: "../scripts/chaos.ts",
};

const [name, ...rest] = process.argv.slice(2);
if (!name || !BENCHES[name]) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(BENCHES).join("|")}> [--quick]\n`);
  process.exit(2);
}
const result = await execa(process.execPath, [join(HERE, BENCHES[name]), ...rest], { stdio: "inherit", reject: false });
process.exit(result.exitCode ?? 1);
