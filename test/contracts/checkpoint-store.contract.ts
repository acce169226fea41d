import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { describe, test } from "node:test";
import type { CheckpointStore } from "../../src/ports/checkpoint-store.port.ts";
import type { Leadership } from "../../src/ports/leadership.port.ts";

/** Contract suites of the two ports projections run on (STYLE.md §3): CheckpointStore and
 * Leadership. Every adapter calls both with a factory. */

export type CheckpointStoreFactory = () => Promise<{
  checkpoints: CheckpointStore;
  /** A second handle on the same database, as after a restart. */
  reopen: () => Promise<CheckpointStore>;
  cleanup(): Promise<void>;
}>;

export function checkpointStoreContract(name: string, factory: CheckpointStoreFactory): void {
  const it = (title: string, body: (f: Awaited<ReturnType<CheckpointStoreFactory>>) => Promise<void>): void =>
    void test(title, async () => {
      const f = await factory();
      try {
        await body(f);
      } finally {
        await f.cleanup();
      }
    });

  describe(`checkpoint store contract: ${name}`, () => {
    it("a projection that never saved starts from the beginning (null)", async ({ checkpoints }) => {
      assert.equal(await checkpoints.load("projection:never"), null);
    });

    it("a saved position loads back exactly, beyond 2^53, per name, and survives a restart", async ({ checkpoints, reopen }) => {
      const big = 2n ** 60n + 7n;
      await checkpoints.save("projection:results", big);
      await checkpoints.save("projection:progress", 5n);
      await checkpoints.save("projection:progress", 9n);
      const again = await reopen();
      assert.equal(await again.load("projection:results"), big);
      assert.equal(await again.load("projection:progress"), 9n);
    });

    it("a checkpoint never moves backwards (a stale leader's late save is ignored)", async ({ checkpoints }) => {
      await checkpoints.save("projection:results", 100n);
      await checkpoints.save("projection:results", 40n);
      assert.equal(await checkpoints.load("projection:results"), 100n);
    });

    it("refuses a negative position or an empty name", async ({ checkpoints }) => {
      await assert.rejects(checkpoints.save("projection:results", -1n), RangeError);
      await assert.rejects(checkpoints.save("", 1n), RangeError);
      assert.equal(await checkpoints.load("projection:results"), null);
    });
  });
}

export interface LeadershipContenders {
  /** Two contenders for the same locks: two nodes on a server, two callers in one process. */
  a: Leadership;
  b: Leadership;
  /** How long b may take to start after a lets go, ms. */
  takeoverMs: number;
  /** Ends a's hold as a crash would (its connection dies); absent where a crash is the whole process. */
  killA?: () => Promise<void>;
  /** Closes a's store; absent where a and b share one store. */
  closeA?: () => Promise<void>;
  cleanup(): Promise<void>;
}

/** A fn that records when it runs and returns when its signal aborts. */
function holder(log: { active: number; maxActive: number }) {
  let entered = 0;
  let abortedWith: unknown = null;
  const fn = async (signal: AbortSignal) => {
    entered += 1;
    log.active += 1;
    log.maxActive = Math.max(log.maxActive, log.active);
    try {
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
      abortedWith = signal.reason;
    } finally {
      log.active -= 1;
    }
  };
  return {
    fn,
    get entered() {
      return entered;
    },
    get abortedWith() {
      return abortedWith;
    },
  };
}

