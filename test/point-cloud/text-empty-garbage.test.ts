import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { AppError } from "../../src/contracts/app-error.ts";
import { TEXT_TOLERANCE } from "../../src/processors/point-cloud/text/text-source.ts";
import { pc, runConvert, withTempDir } from "./pc-test-utils.ts";

async function convert(name: string, text: string) {
  return withTempDir(async (dir) => {
    const file = join(dir, name);
    await writeFile(file, text);
    return runConvert(dir, file, { output_format: "las" }).then(
      (r) => ({ ok: true as const, r }),
      (e: unknown) => ({ ok: false as const, e }),
    );
  });
}

function code(outcome: { ok: boolean; e?: unknown }): string {
  if (outcome.ok) return "completed";
  assert.ok(outcome.e instanceof AppError, String(outcome.e));
  return outcome.e.code;
}

test("defect 8: an empty .xyz (or one of only comments and blank lines) is INPUT_EMPTY, not a 0-point success", async () => {
  assert.equal(code(await convert("empty.xyz", "")), "INPUT_EMPTY");
  assert.equal(code(await convert("comments.xyz", "# nothing here\n\n// still nothing\n")), "INPUT_EMPTY");
  assert.equal(code(await convert("header-only.pts", "0\n")), "INPUT_EMPTY");
});

test("defect 8: a garbage .xyz is INPUT_CORRUPT past the tolerance; a header row and a few stray lines are tolerated", async () => {
  const good = (await readFile(pc("derived_simple.xyz"), "latin1")).trimEnd().split("\n");
  const junk = (n: number) => Array.from({ length: n }, (_, i) => `garbage line ${i} ###`);
  // Garbage throughout: every other line is not numbers.
  const mixed = good.flatMap((l, i) => (i % 2 === 0 ? [l, `not a point ${i}`] : [l])).join("\n");
  const outcome = await convert("mixed.xyz", mixed);
  assert.equal(code(outcome), "INPUT_CORRUPT");
  if (!outcome.ok) assert.match((outcome.e as AppError).message, /lines that are not numbers \(the first at line 2\)/);
  // Random bytes are not a point cloud either.
  assert.equal(code(await convert("random.xyz", junk(50).join("\n"))), "INPUT_CORRUPT");
  // A header row plus the tolerated number of stray lines still converts, every point kept.
  const tolerated = ["X Y Z R G B", ...good, ...junk(TEXT_TOLERANCE.headerLines - 1)].join("\n");
  const fine = await convert("header.xyz", tolerated);
  assert.equal(code(fine), "completed");
});
