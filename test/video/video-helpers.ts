import { open } from "node:fs/promises";
import { execa } from "execa";
import { videoTranscodeProcessor } from "../../src/processors/video/video-transcode.processor.ts";
import { runStages, type StagesRun } from "../helpers/run-stages.ts";

/** Runs every stage of video_transcode on a file, as a worker would. */
export function transcode(input: string, params: unknown, signal?: AbortSignal): Promise<StagesRun> {
  return runStages(videoTranscodeProcessor, input, params, signal ? { signal } : {});
}

export interface ProbedStream {
  index: number;
  codec_type: string;
  codec_name: string;
  profile?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  r_frame_rate: string;
  avg_frame_rate: string;
  side_data_list?: { rotation?: number }[];
  tags?: Record<string, string>;
}

export async function ffprobe(path: string): Promise<{ streams: ProbedStream[]; format: { duration: string; format_name: string } }> {
  const { stdout } = await execa("ffprobe", ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", path]);
  return JSON.parse(stdout) as { streams: ProbedStream[]; format: { duration: string; format_name: string } };
}

/** Presentation times of every video frame, in display order. */
export async function framePts(path: string): Promise<number[]> {
  const { stdout } = await execa("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time", "-of", "csv=p=0", path]);
  return stdout
    .split("\n")
    .map(Number)
    .filter((n) => Number.isFinite(n))
    .sort((a, b) => a - b);
}

/** key_frame flag and time of the first video frame of a file (an HLS segment). */
export async function firstFrame(path: string): Promise<{ key: boolean; pts: number }> {
  const { stdout } = await execa("ffprobe", ["-v", "error", "-select_streams", "v:0", "-read_intervals", "%+#1", "-show_entries", "frame=key_frame,pts_time", "-of", "csv=p=0", path]);
  const [key, pts] = (stdout.split("\n")[0] ?? "").split(",");
  return { key: key === "1", pts: Number(pts) };
}

/** Types of the top-level MP4 boxes, from their headers: written here, apart from the code under test. */
export async function topLevelBoxes(path: string): Promise<string[]> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const types: string[] = [];
    const head = Buffer.alloc(16);
    for (let at = 0; at + 8 <= size;) {
      await handle.read(head, 0, 16, at);
      const small = head.readUInt32BE(0);
      const boxSize = small === 1 ? Number(head.readBigUInt64BE(8)) : small === 0 ? size - at : small;
      types.push(head.toString("latin1", 4, 8));
      if (boxSize < 8) break;
      at += boxSize;
    }
    return types;
  } finally {
    await handle.close();
  }
}

export async function ffmpeg(args: string[]): Promise<void> {
  await execa("ffmpeg", ["-hide_banner", "-v", "error", "-y", ...args]);
}

/** A variable-frame-rate H.264 clip: 1 s at 30 fps then 2 s at 10 fps, timestamps kept as written. */
export async function writeVfrClip(path: string): Promise<void> {
  await ffmpeg([
    "-f",
    "lavfi",
    "-i",
    "testsrc2=size=320x240:rate=30",
    "-frames:v",
    "50",
    "-vf",
    "setpts='if(lt(N,30),N/30,1+(N-30)/10)/TB'",
    "-fps_mode",
    "passthrough",
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    path,
  ]);
}