async function until(what: string, ms: number, ok: () => boolean): Promise<number> {
  const start = Date.now();
  while (!ok()) {
    if (Date.now() - start > ms) assert.fail(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - start;
}

export function leadershipContract(name: string, factory: () => Promise<LeadershipContenders>): void {
  const it = (title: string, body: (c: LeadershipContenders) => Promise<void>, skip?: (c: LeadershipContenders) => boolean): void =>
    void test(title, async (t) => {
      const c = await factory();
      try {
        if (skip?.(c)) return t.skip("this adapter has no way to do that apart from ending the process");
        await body(c);
      } finally {
        await c.cleanup();
      }
    });

  /** a holds `lock`; b waits for it. Returns both holders and their controllers. */
  async function contend(c: LeadershipContenders, lock = `projection:${randomUUID()}`) {
    const log = { active: 0, maxActive: 0 };
    const [ha, hb] = [holder(log), holder(log)];
    const [sa, sb] = [new AbortController(), new AbortController()];
    const runA = c.a.run(lock, ha.fn, sa.signal);
    await until("a takes a free lock", c.takeoverMs, () => ha.entered === 1);
    const runB = c.b.run(lock, hb.fn, sb.signal);
    return { log, ha, hb, sa, sb, runA, runB };
  }

  describe(`leadership contract: ${name}`, () => {
    it("two contenders: only the holder runs; when it stops the other takes over", async (c) => {
      const { log, ha, hb, sa, sb, runA, runB } = await contend(c);
      await new Promise((r) => setTimeout(r, c.takeoverMs));
      assert.equal(hb.entered, 0, "b ran while a held the lock");
      sa.abort();
      await runA;
      await until("b takes over", c.takeoverMs, () => hb.entered === 1);
      assert.equal(log.maxActive, 1);
      assert.equal(ha.entered, 1);
      sb.abort();
      await runB;
    });

    it("different names do not contend", async (c) => {
      const log = { active: 0, maxActive: 0 };
      const [ha, hb] = [holder(log), holder(log)];
      const stop = new AbortController();
      const runs = [c.a.run("projection:progress", ha.fn, stop.signal), c.b.run("projection:results", hb.fn, stop.signal)];
      await until("both run", c.takeoverMs, () => ha.entered === 1 && hb.entered === 1);
      stop.abort();
      await Promise.all(runs);
    });

    it("a fn that throws makes run() reject with its error and frees the lock at once", async (c) => {
      const lock = `projection:${randomUUID()}`;
      const boom = new Error("projection bug");
      await assert.rejects(
        c.a.run(lock, () => Promise.reject(boom), new AbortController().signal),
        (e) => e === boom,
      );
      const hb = holder({ active: 0, maxActive: 0 });
      const sb = new AbortController();
      const runB = c.b.run(lock, hb.fn, sb.signal);
      await until("b takes the freed lock", c.takeoverMs, () => hb.entered === 1);
      sb.abort();
      await runB;
    });

    it("a contender still waiting returns when its signal aborts, without ever running", async (c) => {
      const { hb, sa, sb, runA, runB } = await contend(c);
      const start = Date.now();
      sb.abort();
      await runB;
      assert.ok(Date.now() - start < c.takeoverMs, `run() took ${Date.now() - start} ms to return`);
      assert.equal(hb.entered, 0);
      sa.abort();
      await runA;
    });

    it(
      "the holder's connection dies: its fn is aborted and the other takes over within the bound",
      async (c) => {
        const { log, ha, hb, sb, runB } = await contend(c);
        const start = Date.now();
        await c.killA!();
        await until("a's fn sees the loss", c.takeoverMs, () => ha.abortedWith !== null);
        await until("b takes over", c.takeoverMs, () => hb.entered === 1);
        console.log(`# takeover after a killed connection: ${Date.now() - start} ms`);
        assert.equal(ha.entered, 1, "a took its lock back before b: a node that lost its lock must back off");
        assert.equal(log.maxActive, 1);
        sb.abort();
        await runB;
      },
      (c) => c.killA === undefined,
    );

    it(
      "the holder's store closes: its run() ends and the other takes over",
      async (c) => {
        const { ha, hb, sb, runA, runB } = await contend(c);
        await c.closeA!();
        await runA;
        assert.notEqual(ha.abortedWith, null);
        await until("b takes over", c.takeoverMs, () => hb.entered === 1);
        sb.abort();
        await runB;
      },
      (c) => c.closeA === undefined,
    );
  });
}
