import type { StoredEvent } from "../../ports/event-store.port.ts";
import { emptyWindow, extendWindow, readWindow, type TailWindow, type WindowRead } from "./tail-window.ts";

export interface SharedTailOptions {
  /** Most recent events kept. Default: 2000. */
  capacity?: number;
  /** How long a fill answers for without a commit this process knows of: the longest a commit it
   * was never told about (another node's, LISTEN lost) stays unseen. Kept below the subscriptions'
   * poll interval, their polls always query. Default: 250. */
  maxAgeMs?: number;
  /** No other process writes the store (PGlite): then a window this process extends with its own
   * appends is as current as a fill, and `maxAgeMs` counts from the extension. Default: false. */
  onlyWriter?: boolean;
}

export const SHARED_TAIL_DEFAULTS = { capacity: 2000, maxAgeMs: 250, onlyWriter: false } as const;

export interface SharedTailDeps {
  /** The one query: every event with position > `after`, in position order, at most `limit`. */
  readAfter(after: bigint, limit: number): Promise<StoredEvent[]>;
  now(): number;
}

export interface SharedTail {
  /** The page a query would return, from memory; undefined when `read.after` is behind what the
   * tail holds (the caller queries the database itself). */
  read(read: WindowRead): Promise<StoredEvent[] | undefined>;
  /** A commit up to `position` happened (this process's append, or a notification's payload);
   * undefined: some commit, position unknown. */
  committed(position: bigint | undefined): void;
  /** This process appended `events` (one batch, as stored, in position order): a commit up to the
   * last, and rows the window takes without a query when they follow on from it. */
  appended(events: readonly StoredEvent[]): void;
}

interface Fill {
  window: TailWindow;
  /** Fills are numbered in the order they start. */
  seq: number;
  startedAt: number;
  /** The query returned fewer rows than it asked for: at its snapshot, `window.to` was the head. */
  complete: boolean;
}

/** One tail read for every in-process reader (issue 12): the subscriptions of all projections and
 * readAll({after}) callers wake on the same append, and instead of each running the same query for
 * the same new rows, one refill runs (concurrent callers share it) and all are answered from it.
 *
 * A caller is answered from the last fill when the answer cannot depend on rows after it (the page
 * is full), or when that fill is current for the caller: it started after the caller arrived, or it
 * already holds every commit this process knew of on arrival and is younger than `maxAgeMs`. So a
 * read after this process's own append sees it, and one after a notification sees what was
 * notified. */
export function createSharedTail(deps: SharedTailDeps, options: SharedTailOptions = {}): SharedTail {
  const capacity = options.capacity ?? SHARED_TAIL_DEFAULTS.capacity;
  const maxAgeMs = options.maxAgeMs ?? SHARED_TAIL_DEFAULTS.maxAgeMs;
  const onlyWriter = options.onlyWriter ?? SHARED_TAIL_DEFAULTS.onlyWriter;
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`tail capacity must be a positive integer, got ${capacity}`);
  let last: Fill | undefined;
  let fillsStarted = 0;
  /** Highest position this process knows committed. */
  let knownHead = 0n;
  /** Fills up to this number started before a commit at an unknown position. */
  let staleThrough = 0;
  let inFlight: Promise<void> | undefined;

  async function runFill(hint: bigint): Promise<void> {
    const seq = ++fillsStarted;
    const startedAt = deps.now();
    // Start afresh at the caller when it is ahead of a window still catching up: walking the window
    // forward page by page to it would cost more than the one query it needs.
    const base = last === undefined || (hint > last.window.to && !last.complete) ? emptyWindow(hint) : last.window;
    const rows = await deps.readAfter(base.to, capacity);
    last = { window: extendWindow(base, rows, capacity), seq, startedAt, complete: rows.length < capacity };
  }

  const fill = (hint: bigint): Promise<void> => (inFlight ??= runFill(hint).finally(() => (inFlight = undefined)));

  function committed(position: bigint | undefined): void {
    if (position === undefined) staleThrough = fillsStarted;
    else if (position > knownHead) knownHead = position;
  }

  return {
    committed,

    appended(events) {
      const first = events[0];
      if (first === undefined) return;
      committed(events.at(-1)!.position);
      // Positions commit in order (sql-append.ts): when the batch starts right after the window's
      // end, no row can appear between them, and the window is whole up to the batch's end, which
      // was the head when it committed. A fill in flight owns the window until it lands.
      if (last === undefined || inFlight !== undefined || first.position !== last.window.to + 1n) return;
      last = { window: extendWindow(last.window, events, capacity), seq: last.seq, startedAt: onlyWriter ? deps.now() : last.startedAt, complete: true };
    },

    async read(read) {
      if (read.maxCount === 0) return [];
      const arrival = { seq: fillsStarted, head: knownHead, staleThrough, at: deps.now() };
      const current = (f: Fill) => f.complete && (f.seq > arrival.seq || (f.seq > arrival.staleThrough && f.window.to >= arrival.head && arrival.at - f.startedAt <= maxAgeMs));
      // Ends: every fill after the first one awaited started after arrival; each either answers
      // (complete) or moves the window up by `capacity` until the caller falls behind it.
      for (;;) {
        if (last !== undefined) {
          if (read.after < last.window.from) return undefined;
          const page = readWindow(last.window, read);
          if (page.full || current(last)) return page.events;
        }
        await fill(read.after);
      }
    },
  };
}
