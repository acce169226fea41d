/** Issue 16, defect 9: N tasks running while PostgreSQL is away for 2.4 s (a TCP proxy cut in front
 * of the server, this process's own). Baseline in the same run: appends not retried
 * (SHUTDOWN_GRACE_SECONDS=0, the old behaviour). Usage: npm run bench -- store-outage [--quick] */
import { readFile } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../src/config/config.ts";
import { TaskMessage } from "../src/contracts/task-message.ts";
import { silentLogger } from "../src/infra/logger.ts";
import { createService } from "../src/service/service.ts";
import { freshDatabase } from "../test/helpers/amqp.ts";
import { embeddedEnv, taskMessage } from "../test/helpers/embedded-env.ts";
import { createFifoSlotBroker } from "../test/helpers/fifo-slot-broker.ts";
import { hostPort, startTcpProxy } from "../test/helpers/tcp-proxy.ts";

const quick = process.argv.includes("--quick");
const TASKS = quick ? 5 : 15;
const OUTAGE_MS = 2400;

async function run(label: string, graceSeconds: number) {
  const db = await freshDatabase();
  const proxy = await startTcpProxy(hostPort(db.url));
  const sandbox = await embeddedEnv();
  await sandbox.put("in", "files/input.bin", "hello");
  const env = { ...sandbox.env, EVENT_STORE_URL: proxy.url(db.url), SHUTDOWN_GRACE_SECONDS: String(graceSeconds) };
  const service = await createService(loadConfig(env), silentLogger(), { workerMode: "inline", broker: createFifoSlotBroker({ maxConcurrent: TASKS }) }, env);
  const ledgers = Array.from({ length: TASKS }, (_, i) => join(sandbox.root, `ledger-${i}.txt`));
  const started = performance.now();
  try {
    const ids: string[] = [];
    for (const ledger of ledgers) {
      const msg = taskMessage({ params: { stages: 3, stage_ms: 2000, ledger } });
      await service.host.submit(TaskMessage.parse(msg));
      ids.push(msg.task_id as string);
    }
    await new Promise((r) => setTimeout(r, 1500));
    proxy.cut();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    proxy.restore();
    const deadline = Date.now() + 60_000;
    let states: string[] = [];
    for (;;) {
      states = await Promise.all(
        ids
          .map(async (id) => (await service.store.readStream(`task-${id}`)).map((e) => e.type))
          .map(async (p) => {
            const types = await p;
            return types.includes("TaskCompleted") ? "completed" : types.includes("TaskInterrupted") || types.includes("TaskFailed") ? "interrupted" : "running";
          }),
      );
      if (!states.includes("running") || Date.now() > deadline || (service.host.runningCount === 0 && Date.now() > deadline - 50_000)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const reruns = (await Promise.all(ledgers.map((l) => readFile(l, "utf8").catch(() => "")))).reduce((n, text) => n + Math.max(0, text.trim().split("\n").filter(Boolean).length - 3), 0);
    const completed = states.filter((s) => s === "completed").length;
    const notCompleted = TASKS - completed;
    console.log(`| ${label} | ${TASKS} | ${OUTAGE_MS / 1000} s | ${completed} | ${notCompleted} | ${reruns} | ${((performance.now() - started) / 1000).toFixed(1)} s |`);
    return { completed, notCompleted };
  } finally {
    await service.host.shutdown(2000);
    await service.close();
    await proxy.close();
    await db.drop();
  }
}

console.log(
  `# store-outage — ${new Date().toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${loadavg()[0]!.toFixed(1)}`,
);
console.log("| appends | tasks running | outage | completed without interruption | interrupted or stuck | stage re-runs | wall |");
console.log("|---|---|---|---|---|---|---|");
const base = await run("not retried (baseline, SHUTDOWN_GRACE_SECONDS=0)", 0);
const fixed = await run("retried with backoff up to 30 s", 30);
console.log(`completed through the outage: ${fixed.completed}/${TASKS} vs ${base.completed}/${TASKS} (baseline)`);
process.exit(0);
