import { test } from "node:test";
import assert from "node:assert/strict";
import { definedOnly, withDefaults } from "../../src/shared/with-defaults.ts";

test("withDefaults: a set option wins, an absent or explicitly undefined one keeps the default", () => {
  const defaults = { attempts: 3, delayMs: 500, name: "x" };
  const options: { attempts?: number | undefined; delayMs?: number | undefined; extra?: string } = { attempts: 5, delayMs: undefined, extra: "e" };
  assert.deepEqual(withDefaults(defaults, options), { attempts: 5, delayMs: 500, name: "x", extra: "e" });
  assert.deepEqual(withDefaults(defaults, {}), defaults);
  assert.deepEqual(definedOnly({ a: 0, b: undefined, c: null, d: "" }), { a: 0, c: null, d: "" });
});
