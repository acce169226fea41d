import { openFileByteSource, type ByteSource } from "../shared/byte-source.ts";
import { firstSpsOfAvcC, type H264Sps } from "./h264-sps.ts";
import type { FfprobeJson } from "./media-info.ts";
import { readTopLevelBoxes } from "./mp4-boxes.ts";
import { children, fourcc, headerAt, movieHeader, multiply, need, only, payload, rotationOf, trackHeader, version, view, type Box } from "./mp4-movie-header.ts";

/** ffprobe's word for every ISO-BMFF file (MP4, MOV, M4V, 3GP): one demuxer reads them all. */
const ISO_BMFF_FORMAT = "mov,mp4,m4a,3gp,3g2,mj2";
/** av_reduce's bound: a rate whose reduced terms exceed it is rounded by ffprobe, not by us. */
const INT_MAX = 2 ** 31 - 1;
/** A sample entry with its codec setup (avcC, esds) is a few hundred bytes; more is not an input we know. */
const MAX_SAMPLE_ENTRY_BYTES = 64 * 1024;

/**
 * What `ffprobe -show_format -show_streams` would print for the fields this processor reads, taken
 * from an MP4's own `moov` where that is exact, or null to ask ffprobe (whose process start is most of
 * a probe: 55–130 ms, against a few small reads here). Exact means: one H.264 video track ('avc1',
 * progressive, 8-bit 4:2:0 Baseline/Main/High, its SPS size the sample entry's), at most one AAC audio
 * track, no other track, not fragmented, and a constant frame duration in `stts` (one entry, or a
 * last frame of its own), from which ffmpeg's demuxer sets both rates itself. Anything else, a
 * damaged box included, is ffprobe's to read or refuse, as before. A test holds this to ffprobe.
 */
export async function probeMp4Input(path: string): Promise<FfprobeJson | null> {
  const source = await openFileByteSource(path);
  try {
    const layout = await readTopLevelBoxes(source);
    const moovs = layout.boxes.filter((b) => b.type === "moov");
    if (layout.truncated || moovs.length !== 1) return null;
    return await fromMoov(source, await headerAt(source, moovs[0]!.offset, moovs[0]!.offset + moovs[0]!.size));
  } catch {
    // A box this reader cannot follow (BrokenMp4Error, a short read): ffprobe reads or refuses it,
    // with the error a user gets today. The fast path never decides a failure.
    return null;
  } finally {
    await source.close();
  }
}

async function fromMoov(source: ByteSource, moov: Box): Promise<FfprobeJson | null> {
  const top = await children(source, moov);
  if (top.some((b) => b.type === "mvex")) return null; // fragmented: the samples are in moof boxes
  const mvhdBytes = await payload(source, only(top, "mvhd", "moov"));
  const movie = movieHeader(mvhdBytes);
  if (!(movie.durationSeconds > 0)) return null;
  const traks = top.filter((b) => b.type === "trak");
  if (traks.length < 1 || traks.length > 2) return null;
  const streams: FfprobeJson["streams"] = [];
  let videos = 0;
  for (const [index, trak] of traks.entries()) {
    const t = await trackFacts(source, trak);
    if (t === null) return null;
    const rotation = rotationOf(multiply(t.matrix, movie.matrix), t.id);
    if (t.handler === "vide") {
      videos++;
      const v = await videoStream(source, t);
      if (v === null) return null;
      streams.push({ index, codec_type: "video", ...v, ...(rotation !== 0 ? { side_data_list: [{ side_data_type: "Display Matrix", rotation }] } : {}) });
    } else if (t.handler === "soun") {
      if (streams.some((s) => s.codec_type === "audio") || !(await isAac(source, t.entry))) return null;
      streams.push({ index, codec_type: "audio", codec_name: "aac" });
    } else return null;
  }
  if (videos !== 1) return null;
  return { streams, format: { format_name: ISO_BMFF_FORMAT, duration: movie.durationSeconds.toFixed(6) } };
}

