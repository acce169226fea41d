import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppError } from "../../src/contracts/app-error.ts";
import { fixture } from "../helpers/fixtures.ts";
import { ffmpeg, transcode } from "./video-helpers.ts";

const SOURCE_720P = fixture("video", "derived_testsrc2_720p_10s.mp4");
const PARAMS = { heights: [144], preset: "ultrafast" };
let scratch = "";

void before(async () => {
  scratch = await mkdtemp(join(tmpdir(), "vs3d-video-bad-"));
});
void after(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function failure(input: string): Promise<AppError> {
  try {
    const run = await transcode(input, PARAMS);
    await run.cleanup();
  } catch (error) {
    assert.ok(error instanceof AppError, `an AppError, got ${String(error)}`);
    return error;
  }
  assert.fail(`${input} was transcoded`);
}

async function file(name: string, bytes: Uint8Array | string): Promise<string> {
  const path = join(scratch, name);
  await writeFile(path, bytes);
  return path;
}

void test("an upload cut in half fails INPUT_CORRUPT in the probe stage instead of becoming a 5 s video", async () => {
  const whole = await readFile(SOURCE_720P);
  const error = await failure(await file("half.mp4", whole.subarray(0, whole.length >> 1)));
  assert.deepEqual([error.code, error.stage], ["INPUT_CORRUPT", "probe"]);
  assert.match(error.message, /truncated/);
});

void test("a cut-off Matroska file, which ffmpeg decodes to the cut without an error, fails INPUT_CORRUPT", async () => {
  const mkv = join(scratch, "whole.mkv");
  await ffmpeg(["-i", SOURCE_720P, "-c", "copy", mkv]);
  const whole = await readFile(mkv);
  const error = await failure(await file("half.mkv", whole.subarray(0, whole.length >> 1)));
  assert.deepEqual([error.code, error.stage], ["INPUT_CORRUPT", "transcode"]);
  assert.match(error.message, /ends early: only 5\.\d s of its 10\.0 s/);
});

void test("an MP4 cut inside its header, an empty file and random bytes fail INPUT_CORRUPT", async () => {
  const whole = await readFile(SOURCE_720P);
  const random = Uint8Array.from({ length: 4096 }, (_, i) => ((i * 7919 + 13) % 251) | 0x80);
  for (const [name, bytes] of [
    ["head.mp4", whole.subarray(0, 5000)],
    ["empty.mp4", new Uint8Array()],
    ["noise.bin", random],
  ] as const) {
    const error = await failure(await file(name, bytes));
    assert.equal(error.code, "INPUT_CORRUPT", `${name}: ${error.message}`);
    assert.ok(!error.message.includes(scratch), "no worker paths in the message");
  }
});

void test("text, an image and audio-only files are UNSUPPORTED_FORMAT with a message that says what they are", async () => {
  const png = join(scratch, "still.png");
  await ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=64x64", "-frames:v", "1", png]);
  const sine = join(scratch, "sine.m4a");
  await ffmpeg(["-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", sine]);
  const cases: [string, RegExp][] = [
    [await file("notes.txt", "these are meeting notes, not a video\n"), /text/],
    [png, /PNG image/],
    [sine, /audio only/],
    [fixture("video", "small_mp4-with-audio.mp4"), /audio only/],
  ];
  for (const [path, message] of cases) {
    const error = await failure(path);
    assert.equal(error.code, "UNSUPPORTED_FORMAT", path);
    assert.match(error.message, message);
  }
});

/** ffmpeg processes whose arguments mention this path. */
async function ffmpegsUsing(path: string): Promise<number[]> {
  const pids: number[] = [];
  for (const pid of await readdir("/proc").catch(() => [])) {
    if (!/^\d+$/.test(pid)) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmdline.startsWith("ffmpeg\0") && cmdline.includes(path)) pids.push(Number(pid));
  }
  return pids;
}

void test("aborting mid-transcode stops ffmpeg within 3 s with the signal's reason", async () => {
  const input = join(scratch, "cancel-me.mp4");
  await writeFile(input, await readFile(SOURCE_720P));
  const controller = new AbortController();
  const reason = new AppError("CANCELLED", "cancelled by the user");
  const running = transcode(input, { heights: [720], preset: "medium", poster: false }, controller.signal);
  // Abort once ffmpeg is really encoding.
  const deadline = Date.now() + 20_000;
  while ((await ffmpegsUsing(input)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.notEqual((await ffmpegsUsing(input)).length, 0, "ffmpeg started");
  await new Promise((r) => setTimeout(r, 300));
  const abortedAt = Date.now();
  controller.abort(reason);
  await assert.rejects(running, (e) => e === reason);
  assert.ok(Date.now() - abortedAt < 3000, `stopped after ${Date.now() - abortedAt} ms`);
  assert.deepEqual(await ffmpegsUsing(input), [], "no ffmpeg left running");
});
