import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fixture } from "../helpers/fixtures.ts";
import { cleanupRuns, scratchDir, type StagesRun } from "../helpers/run-stages.ts";
import { ffmpeg, ffprobe, firstFrame, framePts, topLevelBoxes, transcode, writeVfrClip } from "./video-helpers.ts";

const video = (name: string) => fixture("video", name);
const SOURCE_720P = video("derived_testsrc2_720p_10s.mp4");
// Fast enough for 2 cores, yet still an x264 High-profile stream (ultrafast would be Baseline).
const FAST = { preset: "superfast", poster: false } as const;
let scratch = "";

void before(async () => {
  scratch = await scratchDir();
});
void after(cleanupRuns);

function run(input: string, params: object): Promise<StagesRun> {
  return transcode(input, params);
}
const outPath = (r: StagesRun, path: string) => join(r.outDir, path);
const videoStream = async (path: string) => (await ffprobe(path)).streams.find((s) => s.codec_type === "video")!;

void test("720p source → 240p and 144p web MP4s, an aligned HLS ladder and a WEBP poster", async () => {
  const r = await run(SOURCE_720P, { ...FAST, heights: [240, 144, 1080], hls: { segment_seconds: 2 }, poster: { format: "webp" } });
  assert.deepEqual(
    r.outputs.transcode?.map((o) => o.path),
    ["video_240p.mp4", "video_144p.mp4"],
  );
  for (const [file, width, height] of [
    ["video_240p.mp4", 426, 240],
    ["video_144p.mp4", 256, 144],
  ] as const) {
    const path = outPath(r, file);
    const probed = await ffprobe(path);
    const v = probed.streams.find((s) => s.codec_type === "video")!;
    const a = probed.streams.find((s) => s.codec_type === "audio");
    assert.deepEqual([v.codec_name, v.profile, v.pix_fmt, v.width, v.height], ["h264", "High", "yuv420p", width, height]);
    assert.equal(a?.codec_name, "aac");
    assert.ok(Math.abs(Number(probed.format.duration) - 10) <= 0.2, `duration ${probed.format.duration}`);
    const boxes = await topLevelBoxes(path);
    assert.ok(boxes.indexOf("moov") < boxes.indexOf("mdat"), `faststart: ${boxes.join(",")}`);
  }

  const master = await readFile(outPath(r, "hls/master.m3u8"), "utf8");
  assert.match(master, /RESOLUTION=426x240,.*CODECS="avc1\.64[0-9a-f]{4},mp4a\.40\.2"\n240p\/index\.m3u8/);
  assert.match(master, /RESOLUTION=256x144,.*\n144p\/index\.m3u8/);
  const segments = (height: number) => (r.outputs.hls ?? []).filter((o) => o.path.startsWith(`hls/${height}p/`) && o.format === "ts");
  assert.equal(segments(240).length, 5);
  assert.equal(segments(144).length, 5);
  for (const [i, seg] of segments(240).entries()) {
    const hi = await firstFrame(outPath(r, seg.path));
    const lo = await firstFrame(outPath(r, segments(144)[i]!.path));
    assert.ok(hi.key && lo.key, `segment ${i} starts on a keyframe in both renditions`);
    assert.equal(hi.pts, lo.pts, `segment ${i} starts at the same instant in both renditions`);
  }

  const poster = await videoStream(r.file("poster"));
  assert.deepEqual([poster.codec_name, poster.height], ["webp", 240]);
  const progress = r.progress.filter((p) => p.stage === "transcode").map((p) => p.done / p.total);
  assert.equal(progress.at(-1), 1);
  assert.ok(
    progress.some((p) => p > 0 && p < 1),
    "progress moves between start and end",
  );
});

void test("a 90°-rotated video comes out upright, portrait, with no rotation left", async () => {
  const rotated = join(scratch, "rotated.mp4");
  await ffmpeg(["-i", SOURCE_720P, "-t", "2", "-c", "copy", "-metadata:s:v", "rotate=90", rotated]);
  assert.equal(Math.abs((await videoStream(rotated)).side_data_list?.[0]?.rotation ?? 0), 90, "the test input is rotated");
  const r = await run(rotated, { ...FAST, heights: [240], poster: true });
  const v = await videoStream(r.file("video"));
  assert.deepEqual([v.width, v.height], [136, 240]);
  assert.equal(v.side_data_list?.some((d) => (d.rotation ?? 0) !== 0) ?? false, false);
  assert.equal(v.tags?.rotate, undefined);
  const poster = await videoStream(r.file("poster"));
  assert.deepEqual([poster.codec_name, poster.width, poster.height], ["mjpeg", 136, 240]);
});

void test("a variable-frame-rate video comes out at a constant frame rate", async () => {
  const vfr = join(scratch, "vfr.mp4");
  await writeVfrClip(vfr);
  const src = await videoStream(vfr);
  assert.notEqual(src.r_frame_rate, src.avg_frame_rate, "the test input is VFR");
  const r = await run(vfr, { ...FAST, heights: [144] });
  const out = r.file("video");
  const v = await videoStream(out);
  assert.equal(v.r_frame_rate, v.avg_frame_rate);
  const pts = await framePts(out);
  const steps = new Set(pts.slice(1).map((t, i) => Math.round((t - pts[i]!) * 1000)));
  assert.equal(steps.size, 1, `one frame interval, saw ${[...steps].join(",")} ms`);
  assert.ok(Math.abs(Number((await ffprobe(out)).format.duration) - 3) <= 0.2);
});

void test("MPEG-4 Part 2 AVI without audio → an MP4 without audio", async () => {
  const r = await run(video("fluentffmpeg_testvideo-43.avi"), { ...FAST, heights: [144] });
  const probed = await ffprobe(r.file("video"));
  assert.deepEqual(
    probed.streams.map((s) => s.codec_type),
    ["video"],
  );
  assert.deepEqual([probed.streams[0]?.width, probed.streams[0]?.height], [192, 144]);
  assert.ok(Math.abs(Number(probed.format.duration) - 2) <= 0.2);
});

void test("tiny WebM, MOV and iMovie clips smaller than every asked height keep their own height", async () => {
  for (const [name, height] of [
    ["filetype_fixture.webm", 356],
    ["filetype_fixture.mov", 156],
    ["filetype_fixture-imovie.mp4", 356],
  ] as const) {
    const r = await run(video(name), { ...FAST, preset: "ultrafast", heights: [720, 480] });
    assert.deepEqual(
      r.outputs.transcode?.map((o) => o.path),
      [`video_${height}p.mp4`],
      name,
    );
    const v = await videoStream(r.file("video"));
    assert.deepEqual([v.codec_name, v.height, (v.width ?? 1) % 2], ["h264", height, 0], name);
  }
});
