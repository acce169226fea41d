import { h264LevelFor, type H264Level } from "./h264-level.ts";
import type { MediaInfo } from "./media-info.ts";
import { DEFAULT_CRF, hlsSettings, type VideoTranscodeParams } from "./video-transcode.params.ts";

export interface Rendition {
  height: number;
  /** Expected width (ffmpeg's scale=-2 computes the exact one; this is for levels and bitrates). */
  width: number;
  level: H264Level;
  /** Video bitrate in kbps in bitrate mode; undefined in CRF mode. */
  bitrateKbps: number | undefined;
  /** `video_<h>p.mp4`. */
  file: string;
}

export interface TranscodePlan {
  renditions: Rendition[];
  /** Output frame rate as ffmpeg reads it: the source's exact rational when it is constant. */
  fps: string;
  fpsValue: number;
  /** Fixed keyframe interval in frames, so HLS renditions cut at the same instants; null without HLS. */
  gop: number | null;
  crf: number | undefined;
}

export const PLAN_DEFAULTS = {
  /** Highest output frame rate; faster sources are resampled. Default: 60. */
  maxFps: 60,
} as const;

/** What the transcode will produce, as pure arithmetic on the probed facts and the params. */
export function planTranscode(info: MediaInfo, params: VideoTranscodeParams): TranscodePlan {
  const { fps, fpsValue } = outputFrameRate(info);
  const sourceHeight = even(info.video.displayHeight);
  const kept = [...new Set(params.heights.map(even))].filter((h) => h <= sourceHeight).sort((a, b) => b - a);
  const heights = kept.length > 0 ? kept : [sourceHeight];
  // As ffmpeg's scale=-2 rounds: to the nearest multiple of 2.
  const widthFor = (h: number) => Math.max(2, 2 * Math.round((info.video.displayWidth * h) / info.video.displayHeight / 2));
  const top = heights[0]!;
  const topPixels = widthFor(top) * top;
  const renditions = heights.map((height) => {
    const width = widthFor(height);
    // A rendition with a quarter of the pixels needs about a third of the bits, not a quarter:
    // compression works less well on small pictures.
    const bitrateKbps = params.bitrate_kbps === undefined ? undefined : Math.max(100, Math.round(params.bitrate_kbps * ((width * height) / topPixels) ** 0.75));
    return { height, width, level: h264LevelFor(width, height, fpsValue), bitrateKbps, file: `video_${height}p.mp4` };
  });
  const hls = hlsSettings(params);
  return {
    renditions,
    fps,
    fpsValue,
    gop: hls ? Math.max(1, Math.round(fpsValue * hls.segmentSeconds)) : null,
    crf: params.bitrate_kbps === undefined ? (params.crf ?? DEFAULT_CRF) : undefined,
  };
}

/** A constant source keeps its exact rate (29.97 stays 30000/1001); a variable one gets its average
 * rounded to a whole rate, which players and HLS segmenting handle everywhere. */
export function outputFrameRate(info: MediaInfo): { fps: string; fpsValue: number } {
  const { baseFps, avgFps, vfr } = info.video;
  if (!vfr && baseFps > 0 && baseFps <= PLAN_DEFAULTS.maxFps) {
    return { fps: rational(baseFps), fpsValue: baseFps };
  }
  const target = Math.min(PLAN_DEFAULTS.maxFps, Math.max(1, Math.round(avgFps || baseFps || 25)));
  return { fps: String(target), fpsValue: target };
}

/** NTSC rates as their exact fractions, whole rates as integers, others to the millisecond. */
function rational(fps: number): string {
  for (const base of [24, 30, 60]) {
    if (Math.abs(fps - (base * 1000) / 1001) < 0.001) return `${base * 1000}/1001`;
  }
  if (Math.abs(fps - Math.round(fps)) < 0.001) return String(Math.round(fps));
  return `${Math.round(fps * 1000)}/1000`;
}

function even(n: number): number {
  return Math.max(2, n - (n % 2));
}
