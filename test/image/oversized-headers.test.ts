import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32, deflateSync } from "node:zlib";
import { AppError } from "../../src/contracts/app-error.ts";
import { imageThumbnailProcessor } from "../../src/processors/image/image-thumbnail.processor.ts";
import { sizeFromHeader } from "../../src/processors/image/header-size.ts";
import { runStages } from "../helpers/run-stages.ts";

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/** A PNG whose IHDR claims width × height; its IDAT is tiny. */
function png(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // 8-bit grey
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), pngChunk("IHDR", ihdr), pngChunk("IDAT", deflateSync(Buffer.alloc(64))), pngChunk("IEND", Buffer.alloc(0))]);
}

/** A baseline JPEG header (SOF0) of width × height, then end of image. */
function jpeg(width: number, height: number): Buffer {
  const sof = Buffer.from([0xff, 0xc0, 0, 11, 8, height >> 8, height & 255, width >> 8, width & 255, 1, 1, 0x11, 0]);
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]), sof, Buffer.from([0xff, 0xd9])]);
}

/** A little-endian TIFF whose IFD0 claims width × height (LONG), 8-bit grey, no strips. */
function tiff(width: number, height: number): Buffer {
  const t = Buffer.alloc(8 + 2 + 12 * 4 + 4);
  t.write("II", 0, "latin1");
  t.writeUInt16LE(42, 2);
  t.writeUInt32LE(8, 4);
  t.writeUInt16LE(4, 8);
  const entry = (i: number, tag: number, type: number, value: number) => {
    const o = 10 + i * 12;
    t.writeUInt16LE(tag, o);
    t.writeUInt16LE(type, o + 2);
    t.writeUInt32LE(1, o + 4);
    if (type === 3) t.writeUInt16LE(value, o + 8);
    else t.writeUInt32LE(value, o + 8);
  };
  entry(0, 256, 4, width);
  entry(1, 257, 4, height);
  entry(2, 258, 3, 8);
  entry(3, 262, 3, 1);
  return t;
}

test("defect 8: oversized image headers (2³¹ px PNG and TIFF, 65535² JPEG) are INPUT_TOO_LARGE, not INPUT_CORRUPT", async () => {
  const dir = await mkdtemp(join(tmpdir(), "vs3d-headers-"));
  try {
    const cases: [string, Buffer][] = [
      ["wide.png", png(2 ** 31 - 1, 1)],
      ["huge.png", png(2 ** 31 - 1, 2 ** 31 - 1)],
      ["huge.jpg", jpeg(65535, 65535)],
      ["huge.tif", tiff(2 ** 31, 2 ** 31)],
    ];
    for (const [name, bytes] of cases) {
      const file = join(dir, name);
      await writeFile(file, bytes);
      const e = await runStages(imageThumbnailProcessor, file, { sizes: [64] }, { root: join(dir, `run-${name}`) }).then(
        () => assert.fail(`${name} was processed`),
        (error: unknown) => error,
      );
      assert.ok(e instanceof AppError, String(e));
      assert.equal(e.code, "INPUT_TOO_LARGE", `${name}: ${e.message}`);
      assert.match(e.message, /above this node's limit/);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("the header reader reads what each format claims, and nothing from a non-image", () => {
  assert.deepEqual(sizeFromHeader(png(300, 200)), { width: 300, height: 200 });
  assert.deepEqual(sizeFromHeader(jpeg(640, 480)), { width: 640, height: 480 });
  assert.deepEqual(sizeFromHeader(tiff(70_000, 3)), { width: 70_000, height: 3 });
  assert.equal(sizeFromHeader(Buffer.from("hello world, not an image")), null);
});
