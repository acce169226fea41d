import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "../../contracts/app-error.ts";
import type { OutputFile, StageContext, StageInput } from "../processor.ts";
import { runFfmpeg } from "./ffmpeg-runner.ts";
import type { MediaInfo } from "./media-info.ts";
import { probeVideo } from "./media-probe.ts";
import { planTranscode } from "./rendition-plan.ts";
import { posterSettings, type VideoTranscodeParams } from "./video-transcode.params.ts";

const STAGE = "poster";

export const POSTER_DEFAULTS = {
  /** Where the default poster is taken, as a share of the duration: past fades from black and
   * title cards, still early enough to show what the video is about. Default: 0.1. */
  atFraction: 0.1,
  /** JPEG quality on ffmpeg's 2 (best) – 31 scale. Default: 3. */
  jpegQscale: 3,
  /** WEBP quality 0–100. Default: 80. */
  webpQuality: 80,
} as const;

/** The poster time: the asked one or 10 %, kept a frame short of the end so a frame exists there. */
export function posterTime(info: MediaInfo, atSeconds: number | undefined): number {
  const frame = info.video.avgFps > 0 ? 1 / info.video.avgFps : 0.04;
  const latest = Math.max(0, info.durationSeconds - frame);
  return Math.min(latest, atSeconds ?? info.durationSeconds * POSTER_DEFAULTS.atFraction);
}

/** One upright frame, as tall as the largest rendition. */
export async function runPosterStage(input: StageInput<VideoTranscodeParams>, ctx: StageContext): Promise<{ outputs: OutputFile[] }> {
  const settings = posterSettings(input.params);
  if (!settings) return { outputs: [] };
  const info = await probeVideo(input.filePath, { signal: ctx.signal, stage: STAGE });
  const height = planTranscode(info, input.params).renditions[0]!.height;
  const file = settings.format === "jpeg" ? "poster.jpg" : "poster.webp";
  const path = join(input.outDir, file);
  const codec = settings.format === "jpeg" ? ["-c:v", "mjpeg", "-q:v", String(POSTER_DEFAULTS.jpegQscale)] : ["-c:v", "libwebp", "-quality", String(POSTER_DEFAULTS.webpQuality)];
  const grab = (at: number) =>
    runFfmpeg(
      "ffmpeg",
      // -ss before -i seeks by the index (fast) and still decodes up to the exact frame.
      ["-ss", at.toFixed(3), "-i", input.filePath, "-map", `0:${info.video.index}`, "-frames:v", "1", "-vf", `scale=-2:${height}`, ...codec, "-map_metadata", "-1", "-update", "1", path],
      { signal: ctx.signal, stage: STAGE },
    );
  const at = posterTime(info, settings.atSeconds);
  await grab(at);
  // A seek into the last frames of a file whose index overstates its length yields nothing.
  if (at > 0 && (await sizeOf(path)) === 0) await grab(0);
  if ((await sizeOf(path)) === 0) throw new AppError("INPUT_CORRUPT", "no frame of the video could be decoded for the poster", { stage: STAGE });
  ctx.progress({ done: 1, total: 1, label: "Poster written" });
  return { outputs: [{ path: file, type: "poster", format: settings.format, contentType: `image/${settings.format}` }] };
}

async function sizeOf(path: string): Promise<number> {
  try {
    const s = await stat(path);
    if (s.size === 0) await rm(path, { force: true });
    return s.size;
  } catch {
    return 0;
  }
}
