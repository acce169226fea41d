/** Issue 16, defect 2: `/health/ready` said ready while the results projection failed at the same
 * event forever. A projection failing again and again at one place is now reported stuck. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { silentLogger } from "../../src/infra/logger.ts";
import { createInProcessLeadership } from "../../src/infra/event-store/in-process-leadership.ts";
import { createProjectionStats, isStuck, recordFailure } from "../../src/projections/projection-stats.ts";
import { superviseProjection } from "../../src/projections/supervise-projection.ts";
import { projectionsCheck } from "../../src/service/readiness.ts";
import type { StoredEvent } from "../../src/ports/event-store.port.ts";
import { asPromise } from "../../src/shared/as-promise.ts";

const event = (position: bigint) => ({ position, createdAt: new Date() }) as StoredEvent;

test("a projection that keeps failing after the same event is stuck (readiness not ok); handling past it clears that", async () => {
  const { stats, hooks } = createProjectionStats("projection:results");
  const stop = new AbortController();
  let runs = 0;
  const done = superviseProjection({
    name: stats.name,
    leadership: createInProcessLeadership(),
    stats,
    logger: silentLogger(),
    signal: stop.signal,
    nodeId: "n1",
    initialBackoffMs: 10,
    maxBackoffMs: 20,
    // Each run re-handles events 1 and 2 from its checkpoint, then fails on event 3.
    run: () =>
      asPromise(() => {
        runs += 1;
        hooks.handled(event(1n));
        hooks.handled(event(2n));
        throw new Error("bind refused");
      }),
  });
  while (runs < 4) await new Promise((r) => setTimeout(r, 5));
  stop.abort();
  await done;
  assert.ok(stats.failuresInARow >= 3, `failures in a row: ${stats.failuresInARow}`);
  assert.equal(isStuck(stats), true);
  const check = projectionsCheck([stats]);
  assert.equal(check.ok, false);
  assert.match(check.detail ?? "", /projection:results stuck after position 2/);

  hooks.handled(event(3n));
  assert.equal(isStuck(stats), false, "an event handled past the failure: moving again");
  assert.equal(projectionsCheck([stats]).ok, true);
});

test("failures at different places are restarts, not stuck; a run that has lasted is not stuck", () => {
  const { stats, hooks } = createProjectionStats("projection:progress");
  for (const p of [1n, 2n, 3n, 4n]) {
    hooks.handled(event(p));
    recordFailure(stats);
  }
  assert.equal(isStuck(stats), false);
  assert.equal(stats.failuresInARow, 1);
  for (let i = 0; i < 4; i++) recordFailure(stats);
  stats.runningSince = Date.now() - 60_000;
  assert.equal(isStuck(stats), false, "the current run has been healthy for a minute");
  stats.runningSince = Date.now();
  assert.equal(isStuck(stats), true);
});
