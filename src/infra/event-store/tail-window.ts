import type { StoredEvent } from "../../ports/event-store.port.ts";

/** A contiguous run of the store's log as read from the database: every event with
 * `from < position <= to`, in position order. Contiguity is what makes answering from it safe:
 * positions become visible in commit order (see sql-append.ts), so no row can later appear at or
 * below `to`, and a page taken from the window is the page a query would have returned. */
export interface TailWindow {
  /** Exclusive. */
  readonly from: bigint;
  /** Inclusive: the last position read, or `from` when nothing was. */
  readonly to: bigint;
  readonly events: readonly StoredEvent[];
}

export interface WindowRead {
  /** Exclusive, at or after the window's `from`. */
  after: bigint;
  streamPrefix?: string | undefined;
  /** null: no limit. */
  maxCount: number | null;
}

export function emptyWindow(at: bigint): TailWindow {
  return { from: at, to: at, events: [] };
}

/** The window with `rows` (the query result for `position > window.to`) appended, keeping the
 * newest `capacity` events; dropping older ones moves `from` up to the last one dropped. */
export function extendWindow(window: TailWindow, rows: readonly StoredEvent[], capacity: number): TailWindow {
  let previous = window.to;
  for (const row of rows) {
    // Rows out of order or at/below the end would hand a reader an event twice or out of order.
    if (row.position <= previous) throw new Error(`tail window: position ${row.position} read after ${previous}`);
    previous = row.position;
  }
  const all = rows.length === 0 ? window.events : [...window.events, ...rows.map(freeze)];
  const drop = Math.max(0, all.length - capacity);
  return {
    from: drop === 0 ? window.from : all[drop - 1]!.position,
    to: previous,
    events: drop === 0 ? all : all.slice(drop),
  };
}

/** The events of the window after `after`, in the prefix, up to `maxCount`; `full` when the
 * limit was reached (so nothing beyond the window can change the answer). */
export function readWindow(window: TailWindow, read: WindowRead): { events: StoredEvent[]; full: boolean } {
  const { events } = window;
  // First index with position > after (binary search: readers are usually near the end).
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.position <= read.after) lo = mid + 1;
    else hi = mid;
  }
  const out: StoredEvent[] = [];
  const max = read.maxCount ?? Infinity;
  // Same test as the query's left(stream_id, length(prefix)) = prefix.
  for (let i = lo; i < events.length && out.length < max; i++) {
    const event = events[i]!;
    if (read.streamPrefix === undefined || event.streamId.startsWith(read.streamPrefix)) out.push(event);
  }
  return { events: out, full: out.length >= max };
}

/** Every reader gets the same object, so one that changed an event would change it for all the
 * others: frozen, such a bug throws where it is instead. */
function freeze(event: StoredEvent): StoredEvent {
  deepFreeze(event.data);
  deepFreeze(event.metadata);
  return Object.freeze(event);
}

function deepFreeze(value: unknown): void {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}
