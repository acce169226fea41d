import { basename } from "node:path";
import { AppError } from "../../contracts/app-error.ts";
import { openFileByteSource } from "../shared/byte-source.ts";
import type { MediaInfo } from "./media-info.ts";
import { isFaststart, readTopLevelBoxes, type Mp4Layout } from "./mp4-boxes.ts";
import { BrokenMp4Error, readMovieHeader, type Mp4Movie } from "./mp4-movie-header.ts";

/** How much shorter than the source an output may be before the input counts as cut short: a
 * demuxer that hits missing bytes stops without an error, and a 4 s video from a 10 s upload is
 * a failure the user must hear about. */
export const SHORTFALL = { ratio: 0.9, slackSeconds: 0.5 } as const;

/** Sample entry types as ffprobe names their codecs; 'avc1' and 'avc3' are H.264. */
const CODECS: Record<string, string> = { avc1: "h264", avc3: "h264", hvc1: "hevc", hev1: "hevc", av01: "av1", vp09: "vp9", mp4v: "mpeg4" };

/** What a player would make of an MP4, read from its movie header. */
export interface RenditionFacts {
  /** ffprobe's codec name: 'h264' for an avc1/avc3 sample entry, else the entry's type. */
  codec: string;
  /** Size as shown: the tkhd presentation size turned by the display matrix. */
  displayWidth: number;
  displayHeight: number;
  rotation: number;
  /** The movie's length (mvhd), as ffprobe prints it for the format. */
  durationSeconds: number;
  faststart: boolean;
}

/** The facts of the first video track of the MP4 at `path`, from its own boxes: no ffprobe process
 * (~150 ms each), a few small reads. test/video checks them against ffprobe's on real files. A moov
 * that breaks the box rules or lacks a video track is INVALID_OUTPUT. */
export async function readRenditionFacts(path: string, stage: string): Promise<RenditionFacts> {
  const name = basename(path);
  const { layout, movie } = await readRendition(path, name, stage);
  const video = movie.tracks.find((t) => t.handler === "vide");
  if (!video) throw new AppError("INVALID_OUTPUT", `${name} has no video track (tracks: ${movie.tracks.map((t) => t.handler).join(", ") || "none"})`, { stage });
  // ffmpeg writes the coded height as the tkhd height and scales only the width by the pixel
  // aspect ratio, so the height is exact and the width may be off by a pixel.
  const swap = video.rotation % 180 === 90;
  return {
    codec: CODECS[video.sampleEntry] ?? video.sampleEntry,
    displayWidth: Math.round(swap ? video.height : video.width),
    displayHeight: Math.round(swap ? video.width : video.height),
    rotation: video.rotation,
    durationSeconds: movie.durationSeconds,
    faststart: isFaststart(layout),
  };
}

/** An output that is not what was promised fails here, not in a user's browser: upright H.264 at
 * `height` (displayed), faststart, and not much shorter than the source. */
export async function checkRendition(path: string, height: number, source: MediaInfo, stage: string): Promise<void> {
  const name = basename(path);
  const out = await readRenditionFacts(path, stage);
  if (out.codec !== "h264" || out.displayHeight !== height || out.rotation !== 0) {
    throw new AppError("INVALID_OUTPUT", `${name} is ${out.codec} ${out.displayWidth}x${out.displayHeight} (rotation ${out.rotation}), expected upright H.264 at ${height}p`, { stage });
  }
  if (!out.faststart) throw new AppError("INVALID_OUTPUT", `${name} has its index after the media data (no faststart)`, { stage });
  if (!(out.durationSeconds > 0)) throw new AppError("INVALID_OUTPUT", `${name} declares no duration in its movie header`, { stage });
  if (out.durationSeconds < source.durationSeconds * SHORTFALL.ratio - SHORTFALL.slackSeconds) {
    throw new AppError("INPUT_CORRUPT", `the input ends early: only ${out.durationSeconds.toFixed(1)} s of its ${source.durationSeconds.toFixed(1)} s could be decoded`, {
      stage,
      details: { decodedSeconds: out.durationSeconds, declaredSeconds: source.durationSeconds },
    });
  }
}

async function readRendition(path: string, name: string, stage: string): Promise<{ layout: Mp4Layout; movie: Mp4Movie }> {
  const source = await openFileByteSource(path);
  try {
    const layout = await readTopLevelBoxes(source);
    const last = layout.boxes.at(-1);
    if (layout.truncated) throw new BrokenMp4Error(`the file ends inside its '${last?.type ?? "?"}' box (${source.size} bytes)`);
    const moov = layout.boxes.find((b) => b.type === "moov");
    if (!moov) throw new BrokenMp4Error(`it has no 'moov' box (top-level boxes: ${layout.boxes.map((b) => b.type).join(", ") || "none"})`);
    return { layout, movie: await readMovieHeader(source, moov) };
  } catch (error) {
    if (error instanceof BrokenMp4Error) throw new AppError("INVALID_OUTPUT", `${name} has a malformed movie header: ${error.message}`, { stage, cause: error });
    throw error;
  } finally {
    await source.close();
  }
}
