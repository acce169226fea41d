import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { AppError } from "../../src/contracts/app-error.ts";
import { probeVideo } from "../../src/processors/video/media-probe.ts";
import { checkRendition } from "../../src/processors/video/rendition-check.ts";
import { fixture } from "../helpers/fixtures.ts";
import { cleanupRuns, scratchDir } from "../helpers/run-stages.ts";
import { ffmpeg } from "./video-helpers.ts";

const SOURCE_720P = fixture("video", "derived_testsrc2_720p_10s.mp4");
const STAGE = "transcode";
let scratch = "";

void before(async () => {
  scratch = await scratchDir();
});
void after(cleanupRuns);

/** A 2 s cut of the 720p fixture, written by ffmpeg with `extra` output options. */
async function cut(name: string, extra: string[]): Promise<string> {
  const path = join(scratch, name);
  await ffmpeg(["-i", SOURCE_720P, "-t", "2", "-c", "copy", ...extra, path]);
  return path;
}

const invalid = (message: RegExp) => (e: unknown) => e instanceof AppError && e.code === "INVALID_OUTPUT" && e.stage === STAGE && message.test(e.message);

void test("a rendition that is not upright H.264 at its planned height with its index first is INVALID_OUTPUT, saying what it is", async () => {
  const clip = await cut("clip.mp4", ["-movflags", "+faststart"]);
  const itself = await probeVideo(clip, { signal: new AbortController().signal, stage: STAGE });
  await checkRendition(clip, 720, itself, STAGE);
  await assert.rejects(checkRendition(clip, 480, itself, STAGE), invalid(/^clip\.mp4 is h264 1280x720 \(rotation 0\), expected upright H\.264 at 480p$/));

  const turned = await cut("turned.mp4", ["-metadata:s:v", "rotate=90", "-movflags", "+faststart"]);
  await assert.rejects(checkRendition(turned, 1280, itself, STAGE), invalid(/^turned\.mp4 is h264 720x1280 \(rotation 90\)/));

  const mpeg4 = join(scratch, "mpeg4.mp4");
  await ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "2", "-c:v", "mpeg4", "-movflags", "+faststart", mpeg4]);
  await assert.rejects(checkRendition(mpeg4, 240, itself, STAGE), invalid(/^mpeg4\.mp4 is mpeg4 320x240/));

  const moovLast = await cut("moov-last.mp4", []);
  await assert.rejects(checkRendition(moovLast, 720, itself, STAGE), invalid(/^moov-last\.mp4 has its index after the media data \(no faststart\)$/));
});

void test("a rendition much shorter than its source is INPUT_CORRUPT with the decoded and declared seconds", async () => {
  const clip = await cut("short.mp4", ["-movflags", "+faststart"]);
  const whole = await probeVideo(SOURCE_720P, { signal: new AbortController().signal, stage: STAGE });
  await assert.rejects(
    checkRendition(clip, 720, whole, STAGE),
    (e: unknown) =>
      e instanceof AppError &&
      e.code === "INPUT_CORRUPT" &&
      /^the input ends early: only 2\.1 s of its 10\.0 s could be decoded$/.test(e.message) &&
      Math.abs((e.details?.decodedSeconds as number) - 2.134) < 0.01 &&
      e.details?.declaredSeconds === 10,
  );
});
