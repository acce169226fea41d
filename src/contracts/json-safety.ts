import { z } from "zod";

/** Limits every message is held to at the intake boundary (AMQP, HTTP, CLI), before any schema. */
export const MESSAGE_LIMITS = {
  /** Largest message body, in bytes. A task message is a few KB; a list of 10 000 source keys fits.
   * Default: 4 MiB. */
  maxBytes: 4 << 20,
  /** Deepest nesting of objects and arrays, the message itself being level 1. Default: 32. */
  maxDepth: 32,
};

/** Where a JSON value breaks what PostgreSQL `jsonb` (and every consumer after it) can hold, or
 * `null` when it is safe: a NUL character (jsonb refuses `\u0000`), a lone UTF-16 surrogate (not
 * valid Unicode, refused by jsonb too), nesting deeper than `maxDepth`. Keys are checked like values.
 * Iterative, so a hostile depth cannot overflow the stack. */
export function jsonSafetyIssue(value: unknown, maxDepth: number = MESSAGE_LIMITS.maxDepth): string | null {
  const todo: { v: unknown; path: string; depth: number }[] = [{ v: value, path: "", depth: 1 }];
  while (todo.length > 0) {
    const { v, path, depth } = todo.pop()!;
    if (typeof v === "string") {
      const why = unsafeTextReason(v);
      if (why) return `${path || "(message)"}: ${why}`;
      continue;
    }
    if (typeof v !== "object" || v === null) continue;
    if (depth > maxDepth) return `${path || "(message)"}: nested deeper than ${maxDepth} levels`;
    if (Array.isArray(v)) {
      v.forEach((item, i) => todo.push({ v: item, path: `${path}[${i}]`, depth: depth + 1 }));
      continue;
    }
    for (const [key, item] of Object.entries(v)) {
      const shown = key.length > 40 ? `${JSON.stringify(key.slice(0, 40))}…` : JSON.stringify(key);
      const why = unsafeTextReason(key);
      if (why) return `${path ? `${path}.` : ""}key ${shown.replaceAll("\0", "\\u0000")}: ${why}`;
      todo.push({ v: item, path: path ? `${path}.${key}` : key, depth: depth + 1 });
    }
  }
  return null;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored, or null. */
export function unsafeTextReason(s: string): string | null {
  if (s.includes("\0")) return "contains a NUL character (\\u0000)";
  if (LONE_SURROGATE.test(s)) return "contains a lone UTF-16 surrogate (not valid Unicode)";
  return null;
}

/** A string that can be stored as jsonb: no NUL, no lone surrogate. */
export const SafeText = z.string().refine((s) => unsafeTextReason(s) === null, { message: "must not contain NUL or lone surrogates" });
