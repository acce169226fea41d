import { test } from "node:test";
import assert from "node:assert/strict";
import { gdalProgressListener, parseGdalProgress } from "../../src/processors/geotiff/gdal-progress.ts";

void test("GDAL's dotted progress reads as percent, dots as 2.5 % steps", () => {
  assert.equal(parseGdalProgress("0...10...20"), 20);
  assert.equal(parseGdalProgress("0...10...20.."), 25);
  assert.equal(parseGdalProgress("0...10...20...30...40...50...60...70...80...90...100"), 100);
  assert.equal(parseGdalProgress(""), null);
});

void test("progress split across arbitrary chunks only moves forward and ends at 100", () => {
  const seen: number[] = [];
  const listen = gdalProgressListener((p) => seen.push(p));
  const full = "Input file size is 6000, 6000\n0...10...20...30...40...50...60...70...80...90...100 - done.\n";
  for (let i = 0; i < full.length; i += 3) listen(full.slice(i, i + 3));
  assert.equal(seen.at(-1), 100);
  assert.ok(seen.length >= 10, `only ${seen.length} updates`);
  assert.deepEqual(
    [...seen].sort((a, b) => a - b),
    seen,
  );
  assert.ok(!seen.includes(6000), "the input size line is not progress");
});

void test("a final chunk holding the end of the line and its newline still reports 100", () => {
  const seen: number[] = [];
  const listen = gdalProgressListener((p) => seen.push(p));
  listen("Input file size is 10, 10\n0...10...20");
  listen("...30...40...50...60...70...80...90...100 - done.\n");
  assert.deepEqual(seen, [20, 100]);
});
