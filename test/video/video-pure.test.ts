import { test } from "node:test";
import assert from "node:assert/strict";
import { AppError } from "../../src/contracts/app-error.ts";
import { ffmpegProgressListener, progressPercent, type FfmpegProgressEvent } from "../../src/processors/video/ffmpeg-progress.ts";
import { avc1Codec, h264LevelFor } from "../../src/processors/video/h264-level.ts";
import { masterPlaylist, parseMediaPlaylist, segmentBandwidth } from "../../src/processors/video/hls-playlists.ts";
import { sniffMedia } from "../../src/processors/video/input-sniff.ts";
import { toMediaInfo, type FfprobeJson } from "../../src/processors/video/media-info.ts";
import { planTranscode } from "../../src/processors/video/rendition-plan.ts";
import { VideoTranscodeParams } from "../../src/processors/video/video-transcode.params.ts";

const probe = (video: Partial<FfprobeJson["streams"][number]>, extra: Partial<FfprobeJson> = {}): FfprobeJson => ({
  streams: [
    { index: 0, codec_type: "video", codec_name: "h264", width: 1920, height: 1080, r_frame_rate: "30/1", avg_frame_rate: "30/1", ...video },
    { index: 1, codec_type: "audio", codec_name: "aac" },
  ],
  format: { format_name: "mov,mp4,m4a,3gp,3g2,mj2", duration: "12.5" },
  ...extra,
});
const code = (c: string) => (e: unknown) => e instanceof AppError && e.code === c;

void test("a phone video rotated by its display matrix reports portrait display dimensions", () => {
  const info = toMediaInfo(probe({ side_data_list: [{ side_data_type: "Display Matrix", rotation: -90 }] }));
  assert.equal(info.video.rotation, 270);
  assert.deepEqual([info.video.displayWidth, info.video.displayHeight], [1080, 1920]);
  const tagged = toMediaInfo(probe({ tags: { rotate: "180" } }));
  assert.deepEqual([tagged.video.rotation, tagged.video.displayWidth], [180, 1920]);
});

void test("variable frame rate is detected from base vs average rate; NTSC rates are kept exactly", () => {
  const vfr = toMediaInfo(probe({ r_frame_rate: "60/1", avg_frame_rate: "1500/43" }));
  assert.equal(vfr.video.vfr, true);
  const plan = planTranscode(vfr, VideoTranscodeParams.parse({}));
  assert.equal(plan.fps, "35");
  const ntsc = planTranscode(toMediaInfo(probe({ r_frame_rate: "30000/1001", avg_frame_rate: "30000/1001" })), VideoTranscodeParams.parse({ hls: true }));
  assert.equal(ntsc.fps, "30000/1001");
  assert.equal(ntsc.gop, 120);
});

void test("non-videos and empty videos are refused with the code the user needs", () => {
  const audioOnly: FfprobeJson = { streams: [{ index: 0, codec_type: "audio", codec_name: "mp3" }], format: { format_name: "mp3", duration: "3" } };
  assert.throws(
    () => toMediaInfo(audioOnly),
    (e) => code("UNSUPPORTED_FORMAT")(e) && /audio only/.test((e as Error).message),
  );
  assert.throws(() => toMediaInfo(probe({}, { format: { format_name: "png_pipe" } })), code("UNSUPPORTED_FORMAT"));
  assert.throws(() => toMediaInfo(probe({}, { format: { format_name: "mov,mp4", duration: "0" } })), code("INPUT_CORRUPT"));
  // cover art is not the video
  const coverOnly: FfprobeJson = {
    streams: [
      { index: 0, codec_type: "video", codec_name: "mjpeg", width: 500, height: 500, disposition: { attached_pic: 1 } },
      { index: 1, codec_type: "audio", codec_name: "aac" },
    ],
    format: { format_name: "mov,mp4", duration: "200" },
  };
  assert.throws(() => toMediaInfo(coverOnly), code("UNSUPPORTED_FORMAT"));
});

void test("heights: never upscale, even sizes, source height when nothing fits, largest first", () => {
  const info = toMediaInfo(probe({ width: 640, height: 357 }));
  const plan = planTranscode(info, VideoTranscodeParams.parse({ heights: [1080, 720] }));
  assert.deepEqual(
    plan.renditions.map((r) => r.file),
    ["video_356p.mp4"],
  );
  const ladder = planTranscode(toMediaInfo(probe({})), VideoTranscodeParams.parse({ heights: [480, 1082, 720, 481], bitrate_kbps: 4000 }));
  assert.deepEqual(
    ladder.renditions.map((r) => r.height),
    [720, 480],
  );
  assert.deepEqual(
    ladder.renditions.map((r) => r.width),
    [1280, 854],
  );
  assert.equal(ladder.renditions[0]?.bitrateKbps, 4000);
  assert.ok(ladder.renditions[1]!.bitrateKbps! < 4000 && ladder.renditions[1]!.bitrateKbps! > 4000 * (4 / 9));
  assert.equal(ladder.crf, undefined);
});

