import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { AppError } from "../../src/contracts/app-error.ts";
import { createImageProcessProcessor, imageProcessProcessor } from "../../src/processors/image-ops/process/image-process.processor.ts";
import { cleanupRuns, runStages, scratchDir } from "../helpers/run-stages.ts";
import { fixture } from "../helpers/fixtures.ts";
import { halfAndHalf, pixel, quadrants, rawOf, scratchFile } from "./image-ops-helpers.ts";

after(cleanupRuns);

const run = (file: string, params: unknown, processor = imageProcessProcessor) => runStages(processor, file, params);
const meta = (file: string) => sharp(file).metadata();

async function rejects(p: Promise<unknown>, code: string, message?: RegExp): Promise<AppError> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof AppError, `an AppError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (message) assert.match(error.message, message);
    return error;
  }
  assert.fail(`expected ${code}`);
}

test("operations run in the listed order: resize then crop differs from crop then resize", async () => {
  const src = await scratchFile("q.png", await quadrants(400, 200));
  // crop the top-left 100×100 (all red), then resize to 50 wide → red 50×50
  const a = await run(src, {
    operations: [
      { op: "crop", left: 0, top: 0, width: 100, height: 100 },
      { op: "resize", width: 50 },
    ],
    format: "png",
  });
  const am = await meta(a.file("image"));
  assert.deepEqual([am.width, am.height], [50, 50]);
  assert.deepEqual((await pixel(a.file("image"), 25, 25)).slice(0, 3), [255, 0, 0]);
  // resize to 100×50 first, then the same crop box no longer fits: the error names the operation
  await rejects(
    run(src, {
      operations: [
        { op: "resize", width: 100 },
        { op: "crop", left: 0, top: 0, width: 100, height: 100 },
      ],
      format: "png",
    }),
    "INVALID_PARAMS",
    /operations\[1\] \(crop\)/,
  );
  // resize then a fitting crop of the bottom-right quadrant → white
  const b = await run(src, {
    operations: [
      { op: "resize", width: 200 },
      { op: "crop", width: 100, height: 50, gravity: "southeast" },
    ],
    format: "png",
  });
  assert.deepEqual([(await meta(b.file("image"))).width, (await meta(b.file("image"))).height], [100, 50]);
  assert.deepEqual((await pixel(b.file("image"), 50, 25)).slice(0, 3), [255, 255, 255]);
});

test("geometry: rotate, flip, flop, extend and trim move the quadrants where they should", async () => {
  const src = await scratchFile("q.png", await quadrants(200, 100));
  const rotated = await run(src, { operations: [{ op: "rotate", angle: 90 }], format: "png" });
  const rm = await meta(rotated.file("image"));
  assert.deepEqual([rm.width, rm.height], [100, 200]);
  // clockwise: the bottom-left (blue) quadrant comes to the top-left
  assert.deepEqual((await pixel(rotated.file("image"), 10, 10)).slice(0, 3), [0, 0, 255]);
  const flipped = await run(src, { operations: [{ op: "flip" }, { op: "flop" }], format: "png" });
  assert.deepEqual((await pixel(flipped.file("image"), 10, 10)).slice(0, 3), [255, 255, 255], "flip+flop puts bottom-right at top-left");
  const extended = await run(src, { operations: [{ op: "extend", top: 10, bottom: 20, left: 30, right: 40, background: "#ff00ff" }], format: "png" });
  const em = await meta(extended.file("image"));
  assert.deepEqual([em.width, em.height], [270, 130]);
  assert.deepEqual((await pixel(extended.file("image"), 5, 5)).slice(0, 3), [255, 0, 255]);
  // extend with a solid border, then trim takes it off again
  const trimmed = await run(src, {
    operations: [
      { op: "extend", top: 15, bottom: 15, left: 15, right: 15, background: "#000000" },
      { op: "trim", background: "#000000" },
    ],
    format: "png",
  });
  const tm = await meta(trimmed.file("image"));
  assert.deepEqual([tm.width, tm.height], [200, 100]);
});

test("filters: grayscale, threshold, edge detection, blur and modulate change the pixels as named", async () => {
  const photo = fixture("images", "recurser_Landscape_3.jpg");
  const grey = await run(photo, { operations: [{ op: "resize", width: 300 }, { op: "grayscale" }], format: "png" });
  const g = await rawOf(grey.file("image"));
  assert.ok(g.channels === 1 || [...Array(500).keys()].every((i) => g.data[i * 3] === g.data[i * 3 + 1] && g.data[i * 3 + 1] === g.data[i * 3 + 2]), "grey pixels");

  const thr = await run(photo, {
    operations: [
      { op: "resize", width: 300 },
      { op: "threshold", value: 128 },
    ],
    format: "png",
  });
  const t = await rawOf(thr.file("image"));
  const values = new Set(t.data);
  assert.ok(
    [...values].every((v) => v === 0 || v === 255),
    `only black and white, got ${[...values].slice(0, 5).join(",")}`,
  );
  assert.equal(values.size, 2);

  const edge = await scratchFile("edge.png", await halfAndHalf(100, 60));
  const edges = await run(edge, { operations: [{ op: "edge_detect" }], format: "png" });
  const e = await rawOf(edges.file("image"));
  const at = (x: number, y: number) => e.data[(y * e.width + x) * e.channels]!;
  assert.equal(at(10, 30), 0, "flat black area: no edge");
  assert.equal(at(90, 30), 0, "flat white area: no edge");
  assert.ok(at(49, 30) > 200 || at(50, 30) > 200, "the black/white boundary is an edge");

  const blurred = await run(edge, { operations: [{ op: "blur", sigma: 5 }], format: "png" });
  const bv = (await pixel(blurred.file("image"), 50, 30))[0]!;
  assert.ok(bv > 30 && bv < 225, `the hard edge is smeared into grey (${bv})`);

  const dark = await run(edge, { operations: [{ op: "modulate", brightness: 0.5 }], format: "png" });
  const dv = (await pixel(dark.file("image"), 90, 30))[0]!;
  assert.ok(dv < 200 && dv > 60, `white at half brightness (${dv})`);

  const rest = await run(photo, {
    operations: [{ op: "resize", width: 200 }, { op: "normalize" }, { op: "gamma", gamma: 2 }, { op: "sharpen", sigma: 1 }, { op: "modulate", saturation: 0, hue: 90 }],
    format: "jpeg",
    quality: 80,
  });
  assert.equal((await meta(rest.file("image"))).format, "jpeg");
});

test("watermark: text lands in its corner at the requested opacity; an inline image overlay too", async () => {
  const white = await scratchFile(
    "white.png",
    await sharp({ create: { width: 400, height: 200, channels: 3, background: "#ffffff" } })
      .png()
      .toBuffer(),
  );
  const marked = await run(white, { operations: [{ op: "watermark", text: "VS3D", gravity: "southeast", color: "#000000", opacity: 1, scale: 0.3 }], format: "png" });
  const m = await rawOf(marked.file("image"));
  const darkIn = (x0: number, y0: number, x1: number, y1: number) => {
    let n = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (m.data[(y * m.width + x) * m.channels]! < 100) n++;
    return n;
  };
  assert.ok(darkIn(200, 100, 400, 200) > 200, "dark text pixels in the south-east quarter");
  assert.equal(darkIn(0, 0, 200, 100), 0, "nothing in the north-west quarter");

  const logo = await sharp({ create: { width: 40, height: 40, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 1 } } })
    .png()
    .toBuffer();
  const overlaid = await run(white, { operations: [{ op: "watermark", image_base64: logo.toString("base64"), gravity: "northwest", opacity: 0.5, margin: 0 }], format: "png" });
  const [r, g, b] = await pixel(overlaid.file("image"), 5, 5);
  assert.equal(r, 255);
  assert.ok(Math.abs(g! - 128) <= 2 && Math.abs(b! - 128) <= 2, `half-transparent red over white is pink, got ${r},${g},${b}`);
  assert.deepEqual((await pixel(overlaid.file("image"), 100, 100)).slice(0, 3), [255, 255, 255]);
});

test("params are checked one operation at a time; the error names the index", () => {
  const parse = (operations: unknown[]) => imageProcessProcessor.params.safeParse({ operations, format: "png" });
  const unknown = parse([{ op: "blur", sigma: 1 }, { op: "sepia" }]);
  assert.equal(unknown.success, false);
  assert.deepEqual(unknown.error.issues[0]!.path, ["operations", 1, "op"]);
  assert.match(unknown.error.issues[0]!.message, /unknown operation "sepia"; expected one of resize, crop/);
  const bad = parse([{ op: "resize", width: 10 }, { op: "grayscale" }, { op: "blur", sigma: 0 }]);
  assert.deepEqual(bad.error!.issues[0]!.path, ["operations", 2, "sigma"]);
  assert.equal(parse([]).success, false, "at least one operation");
  assert.equal(parse([{ op: "crop", width: 10, height: 10, left: 3 }]).success, false, "left without top");
  assert.equal(parse([{ op: "watermark", text: "a", image_base64: "AAAA" }]).success, false, "one watermark source");
  assert.equal(parse([{ op: "watermark", image_key: "a/logo.png" }]).success, false, "a watermark key needs batch");
  assert.equal(parse([{ op: "resize", width: 20_000 }]).success, false, "above 16383 px");
});

test("limits and bad input: pixel bomb refused from the header, truncated file INPUT_CORRUPT, non-image UNSUPPORTED_FORMAT, too big a result refused before allocating", async () => {
  const photo = fixture("images", "recurser_Landscape_3.jpg");
  await rejects(run(fixture("images", "derived_pixelbomb_20000x20000_gray.png"), { operations: [{ op: "grayscale" }], format: "png" }), "INPUT_TOO_LARGE", /20000×20000/);
  const small = createImageProcessProcessor({ limitInputPixels: 10_000 });
  await rejects(run(photo, { operations: [{ op: "grayscale" }], format: "png" }, small), "INPUT_TOO_LARGE", /above this node's limit/);
  const bytes = await readFile(photo);
  const truncated = await scratchFile("cut.jpg", bytes.subarray(0, Math.floor(bytes.length / 2)));
  await rejects(run(truncated, { operations: [{ op: "grayscale" }], format: "png" }), "INPUT_CORRUPT");
  const text = await scratchFile("notes.txt", "not an image at all\n".repeat(20));
  await rejects(run(text, { operations: [{ op: "grayscale" }], format: "png" }), "UNSUPPORTED_FORMAT");
  const src = await scratchFile("q.png", await quadrants(200, 100));
  await rejects(run(src, { operations: [{ op: "extend", left: 16_300 }], format: "png" }), "INVALID_PARAMS", /operations\[0\] \(extend\).*16383/);
});

test("batch: one output per input, a bad input recorded in report.json without failing the others, a watermark key used and not processed", async () => {
  const dir = join(await scratchDir(), "objects");
  await mkdir(join(dir, "shots"), { recursive: true });
  await writeFile(join(dir, "shots", "a.png"), await quadrants(120, 80));
  await writeFile(join(dir, "shots", "b.jpg"), await readFile(fixture("images", "recurser_Landscape_3.jpg")));
  await writeFile(join(dir, "shots", "broken.jpg"), "definitely not a jpeg");
  await writeFile(
    join(dir, "logo.png"),
    await sharp({ create: { width: 20, height: 20, channels: 3, background: "#00ff00" } })
      .png()
      .toBuffer(),
  );
  const params = {
    operations: [
      { op: "resize", width: 64 },
      { op: "watermark", image_key: "t/in/logo.png", gravity: "northwest", opacity: 1, margin: 0, scale: 0.2 },
    ],
    format: "webp",
    batch: { keys: ["t/in/shots/a.png", "t/in/shots/b.jpg", "t/in/shots/broken.jpg", "t/in/logo.png"] },
  };
  const parsed = imageProcessProcessor.params.parse(params);
  assert.deepEqual(imageProcessProcessor.inputObjects!(parsed), { keys: params.batch.keys, base: "t/in/" });
  const r = await run(dir, params);
  assert.deepEqual(
    r.allOutputs.map((o) => o.path),
    ["images/shots/a.webp", "images/shots/b.webp", "report.json"],
  );
  const report = JSON.parse(await readFile(join(r.outDir, "report.json"), "utf8")) as {
    inputs: number;
    completed: number;
    failed: number;
    items: Array<{ input: string; status: string; error?: { code: string } }>;
  };
  assert.deepEqual([report.inputs, report.completed, report.failed], [3, 2, 1]);
  const broken = report.items.find((i) => i.input === "t/in/shots/broken.jpg")!;
  assert.equal(broken.status, "failed");
  assert.equal(broken.error!.code, "UNSUPPORTED_FORMAT");
  const a = join(r.outDir, "images/shots/a.webp");
  assert.equal((await meta(a)).width, 64);
  const [rr, gg, bb] = await pixel(a, 3, 3);
  assert.ok(gg! > 200 && rr! < 60 && bb! < 60, `the green logo is in the top-left corner (${rr},${gg},${bb})`);

  // prefix mode asks for the prefix; every input failing fails the task with their code
  const prefixParams = imageProcessProcessor.params.parse({ operations: [{ op: "grayscale" }], format: "png", batch: { prefix: "t/in" } });
  assert.deepEqual(imageProcessProcessor.inputObjects!(prefixParams), { prefix: "t/in" });
  const bad = join(await scratchDir(), "objects");
  await mkdir(bad, { recursive: true });
  await writeFile(join(bad, "x.jpg"), "nope");
  await writeFile(join(bad, "y.jpg"), "nope");
  await rejects(run(bad, { operations: [{ op: "grayscale" }], format: "png", batch: { prefix: "t/in/" } }), "UNSUPPORTED_FORMAT", /every one of the 2 inputs failed/);
});

test("batch: more objects than one task takes fail with INPUT_TOO_LARGE before any is decoded", async () => {
  const dir = join(await scratchDir(), "objects");
  await mkdir(dir, { recursive: true });
  await Promise.all(Array.from({ length: 1001 }, (_, i) => writeFile(join(dir, `f${i}.png`), "x")));
  await rejects(run(dir, { operations: [{ op: "grayscale" }], format: "png", batch: { prefix: "t/" } }), "INPUT_TOO_LARGE", /1001 objects, above 1000/);
});
