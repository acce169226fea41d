/** `npm run chaos` (full) / `npm run chaos -- --quick` (CI): the reliability suite of issue 16.
 * Needs RabbitMQ, Redis and PostgreSQL on 127.0.0.1 (scripts/ensure-services.sh) and restarts each
 * of them once: do not run it beside other tests. `--seed N` replays a run; `--no-restarts` skips
 * the server restarts (a shared machine). Exit code 1 on any violation, with the seed printed. */
import { parseArgs } from "node:util";
import { cpus, hostname } from "node:os";
import { runChaos, summaryLine } from "../test/chaos/run-chaos.ts";

const { values } = parseArgs({
  options: { quick: { type: "boolean", default: false }, seed: { type: "string" }, "no-restarts": { type: "boolean", default: false } },
});
// CI (--quick) uses a fixed seed so that a red run can be replayed as is; the full run draws one.
const seed = values.seed !== undefined ? Number(values.seed) : values.quick ? 16 : Math.floor(Math.random() * 2 ** 31);
process.stdout.write(`chaos: ${new Date().toISOString()} on ${hostname()} (${cpus().length} cores), seed ${seed}\n`);
const summary = await runChaos({
  quick: values.quick,
  seed,
  restarts: values["no-restarts"] ? [] : ["rabbitmq", "redis", "postgres"],
  log: (line) => process.stdout.write(`${line}\n`),
});
process.stdout.write(`${summaryLine(summary)}\n`);
if (summary.violations.length) {
  process.stdout.write(`chaos FAILED (seed ${seed}; replay with: npm run chaos -- ${values.quick ? "--quick " : ""}--seed ${seed}):\n  ${summary.violations.join("\n  ")}\n`);
  process.exit(1);
}
process.exit(0);
