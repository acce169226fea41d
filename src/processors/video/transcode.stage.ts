import { join } from "node:path";
import { AppError } from "../../contracts/app-error.ts";
import type { OutputFile, StageContext, StageInput } from "../processor.ts";
import { progressPercent } from "./ffmpeg-progress.ts";
import { runFfmpeg } from "./ffmpeg-runner.ts";
import { toMediaInfo, type MediaInfo } from "./media-info.ts";
import { ffprobeJson, probeVideo } from "./media-probe.ts";
import { isFaststart, readMp4Layout } from "./mp4-boxes.ts";
import { planTranscode } from "./rendition-plan.ts";
import { transcodeArgs } from "./transcode-args.ts";
import type { VideoTranscodeParams } from "./video-transcode.params.ts";

export const TRANSCODE_STAGE = "transcode";

/** How much shorter than the source an output may be before the input counts as cut short: a
 * demuxer that hits missing bytes stops without an error, and a 4 s video from a 10 s upload is
 * a failure the user must hear about. */
const SHORTFALL = { ratio: 0.9, slackSeconds: 0.5 };

/** Writes every rendition of the ladder as a web MP4 in one ffmpeg run, then checks each one. */
export async function runTranscodeStage(input: StageInput<VideoTranscodeParams>, ctx: StageContext): Promise<{ outputs: OutputFile[] }> {
  const stage = TRANSCODE_STAGE;
  const info = await probeVideo(input.filePath, { signal: ctx.signal, stage });
  const plan = planTranscode(info, input.params);
  const label = `Encoding ${plan.renditions.map((r) => `${r.height}p`).join(", ")}`;
  ctx.log("transcode planned", { renditions: plan.renditions, fps: plan.fps, gop: plan.gop, rotation: info.video.rotation, vfr: info.video.vfr });
  ctx.progress({ done: 0, total: 100, label });
  const args = transcodeArgs(info, plan, { input: input.filePath, outDir: input.outDir, preset: input.params.preset, audioBitrateKbps: input.params.audio_bitrate_kbps });
  let last = -1;
  await runFfmpeg("ffmpeg", args, {
    signal: ctx.signal,
    stage,
    onProgress: (event) => {
      const percent = Math.floor(progressPercent(event, info.durationSeconds));
      if (percent > last && percent < 100) {
        last = percent;
        ctx.progress({ done: percent, total: 100, label });
      }
    },
  });
  for (const r of plan.renditions) await checkRendition(join(input.outDir, r.file), r.height, info, ctx.signal);
  ctx.progress({ done: 100, total: 100, label });
  return { outputs: plan.renditions.map((r) => ({ path: r.file, type: "video", format: "mp4", contentType: "video/mp4" })) };
}

/** An output that is not what was promised fails here, not in a user's browser. */
async function checkRendition(path: string, height: number, source: MediaInfo, signal: AbortSignal): Promise<void> {
  const stage = TRANSCODE_STAGE;
  const out = toMediaInfo(await ffprobeJson(path, { signal, stage }), stage);
  if (out.video.codec !== "h264" || out.video.displayHeight !== height || out.video.rotation !== 0) {
    throw new AppError("INVALID_OUTPUT", `${path} is ${out.video.codec} ${out.video.displayWidth}x${out.video.displayHeight} (rotation ${out.video.rotation}), expected upright H.264 at ${height}p`, {
      stage,
    });
  }
  if (!isFaststart(await readMp4Layout(path))) throw new AppError("INVALID_OUTPUT", `${path} has its index after the media data (no faststart)`, { stage });
  if (out.durationSeconds < source.durationSeconds * SHORTFALL.ratio - SHORTFALL.slackSeconds) {
    throw new AppError("INPUT_CORRUPT", `the input ends early: only ${out.durationSeconds.toFixed(1)} s of its ${source.durationSeconds.toFixed(1)} s could be decoded`, {
      stage,
      details: { decodedSeconds: out.durationSeconds, declaredSeconds: source.durationSeconds },
    });
  }
}
