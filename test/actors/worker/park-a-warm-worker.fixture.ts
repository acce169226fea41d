/** Run by idle-worker-exit.test.ts: takes a warm worker, hands it back (it parks, a spare starts
 * beside it) and returns without draining the pool. The process should then end by itself. */
import { join } from "node:path";
import { startChildWorker } from "../../../src/actors/worker/child-worker.ts";
import { silentLogger } from "../../../src/infra/logger.ts";
import { REPO_ROOT } from "../../helpers/fixtures.ts";

const worker = await startChildWorker({
  signal: new AbortController().signal,
  logger: silentLogger(),
  extraProcessorModules: [join(REPO_ROOT, "test", "fixtures", "test-processors.ts")],
  taskType: "image_convert",
});
await worker.close();
// Give the spare time to be ready and parked too.
await new Promise((r) => setTimeout(r, 2000));
process.stdout.write(`parked ${worker.pid}\n`);
