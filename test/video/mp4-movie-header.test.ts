import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "../../src/contracts/app-error.ts";
import { readRenditionFacts, type RenditionFacts } from "../../src/processors/video/rendition-check.ts";
import { fixture } from "../helpers/fixtures.ts";
import { cleanupRuns, scratchDir } from "../helpers/run-stages.ts";
import { ffmpeg, ffprobe, transcode, writeVfrClip } from "./video-helpers.ts";

const SOURCE_720P = fixture("video", "derived_testsrc2_720p_10s.mp4");
let scratch = "";

void before(async () => {
  scratch = await scratchDir();
});
void after(cleanupRuns);

/** ffprobe's answer to what readRenditionFacts reads: the display matrix's turn and the size after it. */
async function ffprobeFacts(path: string): Promise<Pick<RenditionFacts, "codec" | "displayHeight" | "rotation" | "durationSeconds">> {
  const probed = await ffprobe(path);
  const v = probed.streams.find((s) => s.codec_type === "video")!;
  const turn = v.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? 0;
  const rotation = ((Math.round(turn) % 360) + 360) % 360;
  return { codec: v.codec_name, displayHeight: (rotation % 180 === 90 ? v.width : v.height)!, rotation, durationSeconds: Number(probed.format.duration) };
}

async function rotatedCopy(degrees: number): Promise<string> {
  const path = join(scratch, `rotated-${degrees}.mp4`);
  await ffmpeg(["-i", SOURCE_720P, "-t", "2", "-c", "copy", "-metadata:s:v", `rotate=${degrees}`, path]);
  return path;
}

/** Version-1 mvhd and tkhd (64-bit times, the matrix 12 bytes further on): ffmpeg writes them when a
 * duration does not fit 32 bits in the timescale, here 10 min at 10 MHz. */
async function longTimescale(rotate: number): Promise<string> {
  const path = join(scratch, `v1-${rotate}.mp4`);
  await ffmpeg([
    ...["-f", "lavfi", "-i", "testsrc2=size=96x64:rate=1", "-t", "600", "-c:v", "libx264", "-preset", "ultrafast"],
    ...["-movie_timescale", "10000000", "-video_track_timescale", "10000000", "-metadata:s:v", `rotate=${rotate}`, "-movflags", "+faststart", path],
  ]);
  const bytes = await readFile(path);
  for (const box of ["mvhd", "tkhd", "mdhd"]) assert.equal(bytes[bytes.indexOf(box) + 4], 1, `the test input's ${box} is version 1`);
  return path;
}

/** Offset of the first box of `type` among the boxes from `start` to `end`, from their headers. */
function boxAt(bytes: Buffer, type: string, start = 0, end = bytes.length): number {
  for (let at = start; at + 8 <= end;) {
    const size = bytes.readUInt32BE(at);
    if (bytes.toString("latin1", at + 4, at + 8) === type) return at;
    at += size === 1 ? Number(bytes.readBigUInt64BE(at + 8)) : size === 0 ? end - at : size;
  }
  throw new Error(`no ${type} box`);
}

void test("the movie header reader agrees with ffprobe on codec, displayed height, rotation and duration of real ffmpeg outputs", async () => {
  const clip = join(scratch, "clip.mp4");
  await ffmpeg(["-i", SOURCE_720P, "-t", "2", "-c", "copy", clip]);
  const ladder = await transcode(clip, { heights: [240, 144], preset: "ultrafast", poster: false });
  const rot90 = await rotatedCopy(90);
  const upright = await transcode(rot90, { heights: [240], preset: "ultrafast", poster: false });
  const vfr = join(scratch, "vfr.mp4");
  await writeVfrClip(vfr);
  const files = [
    ...ladder.outputs.transcode!.map((o) => join(ladder.outDir, o.path)), // H.264 + AAC, 240p and 144p
    upright.file("video"), // autorotated: 136x240, no matrix left
    rot90,
    await rotatedCopy(180),
    await rotatedCopy(270),
    await longTimescale(0),
    await longTimescale(90),
    vfr,
    SOURCE_720P,
    fixture("video", "filetype_fixture-imovie.mp4"),
    fixture("video", "filetype_fixture.mov"), // an edit list cuts its 0.72 s track to 0.10 s
  ];
  const rotations = new Set<number>();
  for (const path of files) {
    const ours = await readRenditionFacts(path, "test");
    const theirs = await ffprobeFacts(path);
    assert.deepEqual([ours.codec, ours.displayHeight, ours.rotation], [theirs.codec, theirs.displayHeight, theirs.rotation], path);
    assert.ok(Math.abs(ours.durationSeconds - theirs.durationSeconds) <= 0.05, `${path}: ${ours.durationSeconds} s, ffprobe ${theirs.durationSeconds} s`);
    rotations.add(theirs.rotation);
  }
  assert.deepEqual(
    [...rotations].sort((a, b) => a - b),
    [0, 90, 180, 270],
    "every quarter turn was compared",
  );
});

