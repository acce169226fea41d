import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { probeVideo } from "../../src/processors/video/media-probe.ts";
import { countingTools, type CountingTools } from "../geotiff/counting-tools.ts";
import { fixture } from "../helpers/fixtures.ts";
import { cleanupRuns, scratchDir } from "../helpers/run-stages.ts";
import { ffmpeg, transcode } from "./video-helpers.ts";

const SOURCE_720P = fixture("video", "derived_testsrc2_720p_10s.mp4");
let scratch = "";
let tools: CountingTools;
let clips = 0;

void before(async () => {
  scratch = await scratchDir();
  tools = await countingTools(scratch, ["ffprobe"]);
});
void after(cleanupRuns);

/** A 2 s cut of the 720p fixture at a fresh path, so no earlier probe of it is remembered. H.264 (as
 * the fixture) is read from its own moov (mp4-input-probe.ts); MPEG-4 Part 2 video is ffprobe's, so
 * the memo's tests count ffprobe runs on that one. */
async function freshClip(video: "h264" | "mpeg4" = "mpeg4"): Promise<string> {
  const path = join(scratch, `${++clips}-clip.mp4`);
  await ffmpeg(["-i", SOURCE_720P, "-t", "2", ...(video === "h264" ? ["-c", "copy"] : ["-c:v", "mpeg4", "-q:v", "5", "-c:a", "copy"]), path]);
  return path;
}

const ffprobesOf = async (path: string) => (await tools.calls()).filter((c) => c.startsWith("ffprobe ") && c.endsWith(` ${path}`));
const probe = (path: string, stage = "probe") => probeVideo(path, { signal: new AbortController().signal, stage });

void test("a video task runs ffprobe once, on its input: the transcode and poster stages reuse the probe stage's facts, the renditions are checked from their boxes", async () => {
  const input = await freshClip();
  const before = (await tools.calls()).length;
  const run = await transcode(input, { heights: [240, 144], preset: "ultrafast", poster: true });
  assert.deepEqual(
    run.outputs.transcode?.map((o) => o.path),
    ["video_240p.mp4", "video_144p.mp4"],
  );
  assert.equal((await ffprobesOf(input)).length, 1, "probe reads the input; transcode and poster reuse it (was 3)");
  const all = (await tools.calls()).slice(before);
  assert.deepEqual(all, await ffprobesOf(input), "no ffprobe on the renditions (was one each)");
});

void test("an H.264 MP4 task with HLS runs no ffprobe at all: the input and the renditions are read from their moov", async () => {
  const input = await freshClip("h264");
  const before = (await tools.calls()).length;
  const run = await transcode(input, { heights: [240], preset: "ultrafast", poster: false, hls: { segment_seconds: 1 } });
  assert.ok(run.outputs.hls?.some((o) => o.path === "hls/master.m3u8"));
  assert.deepEqual((await tools.calls()).slice(before), [], "no ffprobe (was 1 on the input and 1 per rendition for HLS)");
});

void test("a video changed in place after a probe is probed again, and an unchanged one is not", async () => {
  const path = await freshClip();
  const first = await probe(path);
  assert.equal(first.video.displayHeight, 720);
  assert.equal(await probe(path, "transcode"), first, "the same facts, shared");
  assert.equal((await ffprobesOf(path)).length, 1);

  const inode = (await stat(path)).ino;
  const portrait = join(scratch, "portrait.mp4");
  await ffmpeg(["-f", "lavfi", "-i", "testsrc2=size=180x320:rate=25", "-t", "1", "-c:v", "mpeg4", portrait]);
  await writeFile(path, await readFile(portrait));
  assert.equal((await stat(path)).ino, inode, "the same file, rewritten");
  const second = await probe(path, "transcode");
  assert.deepEqual([second.video.displayWidth, second.video.displayHeight, second.audio], [180, 320, null]);
  assert.equal((await ffprobesOf(path)).length, 2);
});

void test("a failed probe is not remembered: a cut-off upload completed in place is probed again and passes", async () => {
  const path = await freshClip();
  const whole = await readFile(path);
  await writeFile(path, whole.subarray(0, whole.length >> 1));
  await assert.rejects(probe(path), { code: "INPUT_CORRUPT" });
  await writeFile(path, whole);
  assert.equal((await probe(path)).video.displayHeight, 720);
  assert.equal((await ffprobesOf(path)).length, 2);
});

void test("the remembered facts cannot be changed by a caller, nested ones included", async () => {
  const info = await probe(await freshClip());
  assert.ok(info.audio, "the clip has audio");
  assert.throws(() => {
    (info as { durationSeconds: number }).durationSeconds = 1;
  }, TypeError);
  assert.throws(() => {
    (info.video as { height: number }).height = 1;
  }, TypeError);
  assert.throws(() => {
    (info.audio as { codec: string }).codec = "mp3";
  }, TypeError);
});
