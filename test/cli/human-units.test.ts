import assert from "node:assert/strict";
import { test } from "node:test";
import { humanBytes, humanDuration } from "../../src/cli/human-units.ts";

test("table sizes and durations read as a person says them", () => {
  assert.deepEqual([0, 999, 1024, 1536, 10 * 1024 ** 2, 1.5 * 1024 ** 3, 3 * 1024 ** 5].map(humanBytes), ["0 B", "999 B", "1.0 KiB", "1.5 KiB", "10 MiB", "1.5 GiB", "3072 TiB"]);
  assert.deepEqual([0.0123, 1.25, 42, 200, 3 * 3600 + 120, 2 * 86_400 + 5 * 3600].map(humanDuration), ["12 ms", "1.3 s", "42 s", "3 m 20 s", "3 h 2 m", "2 d 5 h"]);
});