void test("64-bit box sizes and a moov that runs to the end of the file are read as ffprobe reads them", async () => {
  // Without faststart the moov is the last box, so growing it moves no media data.
  const plain = join(scratch, "moov-last.mp4");
  await ffmpeg(["-i", SOURCE_720P, "-t", "2", "-c", "copy", "-metadata:s:v", "rotate=270", plain]);
  const bytes = await readFile(plain);
  const moov = boxAt(bytes, "moov");
  const trak = boxAt(bytes, "trak", moov + 8, bytes.length);
  const trakSize = bytes.readUInt32BE(trak);
  const wide = Buffer.alloc(16);
  wide.writeUInt32BE(1, 0);
  wide.write("trak", 4, "latin1");
  wide.writeBigUInt64BE(BigInt(trakSize + 8), 8);
  const edited = Buffer.concat([bytes.subarray(0, trak), wide, bytes.subarray(trak + 8)]);
  edited.writeUInt32BE(0, moov); // size 0: "to the end of the file"
  const path = join(scratch, "wide-boxes.mp4");
  await writeFile(path, edited);
  const ours = await readRenditionFacts(path, "test");
  assert.deepEqual([ours.codec, ours.displayHeight, ours.rotation, ours.faststart], ["h264", 1280, 270, false]);
  const theirs = await ffprobeFacts(path);
  assert.deepEqual([ours.codec, ours.displayHeight, ours.rotation], [theirs.codec, theirs.displayHeight, theirs.rotation]);
  assert.ok(Math.abs(ours.durationSeconds - theirs.durationSeconds) <= 0.05);
});

void test("a malformed movie header is INVALID_OUTPUT naming the file and what is wrong", async () => {
  const clip = join(scratch, "clip-for-damage.mp4");
  await ffmpeg(["-i", SOURCE_720P, "-t", "2", "-c", "copy", clip]);
  const run = await transcode(clip, { heights: [144], preset: "ultrafast", poster: false });
  const good = await readFile(run.file("video"));
  const moov = boxAt(good, "moov");
  const moovEnd = moov + good.readUInt32BE(moov);
  const at = (type: string) => good.indexOf(type, moov) - 4;
  const edit = (change: (b: Buffer) => void) => {
    const b = Buffer.from(good);
    change(b);
    return b;
  };
  const cases: [string, Buffer, RegExp][] = [
    ["child past its parent", edit((b) => b.writeUInt32BE(0x7fff_ffff, at("tkhd"))), /the 'tkhd' box in 'trak' at byte \d+ declares 2147483647 bytes, past the end of its 'trak'/],
    ["box smaller than its header", edit((b) => b.writeUInt32BE(4, at("mdia"))), /the 'mdia' box .* declares 4 bytes, less than its own header/],
    ["unknown mvhd version", edit((b) => b.writeUInt8(2, at("mvhd") + 8)), /its 'mvhd' box has version 2/],
    ["zero display matrix", edit((b) => b.fill(0, at("tkhd") + 8 + 40, at("tkhd") + 8 + 40 + 36)), /display matrix is degenerate/],
    ["no mvhd", edit((b) => b.write("xxxx", at("mvhd") + 4, "latin1")), /its 'moov' box has no 'mvhd' box/],
    ["no video handler", edit((b) => b.write("xxxx", good.indexOf("vide", moov), "latin1")), /has no video track \(tracks: xxxx, soun\)/],
    ["no moov", edit((b) => b.write("free", moov + 4, "latin1")), /has no 'moov' box/],
    ["cut inside the moov", good.subarray(0, moovEnd - 100), /the file ends inside its 'moov' box/],
  ];
  const dir = join(scratch, "malformed");
  await mkdir(dir, { recursive: true });
  for (const [what, bytes, message] of cases) {
    const path = join(dir, "video_144p.mp4");
    await writeFile(path, bytes);
    await assert.rejects(
      readRenditionFacts(path, "transcode"),
      (e: unknown) => e instanceof AppError && e.code === "INVALID_OUTPUT" && e.stage === "transcode" && /^video_144p\.mp4 has /.test(e.message) && message.test(e.message),
      what,
    );
  }
});
