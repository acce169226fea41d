import { z } from "zod";
import { AppError } from "../../contracts/app-error.ts";

/** The part of `ffprobe -print_format json -show_format -show_streams` this processor reads. */
export const FfprobeJson = z.object({
  streams: z
    .array(
      z.object({
        index: z.number().int(),
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        profile: z.string().optional(),
        level: z.number().optional(),
        width: z.number().int().optional(),
        height: z.number().int().optional(),
        pix_fmt: z.string().optional(),
        r_frame_rate: z.string().optional(),
        avg_frame_rate: z.string().optional(),
        duration: z.string().optional(),
        disposition: z.object({ attached_pic: z.number().optional() }).partial().optional(),
        tags: z.record(z.string(), z.string()).optional(),
        side_data_list: z.array(z.object({ side_data_type: z.string().optional(), rotation: z.number().optional() })).optional(),
      }),
    )
    .default([]),
  format: z.object({ format_name: z.string().optional(), duration: z.string().optional() }).optional(),
});
export type FfprobeJson = z.infer<typeof FfprobeJson>;

export interface VideoStreamInfo {
  readonly index: number;
  readonly codec: string;
  /** Stored (coded) size. */
  readonly width: number;
  readonly height: number;
  /** Degrees a player turns the picture, normalised to 0, 90, 180 or 270; 90 and 270 swap the sides. */
  readonly rotation: number;
  /** Size as shown, after rotation: what the user calls the video's size. */
  readonly displayWidth: number;
  readonly displayHeight: number;
  /** ffprobe's r_frame_rate (the base rate that can represent every timestamp) and average rate. */
  readonly baseFps: number;
  readonly avgFps: number;
  /** Variable frame rate: phones write these; players and HLS need a constant rate. */
  readonly vfr: boolean;
  readonly profile: string | undefined;
  readonly level: number | undefined;
}

/** Read-only: probeVideo shares one frozen MediaInfo per unchanged file among a process's stages. */
export interface MediaInfo {
  readonly formatName: string;
  readonly durationSeconds: number;
  readonly video: VideoStreamInfo;
  readonly audio: { readonly index: number; readonly codec: string } | null;
}

/** Demuxers ffmpeg uses for still pictures: they open fine and have a "video" stream of one frame. */
const IMAGE_FORMAT = /^(image2|.*_pipe|png|apng|webp|tiff?|bmp|jpeg)$/;
/** More than 1 % between the base and the average rate means the timestamps are not regular. */
const VFR_TOLERANCE = 0.01;

/** The facts of a probed file, or the AppError that says why it is no video this task can use. */
export function toMediaInfo(json: FfprobeJson, stage?: string): MediaInfo {
  const where = stage ? { stage } : {};
  const formatName = json.format?.format_name ?? "unknown";
  const videos = json.streams.filter((s) => s.codec_type === "video" && s.disposition?.attached_pic !== 1);
  const audio = json.streams.find((s) => s.codec_type === "audio");
  if (formatName.split(",").every((f) => IMAGE_FORMAT.test(f))) {
    throw new AppError("UNSUPPORTED_FORMAT", `the input is a still image (${formatName}), not a video`, where);
  }
  const v = videos[0];
  if (!v) {
    const what = audio ? `audio only (${audio.codec_name ?? "unknown codec"})` : "without any video stream";
    throw new AppError("UNSUPPORTED_FORMAT", `the input is ${what}: video_transcode needs a video stream`, where);
  }
  if (!v.width || !v.height) throw new AppError("INPUT_CORRUPT", "the video stream has no picture size: the header is damaged", where);
  const durationSeconds = positive(json.format?.duration) ?? Math.max(0, ...json.streams.map((s) => positive(s.duration) ?? 0));
  if (!(durationSeconds > 0)) throw new AppError("INPUT_CORRUPT", "the video has no duration: it holds no playable frames or its index is damaged", where);
  const rotation = rotationOf(v);
  const swap = rotation % 180 === 90;
  const baseFps = rate(v.r_frame_rate);
  const avgFps = rate(v.avg_frame_rate) || baseFps;
  return {
    formatName,
    durationSeconds,
    video: {
      index: v.index,
      codec: v.codec_name ?? "unknown",
      width: v.width,
      height: v.height,
      rotation,
      displayWidth: swap ? v.height : v.width,
      displayHeight: swap ? v.width : v.height,
      baseFps,
      avgFps,
      vfr: baseFps > 0 && avgFps > 0 && Math.abs(baseFps - avgFps) / avgFps > VFR_TOLERANCE,
      profile: v.profile,
      level: v.level,
    },
    audio: audio ? { index: audio.index, codec: audio.codec_name ?? "unknown" } : null,
  };
}

/** The display matrix wins over the legacy `rotate` tag (the matrix is what players obey). */
function rotationOf(stream: FfprobeJson["streams"][number]): number {
  const matrix = stream.side_data_list?.find((d) => d.rotation !== undefined)?.rotation;
  return normalRotation(matrix !== undefined ? matrix : Number(stream.tags?.rotate ?? 0));
}

/** Degrees as the nearest quarter turn in [0, 360): -90 → 270; junk → 0. */
export function normalRotation(degrees: number): number {
  if (!Number.isFinite(degrees)) return 0;
  return (((Math.round(degrees / 90) * 90) % 360) + 360) % 360;
}

/** "30000/1001" → 29.97; "0/0" or junk → 0. */
export function rate(value: string | undefined): number {
  if (!value) return 0;
  const [num, den = "1"] = value.split("/");
  const r = Number(num) / Number(den);
  return Number.isFinite(r) && r > 0 ? r : 0;
}

function positive(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
}