interface TrackFacts {
  id: number;
  matrix: number[];
  handler: string;
  timescale: number;
  /** The first sample entry, header included. */
  entry: Box;
  stts: Box;
}

async function trackFacts(source: ByteSource, trak: Box): Promise<TrackFacts | null> {
  const inTrak = await children(source, trak);
  const tkhd = trackHeader(await payload(source, only(inTrak, "tkhd", "trak")));
  const mdia = await children(source, only(inTrak, "mdia", "trak"));
  const mdhd = await payload(source, only(mdia, "mdhd", "mdia"));
  const v1 = version(mdhd, "mdhd") === 1;
  need(mdhd, (v1 ? 20 : 12) + 4, "mdhd");
  const timescale = view(mdhd).getUint32(v1 ? 20 : 12);
  const hdlr = await payload(source, only(mdia, "hdlr", "mdia"));
  need(hdlr, 12, "hdlr");
  const stbl = await children(source, only(await children(source, only(mdia, "minf", "mdia")), "stbl", "minf"));
  const stsd = only(stbl, "stsd", "stbl");
  const head = await source.read(stsd.body, 8);
  if (head.length < 8 || timescale === 0) return null;
  // Several sample descriptions: the codec may change midway.
  if (view(head).getUint32(4) !== 1) return null;
  const entry = await headerAt(source, stsd.body + 8, stsd.end, "stsd");
  return { id: tkhd.id, matrix: tkhd.matrix, handler: fourcc(hdlr, 8), timescale, entry, stts: only(stbl, "stts", "stbl") };
}

type VideoFields = Pick<FfprobeJson["streams"][number], "codec_name" | "profile" | "level" | "width" | "height" | "r_frame_rate" | "avg_frame_rate">;

async function videoStream(source: ByteSource, t: TrackFacts): Promise<VideoFields | null> {
  if (t.entry.type !== "avc1") return null; // avc3 keeps its SPS in the stream; other codecs are ffprobe's
  const entryBytes = await sampleEntry(source, t.entry);
  // VisualSampleEntry: 8 bytes of SampleEntry, 16 reserved, width and height, then 50 more before its boxes.
  if (entryBytes === null || entryBytes.length < 78) return null;
  const width = view(entryBytes).getUint16(24);
  const height = view(entryBytes).getUint16(26);
  const avcC = boxIn(entryBytes, 78, "avcC");
  const sps = avcC && firstSpsOfAvcC(avcC);
  if (!sps || sps.width !== width || sps.height !== height) return null;
  const profile = profileName(sps);
  if (profile === null) return null;
  const rates = await frameRates(source, t);
  if (rates === null) return null;
  return { codec_name: "h264", profile, level: sps.levelIdc, width, height, ...rates };
}

/** ffmpeg's names (ff_h264_get_profile) for the profiles taken here; progressive 8-bit 4:2:0 only. */
function profileName(sps: H264Sps): string | null {
  if (!sps.frameMbsOnly || sps.chromaFormatIdc !== 1 || sps.bitDepthLuma !== 8) return null;
  // Level 1b is written two ways (level 11 + constraint_set3 in Baseline/Main): left to ffprobe.
  if (sps.levelIdc === 11 && (sps.constraints & 0x10) !== 0 && sps.profileIdc !== 100) return null;
  if (sps.profileIdc === 66) return (sps.constraints & 0x40) !== 0 ? "Constrained Baseline" : "Baseline";
  if (sps.profileIdc === 77) return "Main";
  if (sps.profileIdc === 100) return "High";
  return null;
}

/** r_frame_rate and avg_frame_rate as ffmpeg's MP4 demuxer sets them from `stts` when every frame
 * lasts the same (one entry, or one more for a last frame of its own length): the timescale over the
 * first duration, and the frames over the total duration. Written unreduced; `rate()` divides them,
 * which gives the same number as ffprobe's reduced fraction while both terms stay within av_reduce's bound. */
