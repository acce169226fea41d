import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import type { ProgressMessage } from "../../src/contracts/progress-message.ts";
import type { ProgressBus } from "../../src/ports/progress-bus.port.ts";

export interface ProgressBusContractOptions {
  /** A fresh bus; `onError` must receive what a subscriber throws. */
  create(options: { onError: (error: unknown, channel: string) => void }): Promise<ProgressBus>;
}

const WAIT_MS = 2000;

/** Collects what a channel delivers; `next(n)` waits until n messages in total have arrived. */
function collector() {
  const got: ProgressMessage[] = [];
  let wake = () => {};
  return {
    got,
    fn: (m: ProgressMessage) => {
      got.push(m);
      wake();
    },
    async next(n: number): Promise<ProgressMessage[]> {
      const deadline = Date.now() + WAIT_MS;
      while (got.length < n) {
        if (Date.now() > deadline) assert.fail(`expected ${n} messages within ${WAIT_MS} ms, got ${got.length}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
      return got.slice(0, n);
    },
  };
}

export function progressMessage(taskId: string, percent: number, stage = "lod_generation"): ProgressMessage {
  return {
    task_id: taskId,
    tenant_id: "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9",
    file_id: "0a1b2c3d-4e5f-4607-8819-2a3b4c5d6e7f",
    status: "processing",
    progress: { percent, stage, stage_label: `LOD at ${percent}%`, items_done: percent * 1000, items_total: 100_000, items_unit: "points", stage_index: 2, stage_count: 3 },
    eta_seconds: 100 - percent,
    emitted_at: "2026-12-01T10:00:00.000Z",
    attempt: 1,
    error: null,
  };
}

/** The progress bus port's contract (STYLE.md §3); task ids are fresh per run, so a shared Redis is fine. */
export function testProgressBusContract(name: string, options: ProgressBusContractOptions): void {
  describe(`progress bus contract: ${name}`, () => {
    let bus: ProgressBus;
    const errors: unknown[] = [];
    before(async () => {
      bus = await options.create({ onError: (error) => errors.push(error) });
    });
    after(() => bus.close());

    const task = () => {
      const id = randomUUID();
      return { id, channel: `task:${id}:progress` };
    };

    test("a task that never reported has no last progress", async () => {
      assert.equal(await bus.last(randomUUID()), null);
    });

    test("last returns the latest message of that task only, as published", async () => {
      const a = task();
      const b = task();
      await bus.publish(a.channel, progressMessage(a.id, 10));
      await bus.publish(a.channel, progressMessage(a.id, 42, "upload"));
      await bus.publish(b.channel, progressMessage(b.id, 7));
      assert.deepEqual(await bus.last(a.id), progressMessage(a.id, 42, "upload"));
      assert.deepEqual(await bus.last(b.id), progressMessage(b.id, 7));
    });

    test("a subscriber gets its channel's messages in order, and no other channel's", async () => {
      const a = task();
      const b = task();
      const c = collector();
      const stop = await bus.subscribe(a.channel, c.fn);
      await bus.publish(b.channel, progressMessage(b.id, 99));
      for (const p of [1, 2, 3]) await bus.publish(a.channel, progressMessage(a.id, p));
      assert.deepEqual(
        (await c.next(3)).map((m) => m.progress.percent),
        [1, 2, 3],
      );
      assert.ok(c.got.every((m) => m.task_id === a.id));
      await stop();
    });

    test("every subscriber of a channel gets each message; unsubscribing one leaves the other", async () => {
      const a = task();
      const first = collector();
      const second = collector();
      const stopFirst = await bus.subscribe(a.channel, first.fn);
      const stopSecond = await bus.subscribe(a.channel, second.fn);
      await bus.publish(a.channel, progressMessage(a.id, 5));
      await first.next(1);
      await second.next(1);
      await stopFirst();
      await bus.publish(a.channel, progressMessage(a.id, 6));
      await second.next(2);
      // The second subscriber has seen 6, so the first would have by now too if still subscribed.
      assert.deepEqual(
        first.got.map((m) => m.progress.percent),
        [5],
      );
      await stopSecond();
    });

    test("a message that breaks the wire contract is refused and not stored", async () => {
      const a = task();
      await bus.publish(a.channel, progressMessage(a.id, 50));
      await assert.rejects(bus.publish(a.channel, progressMessage(a.id, 150)));
      assert.equal((await bus.last(a.id))?.progress.percent, 50);
    });

    test("a subscriber that throws is reported and does not stop delivery to others", async () => {
      const a = task();
      const good = collector();
      const stopBad = await bus.subscribe(a.channel, () => {
        throw new Error("page handler bug");
      });
      const stopGood = await bus.subscribe(a.channel, good.fn);
      const before = errors.length;
      await bus.publish(a.channel, progressMessage(a.id, 1));
      await bus.publish(a.channel, progressMessage(a.id, 2));
      assert.deepEqual(
        (await good.next(2)).map((m) => m.progress.percent),
        [1, 2],
      );
      assert.equal(errors.length - before, 2);
      await stopBad();
      await stopGood();
    });
  });
}
