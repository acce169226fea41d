import { test } from "node:test";
import assert from "node:assert/strict";
import { warmPoolOptionsFromEnv } from "../../src/actors/worker/warm-pool.ts";

test("warm pool settings: an empty value in the environment (an .env line with nothing after =) is unset, not 0", () => {
  const defaults = warmPoolOptionsFromEnv({});
  const empty = warmPoolOptionsFromEnv({ VS3D_WARM_WORKERS: "", VS3D_WORKER_MAX_TASKS: " ", VS3D_WORKER_MAX_RSS_MB: "" });
  assert.deepEqual(empty, defaults);
  const set = warmPoolOptionsFromEnv({ VS3D_WARM_WORKERS: "3", VS3D_WORKER_MAX_TASKS: "5", VS3D_WORKER_MAX_RSS_MB: "256" });
  assert.equal(set.maxIdle, 3);
  assert.equal(set.maxTasks, 5);
  assert.equal(set.maxRssBytes, 256 * 2 ** 20);
});

test("warm pool settings: warm workers are on unless VS3D_WARM_WORKERS=0 turns them off; a number is a cap", () => {
  assert.equal(warmPoolOptionsFromEnv({}).maxIdle, 32);
  assert.equal(warmPoolOptionsFromEnv({ VS3D_WARM_WORKERS: "0" }).maxIdle, 0);
  assert.equal(warmPoolOptionsFromEnv({ VS3D_WARM_WORKERS: "4" }).maxIdle, 4);
});
