import { z } from "zod";

/** Shared zod pieces for environment variables. Every value arrives as a string (or not at all), and
 * docker-compose and `.env` files often set a variable to "" to mean "unset", so "" counts as absent. */

const emptyAsUndefined = (value: unknown): unknown => (typeof value === "string" && value.trim() === "" ? undefined : value);

/** An optional string variable; "" is absent. */
export const optionalString = z.preprocess(emptyAsUndefined, z.string().trim().optional());

const TRUE_WORDS = new Set(["1", "true", "yes", "on"]);
const FALSE_WORDS = new Set(["0", "false", "no", "off"]);

/** A boolean variable: 1/0, true/false, yes/no, on/off (any case). Anything else is an error, because
 * a typo such as "ture" silently meaning false is how a service ends up talking to the wrong backend. */
export function booleanVar(defaultValue: boolean) {
  return z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .trim()
      .toLowerCase()
      .refine((v) => TRUE_WORDS.has(v) || FALSE_WORDS.has(v), "must be one of true/false, 1/0, yes/no, on/off")
      .transform((v) => TRUE_WORDS.has(v))
      .optional()
      .transform((v) => v ?? defaultValue),
  );
}

/** A whole number in [min, max]; "8080abc" and "1.5" are errors, not 8080 and 1. */
export function intVar(defaultValue: number, min: number, max: number) {
  return z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .trim()
      .regex(/^\d+$/, "must be a whole number")
      .transform(Number)
      .pipe(z.number().int().min(min).max(max))
      .optional()
      .transform((v) => v ?? defaultValue),
  );
}

/** A comma-separated list; blanks around items are dropped, an empty item (",,") is an error. */
export function listVar<T>(item: z.ZodType<T, string>, defaultValue: readonly T[]) {
  return z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .transform((v) => v.split(",").map((s) => s.trim()))
      .pipe(z.array(z.string().min(1, "must not contain empty items").pipe(item)))
      .optional()
      .transform((v) => v ?? [...defaultValue]),
  );
}

/** A URL whose scheme is one of `protocols` (without the colon). */
export function urlVar(protocols: readonly string[]) {
  return z.preprocess(
    emptyAsUndefined,
    z
      .string()
      .trim()
      .refine((v) => URL.canParse(v) && protocols.includes(new URL(v).protocol.replace(/:$/, "")), `must be a URL starting with ${protocols.map((p) => `${p}://`).join(" or ")}`)
      .optional(),
  );
}
