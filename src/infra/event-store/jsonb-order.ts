/** A JSON value as PostgreSQL's jsonb gives it back: every object's keys reordered the way jsonb
 * stores them (shorter keys first, equal lengths by their UTF-8 bytes). The store answers readers
 * from events it has just written (shared-tail.ts) as well as from rows it reads; both must look
 * alike, down to what JSON.stringify prints, or a result message would change bytes between a live
 * run and a replay. Input: a value from JSON.parse (no duplicate keys, no undefined). */
export function inJsonbOrder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(inJsonbOrder);
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort(compareJsonbKeys)) out[key] = inJsonbOrder((value as Record<string, unknown>)[key]);
  return out;
}

const ASCII = /^[\x00-\x7f]*$/;

function compareJsonbKeys(a: string, b: string): number {
  // ASCII (nearly every key): a character is a byte, and code-unit order is byte order.
  if (ASCII.test(a) && ASCII.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  const x = utf8.encode(a);
  const y = utf8.encode(b);
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

const utf8 = new TextEncoder();