async function frameRates(source: ByteSource, t: TrackFacts): Promise<Pick<VideoFields, "r_frame_rate" | "avg_frame_rate"> | null> {
  const stts = await source.read(t.stts.body, 24);
  if (stts.length < 8 || stts[0] !== 0) return null;
  const v = view(stts);
  const count = v.getUint32(4);
  if (count < 1 || count > 2 || stts.length < 8 + 8 * count) return null;
  const entries = Array.from({ length: count }, (_, i) => ({ samples: v.getUint32(8 + 8 * i), delta: v.getUint32(12 + 8 * i) }));
  if (count === 2 && entries[1]!.samples !== 1) return null;
  const first = entries[0]!;
  if (first.samples < 1 || first.delta < 1 || entries.some((e) => e.delta < 1)) return null;
  const frames = entries.reduce((n, e) => n + e.samples, 0);
  const total = entries.reduce((n, e) => n + e.samples * e.delta, 0);
  const r = [t.timescale, first.delta] as const;
  const avg = [t.timescale * frames, total] as const;
  if (!withinReduce(...r) || !withinReduce(...avg)) return null;
  return { r_frame_rate: `${r[0]}/${r[1]}`, avg_frame_rate: `${avg[0]}/${avg[1]}` };
}

function withinReduce(num: number, den: number): boolean {
  if (!Number.isSafeInteger(num) || !Number.isSafeInteger(den)) return false;
  const g = gcd(num, den);
  return num / g <= INT_MAX && den / g <= INT_MAX;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** An 'mp4a' entry whose esds says MPEG-4 AAC (objectTypeIndication 0x40), in the plain (version 0) layout. */
async function isAac(source: ByteSource, entry: Box): Promise<boolean> {
  if (entry.type !== "mp4a") return false;
  const bytes = await sampleEntry(source, entry);
  // AudioSampleEntry: 8 bytes of SampleEntry, a version (QuickTime's 1 and 2 are longer), 26 more.
  if (bytes === null || bytes.length < 28 || view(bytes).getUint16(8) !== 0) return false;
  const esds = boxIn(bytes, 28, "esds");
  return esds !== null && objectTypeOf(esds) === 0x40;
}

/** esds (a full box) → ES_Descriptor (tag 3) → DecoderConfigDescriptor (tag 4) → its objectTypeIndication. */
function objectTypeOf(esds: Uint8Array): number | null {
  let at = 4;
  const descriptor = (): { tag: number; length: number } | null => {
    const tag = esds[at++];
    let length = 0;
    for (let i = 0; i < 4; i++) {
      const b = esds[at++];
      if (b === undefined) return null;
      length = length * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) break;
    }
    return tag === undefined ? null : { tag, length };
  };
  const es = descriptor();
  if (es?.tag !== 3) return null;
  const flags = esds[at + 2];
  if (flags === undefined) return null;
  at += 3;
  if (flags & 0x80) at += 2; // dependsOn_ES_ID
  if (flags & 0x40) at += 1 + (esds[at] ?? 0); // URL
  if (flags & 0x20) at += 2; // OCR_ES_Id
  const config = descriptor();
  return config?.tag === 4 ? (esds[at] ?? null) : null;
}

/** The sample entry's payload (its fields and boxes), or null when it is larger than any we know. */
async function sampleEntry(source: ByteSource, entry: Box): Promise<Uint8Array | null> {
  if (entry.end - entry.body > MAX_SAMPLE_ENTRY_BYTES) return null;
  const bytes = await source.read(entry.body, entry.end - entry.body);
  return bytes.length === entry.end - entry.body ? bytes : null;
}

/** The payload of the first box of `type` among the boxes from `at` to the end of `bytes`. */
function boxIn(bytes: Uint8Array, at: number, type: string): Uint8Array | null {
  while (at + 8 <= bytes.length) {
    const size = view(bytes).getUint32(at);
    if (size < 8 || at + size > bytes.length) return null;
    if (fourcc(bytes, at + 4) === type) return bytes.subarray(at + 8, at + size);
    at += size;
  }
  return null;
}