void test("params: one rate mode only, defaults as documented", () => {
  assert.equal(VideoTranscodeParams.safeParse({ crf: 20, bitrate_kbps: 2000 }).success, false);
  assert.equal(VideoTranscodeParams.safeParse({ crf: 40 }).success, false);
  assert.equal(VideoTranscodeParams.safeParse({ preset: "insane" }).success, false);
  assert.equal(VideoTranscodeParams.safeParse({ unknown: 1 }).success, false);
  const d = VideoTranscodeParams.parse({});
  assert.deepEqual([d.heights, d.preset, d.audio_bitrate_kbps, d.hls, d.poster], [[720], "veryfast", 128, false, true]);
  assert.equal(planTranscode(toMediaInfo(probe({})), d).crf, 23);
});

void test("H.264 level fits the picture and rate; codec strings are what HLS players parse", () => {
  assert.equal(h264LevelFor(1280, 720, 30).name, "3.1");
  assert.equal(h264LevelFor(1920, 1080, 30).name, "4.0");
  assert.equal(h264LevelFor(1920, 1080, 60).name, "4.2");
  assert.equal(h264LevelFor(3840, 2160, 30).name, "5.1");
  assert.equal(h264LevelFor(426, 240, 30).name, "3.0");
  assert.equal(avc1Codec("High", 31), "avc1.64001f");
  assert.equal(avc1Codec("Constrained Baseline", 30), "avc1.42e01e");
});

void test("ffmpeg -progress blocks split across chunks give percent of the duration, ending at 100", () => {
  const seen: FfmpegProgressEvent[] = [];
  const feed = ffmpegProgressListener((e) => seen.push(e));
  feed("frame=1\nout_time_us=N/A\nprogress=continue\nframe=30\nout_time_");
  feed("us=2500000\nout_time_ms=2500000\nprogress=contin");
  feed("ue\nout_time_ms=5000000\nprogress=continue\nprogress=end\n");
  assert.deepEqual(
    seen.map((e) => progressPercent(e, 10)),
    [25, 50, 100],
  );
  assert.equal(progressPercent({ outTimeSeconds: 11, end: false }, 10), 100);
});

void test("HLS: segments and bandwidth from the media playlist; the master names every rendition", () => {
  const segs = parseMediaPlaylist("#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.000000,\nsegment_00000.ts\n#EXTINF:2.5,\nsegment_00001.ts\n#EXT-X-ENDLIST\n");
  assert.deepEqual(segs, [
    { uri: "segment_00000.ts", durationSeconds: 4 },
    { uri: "segment_00001.ts", durationSeconds: 2.5 },
  ]);
  assert.deepEqual(
    segmentBandwidth([
      { durationSeconds: 4, bytes: 500_000 },
      { durationSeconds: 2, bytes: 500_000 },
    ]),
    { peak: 2_000_000, average: 1_333_334 },
  );
  const master = masterPlaylist([{ uri: "720p/index.m3u8", bandwidth: 2e6, averageBandwidth: 1.5e6, width: 1280, height: 720, frameRate: 30, codecs: ["avc1.64001f", "mp4a.40.2"] }]);
  assert.match(master, /^#EXTM3U\n/);
  assert.match(master, /#EXT-X-STREAM-INF:BANDWIDTH=2000000,AVERAGE-BANDWIDTH=1500000,RESOLUTION=1280x720,FRAME-RATE=30.000,CODECS="avc1.64001f,mp4a.40.2"\n720p\/index.m3u8\n/);
});

void test("sniffing tells a wrong kind of file from a damaged video", () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  assert.deepEqual(sniffMedia(new Uint8Array()), { kind: "empty" });
  assert.deepEqual(sniffMedia(bytes("hello, this is a CSV; ä ö\n1,2,3\n")), { kind: "other", name: "text" });
  assert.equal(sniffMedia(Uint8Array.from([0, 0, 0, 0x20, ...bytes("ftypisom")])).kind, "video-container");
  assert.equal(sniffMedia(Uint8Array.from([0x1a, 0x45, 0xdf, 0xa3, 1])).kind, "video-container");
  assert.deepEqual(sniffMedia(bytes("%PDF-1.7\n")), { kind: "other", name: "PDF document" });
  assert.deepEqual(sniffMedia(Uint8Array.from([0x00, 0xff, 0x13, 0x80, 0x01, 0x02])), { kind: "unknown" });
});
