import assert from "node:assert/strict";
import { test } from "node:test";
import { emptyWindow, extendWindow, readWindow } from "../../src/infra/event-store/tail-window.ts";
import type { StoredEvent } from "../../src/ports/event-store.port.ts";

const event = (position: number, streamId = "task-1"): StoredEvent => ({
  id: `id-${position}`,
  type: "E",
  data: { position },
  metadata: { correlation_id: "c", causation_id: "c" },
  streamId,
  revision: 0,
  position: BigInt(position),
  createdAt: new Date(0),
});
const positions = (events: readonly StoredEvent[]) => events.map((e) => Number(e.position));

void test("a window keeps the newest events up to its capacity, and its start moves up to the last one dropped", () => {
  let window = extendWindow(emptyWindow(10n), [event(11), event(12), event(14)], 3);
  assert.deepEqual({ from: window.from, to: window.to, held: positions(window.events) }, { from: 10n, to: 14n, held: [11, 12, 14] });
  window = extendWindow(window, [event(15), event(16)], 3);
  assert.deepEqual({ from: window.from, to: window.to, held: positions(window.events) }, { from: 12n, to: 16n, held: [14, 15, 16] });
  // Nothing new: the end stays where the last read left it.
  assert.equal(extendWindow(window, [], 3).to, 16n);
});

void test("rows at or below the window's end, or out of order, are refused instead of served twice", () => {
  const window = extendWindow(emptyWindow(0n), [event(1), event(2)], 10);
  assert.throws(() => extendWindow(window, [event(2)], 10), /position 2 read after 2/);
  assert.throws(() => extendWindow(window, [event(4), event(3)], 10), /position 3 read after 4/);
});

void test("a page from the window is after the position, in the prefix, up to maxCount, and says when it is full", () => {
  const window = extendWindow(emptyWindow(0n), [event(1, "task-a"), event(2, "broker-1"), event(3, "task-b"), event(4, "taskXc"), event(5, "task-a")], 10);
  assert.deepEqual(positions(readWindow(window, { after: 1n, streamPrefix: "task-", maxCount: null }).events), [3, 5]);
  assert.deepEqual(readWindow(window, { after: 0n, streamPrefix: "task-", maxCount: 2 }).full, true);
  assert.deepEqual(positions(readWindow(window, { after: 0n, maxCount: 2 }).events), [1, 2]);
  assert.deepEqual(readWindow(window, { after: 3n, streamPrefix: "task-", maxCount: 2 }), { events: [window.events[4]], full: false });
  assert.deepEqual(readWindow(window, { after: 9n, maxCount: null }), { events: [], full: false });
});

void test("events in a window are frozen, nested data included", () => {
  const [held] = extendWindow(emptyWindow(0n), [event(1)], 10).events;
  assert.ok(held && Object.isFrozen(held) && Object.isFrozen(held.data) && Object.isFrozen(held.metadata));
});
