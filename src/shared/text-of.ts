/** A value of unknown type as text for a log line or a view: a string as it is, another primitive
 * through String, an object as JSON (never "[object Object]", which tells a reader nothing). */
export function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint" || typeof value === "symbol" || value == null) return String(value);
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return Object.prototype.toString.call(value);
  }
}
