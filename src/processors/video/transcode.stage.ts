import { join } from "node:path";
import type { OutputFile, StageContext, StageInput } from "../processor.ts";
import { progressPercent } from "./ffmpeg-progress.ts";
import { runFfmpeg } from "./ffmpeg-runner.ts";
import { probeVideo } from "./media-probe.ts";
import { checkRendition } from "./rendition-check.ts";
import { planTranscode } from "./rendition-plan.ts";
import { transcodeArgs } from "./transcode-args.ts";
import type { VideoTranscodeParams } from "./video-transcode.params.ts";

export const TRANSCODE_STAGE = "transcode";

/** Writes every rendition of the ladder as a web MP4 in one ffmpeg run, then checks each one. The
 * input's probe is the `probe` stage's, remembered in this process (a stat, not an ffprobe). */
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
  for (const r of plan.renditions) await checkRendition(join(input.outDir, r.file), r.height, info, stage);
  ctx.progress({ done: 100, total: 100, label });
  return { outputs: plan.renditions.map((r) => ({ path: r.file, type: "video", format: "mp4", contentType: "video/mp4" })) };
}
