import type { MediaInfo } from "./media-info.ts";
import type { TranscodePlan } from "./rendition-plan.ts";
import type { X264Preset } from "./video-transcode.params.ts";

export interface TranscodeArgsOptions {
  input: string;
  /** Directory the MP4s are written to. */
  outDir: string;
  preset: X264Preset;
  audioBitrateKbps: number;
}

/** One ffmpeg run for the whole ladder: the source is decoded once, made constant-rate once, and
 * split to one scaler and one x264 encoder per height. Rotation is applied by ffmpeg's autorotate
 * (on by default) before the graph, so the outputs are upright and carry no display matrix. */
export function transcodeArgs(info: MediaInfo, plan: TranscodePlan, options: TranscodeArgsOptions): string[] {
  const n = plan.renditions.length;
  const split = n > 1 ? `,split=${n}${plan.renditions.map((_, i) => `[s${i}]`).join("")};` : "[s0];";
  const scalers = plan.renditions.map((r, i) => `[s${i}]scale=-2:${r.height},format=yuv420p[v${i}]`).join(";");
  const graph = `[0:${info.video.index}]fps=${plan.fps}${split}${scalers}`;
  return [
    "-i",
    options.input,
    "-filter_complex",
    graph,
    ...plan.renditions.flatMap((r, i) => [
      "-map",
      `[v${i}]`,
      ...(info.audio ? ["-map", `0:${info.audio.index}`] : []),
      ...videoCodecArgs(plan, r.level.name, r.bitrateKbps, options.preset),
      ...(info.audio ? audioArgs(options.audioBitrateKbps) : ["-an"]),
      // Subtitles, data tracks, chapters and container tags (phones write GPS positions there) are
      // not for a public web player.
      "-sn",
      "-dn",
      "-map_metadata",
      "-1",
      "-map_chapters",
      "-1",
      "-movflags",
      "+faststart",
      "-f",
      "mp4",
      `${options.outDir}/${r.file}`,
    ]),
  ];
}

function videoCodecArgs(plan: TranscodePlan, level: string, bitrateKbps: number | undefined, preset: X264Preset): string[] {
  const rate =
    bitrateKbps === undefined
      ? ["-crf", String(plan.crf)]
      : // A VBV cap keeps peaks streamable; 2× the average over a 2 s buffer is the usual web setting.
        ["-b:v", `${bitrateKbps}k`, "-maxrate", `${Math.round(bitrateKbps * 1.5)}k`, "-bufsize", `${bitrateKbps * 2}k`];
  // HLS renditions must have keyframes at the same instants, so no scene-cut keyframes in between.
  const gop = plan.gop === null ? [] : ["-g", String(plan.gop), "-keyint_min", String(plan.gop), "-sc_threshold", "0"];
  return ["-c:v", "libx264", "-preset", preset, "-profile:v", "high", "-level:v", level, "-pix_fmt", "yuv420p", ...rate, ...gop, "-fps_mode", "cfr", "-r", plan.fps];
}

/** Stereo AAC-LC: browsers play it everywhere, unlike 5.1 AAC or the source's own codec. */
function audioArgs(bitrateKbps: number): string[] {
  return ["-c:a", "aac", "-b:a", `${bitrateKbps}k`, "-ac", "2"];
}
