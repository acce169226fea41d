import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { toMediaInfo } from "../../src/processors/video/media-info.ts";
import { ffprobeJson } from "../../src/processors/video/media-probe.ts";
import { probeMp4Input } from "../../src/processors/video/mp4-input-probe.ts";
import { fixture } from "../helpers/fixtures.ts";
import { cleanupRuns, scratchDir } from "../helpers/run-stages.ts";
import { ffmpeg } from "./video-helpers.ts";

let scratch = "";
void before(async () => {
  scratch = await scratchDir();
});
void after(cleanupRuns);

const signal = new AbortController().signal;
const src = (size: string, rate: string, seconds = 1) => ["-f", "lavfi", "-i", `testsrc2=size=${size}:rate=${rate}:duration=${seconds}`];
const tone = (seconds = 1) => ["-f", "lavfi", "-i", `sine=frequency=440:duration=${seconds}`];
const x264 = ["-c:v", "libx264", "-preset", "ultrafast"];

/** Inputs the moov reader must read exactly as ffprobe does: the common shapes of H.264 MP4s. */
const TAKEN: Record<string, string[]> = {
  "high_aac.mp4": [...src("320x180", "30"), ...tone(), ...x264.slice(0, 2), "-c:a", "aac", "-shortest"],
  "r23976.mp4": [...src("320x180", "24000/1001"), ...x264],
  "base25.mp4": [...src("320x180", "25"), ...x264, "-profile:v", "baseline"],
  "main2997_bframes.mp4": [...src("320x180", "30000/1001"), "-c:v", "libx264", "-profile:v", "main", "-bf", "3"],
  "crop1080.mp4": [...src("1920x1080", "30", 0.2), ...x264],
  "odd_crop.mp4": [...src("318x178", "30"), ...x264],
  "r60_faststart.mp4": [...src("320x180", "60"), ...x264, "-movflags", "+faststart"],
  "r50_no_bframes.mp4": [...src("320x180", "50"), "-c:v", "libx264", "-bf", "0"],
  "ts90k.mp4": [...src("320x180", "30"), ...x264, "-video_track_timescale", "90000"],
  "fullrange.mp4": [...src("320x180", "30"), ...x264, "-pix_fmt", "yuvj420p"],
  "one_frame.mp4": [...src("320x240", "30", 0.034), ...x264, "-frames:v", "1"],
};
/** Inputs it must leave to ffprobe: another codec, interlacing, other chroma or depth, a variable
 * rate, a second audio track, MP3 in MP4, fragments, QuickTime's longer sound description. */
const LEFT: Record<string, string[]> = {
  "mpeg4.mp4": [...src("320x180", "30"), "-c:v", "mpeg4"],
  "interlaced.mp4": [...src("320x180", "30"), ...x264, "-flags", "+ildct+ilme", "-x264opts", "interlaced=1"],
  "yuv444.mp4": [...src("320x180", "30"), ...x264, "-pix_fmt", "yuv444p"],
  "vfr.mp4": [...src("320x180", "30"), "-vf", "setpts='if(lt(N,10),N*2,N*3)/TB/60'", "-fps_mode", "vfr", ...x264],
  "two_audio.mp4": [...src("320x180", "30"), ...tone(), ...tone(), "-map", "0", "-map", "1", "-map", "2", ...x264, "-c:a", "aac", "-shortest"],
  "fragmented.mp4": [...src("320x180", "30"), ...x264, "-movflags", "frag_keyframe+empty_moov"],
  "quicktime.mov": [...src("320x180", "30"), ...tone(), ...x264, "-c:a", "aac", "-shortest"],
};

async function make(name: string, args: string[]): Promise<string> {
  const path = join(scratch, name);
  await ffmpeg([...args, path]);
  return path;
}

/** The facts the processor works from, by both ways: the moov reader's (or null) and ffprobe's. */
async function bothWays(path: string) {
  const mine = await probeMp4Input(path);
  return { mine: mine && toMediaInfo(mine), ffprobe: toMediaInfo(await ffprobeJson(path, { signal })) };
}

void test("an H.264 MP4's own moov gives exactly the facts ffprobe gives, for every common shape", async () => {
  for (const [name, args] of Object.entries(TAKEN)) {
    const { mine, ffprobe } = await bothWays(await make(name, args));
    assert.ok(mine, `${name}: read from its moov`);
    assert.deepEqual(mine, ffprobe, name);
  }
  const { mine, ffprobe } = await bothWays(fixture("video", "derived_testsrc2_720p_10s.mp4"));
  assert.deepEqual(mine, ffprobe, "the 720p fixture");
  // Turned by its display matrix (written on a stream copy by ffmpeg 5.1's rotate tag).
  for (const degrees of [90, 180, 270]) {
    const turned = await make(`rotated${degrees}.mp4`, ["-i", join(scratch, "high_aac.mp4"), "-c", "copy", "-metadata:s:v", `rotate=${degrees}`]);
    const both = await bothWays(turned);
    assert.equal(both.ffprobe.video.rotation, degrees, "the matrix is there");
    assert.deepEqual(both.mine, both.ffprobe, `turned ${degrees}°`);
  }
});

void test("anything the moov reader cannot answer exactly is left to ffprobe", async () => {
  for (const [name, args] of Object.entries(LEFT)) assert.equal(await probeMp4Input(await make(name, args)), null, name);
  // The MOV fixture's frame durations vary (ffprobe: r 60, avg 34.9): its base rate is ffmpeg's estimate.
  assert.equal(await probeMp4Input(fixture("video", "filetype_fixture.mov")), null);
  assert.equal(await probeMp4Input(fixture("video", "filetype_fixture.webm")), null, "not ISO-BMFF");
});

void test("a moov that disagrees with its SPS, or a cut-off file, is left to ffprobe", async () => {
  const good = await readFile(await make("to-break.mp4", TAKEN["high_aac.mp4"]!));
  // The avc1 sample entry's width, 24 bytes into its payload (after stsd's own 8 bytes and the
  // entry's header): says 321 where the SPS says 320.
  const at = good.indexOf(Buffer.from("stsd")) + 4 + 8 + 8 + 24;
  const wrong = Buffer.from(good);
  wrong.writeUInt16BE(321, at);
  assert.equal(good.readUInt16BE(at), 320);
  await writeFile(join(scratch, "wrong-width.mp4"), wrong);
  assert.equal(await probeMp4Input(join(scratch, "wrong-width.mp4")), null);
  await writeFile(join(scratch, "cut.mp4"), good.subarray(0, good.length >> 1));
  assert.equal(await probeMp4Input(join(scratch, "cut.mp4")), null);
});
