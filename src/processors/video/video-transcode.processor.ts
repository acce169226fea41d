import { defineProcessor, type Stage } from "../processor.ts";
import { runHlsStage } from "./hls.stage.ts";
import { probeVideo } from "./media-probe.ts";
import { runPosterStage } from "./poster.stage.ts";
import { planTranscode } from "./rendition-plan.ts";
import { runTranscodeStage, TRANSCODE_STAGE } from "./transcode.stage.ts";
import { hlsSettings, posterSettings, VideoTranscodeParams } from "./video-transcode.params.ts";

/** video_transcode: web MP4s (H.264 High + AAC-LC, faststart, upright, constant frame rate), an
 * optional HLS ladder with aligned keyframes, and a poster frame.
 *
 * Stages: `probe` (refuses non-videos and damaged files before any encoding), `transcode` (every
 * height in one ffmpeg run: one decode, one split; the heights are only known after probing, so
 * they cannot be stages of their own), `hls` (repackages the MP4s into segments without
 * re-encoding), `poster`. Each stage probes the input, so it can run alone after a resume on
 * another node; within one worker process the probe stage's result is remembered and the later
 * stages pay a stat. */
export const videoTranscodeProcessor = defineProcessor({
  taskType: "video_transcode",
  params: VideoTranscodeParams,
  // ffprobe and ffmpeg open the input for reading only (`-i`); every output goes to the output folder.
  inputReadOnly: true,
  profile: { cpu_percent: 50, ram_gb: 4, max_concurrent: 3, timeout_seconds: 7200 },
  stages(params) {
    const stages: Stage<VideoTranscodeParams>[] = [
      {
        name: "probe",
        label: "Reading video",
        weight: 0.02,
        async run(input, ctx) {
          const info = await probeVideo(input.filePath, { signal: ctx.signal, stage: "probe" });
          ctx.log("video probed", { ...info, plan: planTranscode(info, input.params) });
          return { outputs: [] };
        },
      },
      { name: TRANSCODE_STAGE, label: "Encoding web video", weight: 0.85, run: runTranscodeStage },
    ];
    if (hlsSettings(params)) stages.push({ name: "hls", label: "Packaging HLS", weight: 0.08, run: runHlsStage });
    if (posterSettings(params)) stages.push({ name: "poster", label: "Extracting poster", weight: 0.05, run: runPosterStage });
    return stages;
  },
});
