import { z } from "zod";

/** x264's speed/size trade-offs, fastest first. */
export const X264_PRESETS = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow"] as const;
export const X264Preset = z.enum(X264_PRESETS);
export type X264Preset = z.infer<typeof X264Preset>;

export const HlsParams = z
  .object({
    /** Target segment length; also the keyframe interval of every rendition. Default: 4. */
    segment_seconds: z.number().min(1).max(30).default(4),
  })
  .strict();

export const PosterParams = z
  .object({
    /** Time of the frame. Default: 10 % of the duration (clamped to the video's length). */
    at_seconds: z.number().min(0).optional(),
    /** Default: "jpeg". */
    format: z.enum(["jpeg", "webp"]).default("jpeg"),
  })
  .strict();

/** Params of `video_transcode`. */
export const VideoTranscodeParams = z
  .object({
    /** Target display heights in pixels. Heights above the source's are dropped (never upscale);
     * when none remain the source height is used. Odd heights round down to even. Default: [720]. */
    heights: z.array(z.number().int().min(32).max(4320)).min(1).max(8).default([720]),
    /** Constant-quality mode, x264 CRF. Default: 23 when bitrate_kbps is not given. */
    crf: z.number().int().min(18).max(35).optional(),
    /** Average video bitrate of the largest rendition; smaller ones get a share by pixel count. */
    bitrate_kbps: z.number().int().min(100).max(100_000).optional(),
    /** Default: "veryfast". */
    preset: X264Preset.default("veryfast"),
    /** AAC bitrate. Default: 128. */
    audio_bitrate_kbps: z.number().int().min(32).max(512).default(128),
    /** An HLS ladder with one media playlist per height and a master.m3u8. Default: false. */
    hls: z.union([z.boolean(), HlsParams]).default(false),
    /** One still frame. Default: true (JPEG at 10 % of the duration). */
    poster: z.union([z.boolean(), PosterParams]).default(true),
  })
  .strict()
  .refine((p) => !(p.crf !== undefined && p.bitrate_kbps !== undefined), {
    message: "give crf or bitrate_kbps, not both",
    path: ["bitrate_kbps"],
  });
export type VideoTranscodeParams = z.infer<typeof VideoTranscodeParams>;
export type VideoTranscodeParamsInput = z.input<typeof VideoTranscodeParams>;

export const DEFAULT_CRF = 23;
export const DEFAULT_SEGMENT_SECONDS = 4;

/** HLS settings, or null when no ladder was asked for. */
export function hlsSettings(params: VideoTranscodeParams): { segmentSeconds: number } | null {
  if (params.hls === false) return null;
  return { segmentSeconds: params.hls === true ? DEFAULT_SEGMENT_SECONDS : params.hls.segment_seconds };
}

/** Poster settings, or null when none was asked for. */
export function posterSettings(params: VideoTranscodeParams): { atSeconds: number | undefined; format: "jpeg" | "webp" } | null {
  if (params.poster === false) return null;
  if (params.poster === true) return { atSeconds: undefined, format: "jpeg" };
  return { atSeconds: params.poster.at_seconds, format: params.poster.format };
}
