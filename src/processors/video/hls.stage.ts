import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "../../contracts/app-error.ts";
import type { OutputFile, StageContext, StageInput } from "../processor.ts";
import { runFfmpeg } from "./ffmpeg-runner.ts";
import { avc1Codec } from "./h264-level.ts";
import { AAC_LC_CODEC, masterPlaylist, parseMediaPlaylist, segmentBandwidth, type Variant } from "./hls-playlists.ts";
import { rate, toMediaInfo } from "./media-info.ts";
import { ffprobeJson } from "./media-probe.ts";
import { probeMp4Input } from "./mp4-input-probe.ts";
import { TRANSCODE_STAGE } from "./transcode.stage.ts";
import { hlsSettings, type VideoTranscodeParams } from "./video-transcode.params.ts";

const STAGE = "hls";
export const HLS_DIR = "hls";

/** Cuts each MP4 of the transcode stage into MPEG-TS segments without re-encoding. The MP4s were
 * encoded with a fixed GOP of exactly one segment and no scene-cut keyframes, so every segment of
 * every rendition starts on a keyframe at the same instant and players can switch between them. */
export async function runHlsStage(input: StageInput<VideoTranscodeParams>, ctx: StageContext): Promise<{ outputs: OutputFile[] }> {
  const settings = hlsSettings(input.params);
  if (!settings) return { outputs: [] };
  const videos = (input.previous[TRANSCODE_STAGE] ?? []).filter((o) => o.type === "video");
  if (videos.length === 0) throw new AppError("INTERNAL", "the transcode stage left no MP4 to package", { stage: STAGE });
  const outputs: OutputFile[] = [];
  const variants: Variant[] = [];
  for (const [i, video] of videos.entries()) {
    const mp4 = join(input.outDir, video.path);
    // Our own renditions are CFR H.264 MP4s: their moov says what ffprobe would (probeMp4Input).
    const probed = (await probeMp4Input(mp4)) ?? (await ffprobeJson(mp4, { signal: ctx.signal, stage: STAGE }));
    const info = toMediaInfo(probed, STAGE);
    const name = `${info.video.displayHeight}p`;
    const dir = join(input.outDir, HLS_DIR, name);
    await mkdir(dir, { recursive: true });
    const label = `Segmenting ${name} (${i + 1} of ${videos.length})`;
    ctx.progress({ done: i, total: videos.length, label });
    await runFfmpeg(
      "ffmpeg",
      [
        "-i",
        mp4,
        "-map",
        "0",
        "-c",
        "copy",
        "-f",
        "hls",
        "-hls_time",
        String(settings.segmentSeconds),
        "-hls_playlist_type",
        "vod",
        "-hls_segment_type",
        "mpegts",
        "-hls_flags",
        "independent_segments",
        "-hls_segment_filename",
        "segment_%05d.ts",
        "index.m3u8",
      ],
      // Run inside the rendition's folder so the playlist names its segments relatively.
      { signal: ctx.signal, stage: STAGE, cwd: dir },
    );
    const segments = parseMediaPlaylist(await readFile(join(dir, "index.m3u8"), "utf8"));
    if (segments.length === 0) throw new AppError("INVALID_OUTPUT", `the ${name} HLS playlist lists no segments`, { stage: STAGE });
    const sized = await Promise.all(segments.map(async (s) => ({ ...s, bytes: (await stat(join(dir, s.uri))).size })));
    const bandwidth = segmentBandwidth(sized);
    const v = probed.streams.find((s) => s.index === info.video.index);
    variants.push({
      uri: `${name}/index.m3u8`,
      bandwidth: bandwidth.peak,
      averageBandwidth: bandwidth.average,
      width: info.video.displayWidth,
      height: info.video.displayHeight,
      frameRate: rate(v?.avg_frame_rate) || info.video.baseFps,
      codecs: [avc1Codec(v?.profile, v?.level), ...(info.audio ? [AAC_LC_CODEC] : [])],
    });
    outputs.push({ path: `${HLS_DIR}/${name}/index.m3u8`, type: "hls", format: "m3u8", contentType: "application/vnd.apple.mpegurl" });
    for (const s of segments) outputs.push({ path: `${HLS_DIR}/${name}/${s.uri}`, type: "hls", format: "ts", contentType: "video/mp2t" });
  }
  await writeFile(join(input.outDir, HLS_DIR, "master.m3u8"), masterPlaylist(variants));
  ctx.progress({ done: videos.length, total: videos.length, label: "HLS ladder written" });
  // The master first: it is the one URL the platform hands to players.
  return { outputs: [{ path: `${HLS_DIR}/master.m3u8`, type: "hls", format: "m3u8", contentType: "application/vnd.apple.mpegurl" }, ...outputs] };
}
