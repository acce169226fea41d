import { open } from "node:fs/promises";
import { AppError } from "../../contracts/app-error.ts";
import { createFileMemo } from "../shared/file-memo.ts";
import { readAt } from "../shared/read-bytes.ts";
import { runFfmpeg } from "./ffmpeg-runner.ts";
import { sniffMedia, type SniffResult } from "./input-sniff.ts";
import { FfprobeJson, toMediaInfo, type MediaInfo } from "./media-info.ts";
import { readMp4Layout } from "./mp4-boxes.ts";
import { probeMp4Input } from "./mp4-input-probe.ts";

export interface ProbeOptions {
  signal: AbortSignal;
  stage?: string;
}

const SNIFF_BYTES = 4096;

const probed = createFileMemo<MediaInfo>();

/** Probes an input and refuses, with a code the user can act on, what cannot become a web video:
 * not a video (UNSUPPORTED_FORMAT), or a damaged, empty or truncated one (INPUT_CORRUPT). The facts
 * of an unchanged file are remembered in this process (see file-memo.ts): every stage of a task
 * probes the input, and the stages after the first pay a stat instead of an ffprobe (~150 ms). The
 * result is shared, so it is frozen. */
export function probeVideo(path: string, options: ProbeOptions): Promise<MediaInfo> {
  return probed(path, "probe", async () => {
    const info = await probeOnce(path, options);
    Object.freeze(info.video);
    if (info.audio) Object.freeze(info.audio);
    return Object.freeze(info);
  });
}

async function probeOnce(path: string, options: ProbeOptions): Promise<MediaInfo> {
  const where = options.stage ? { stage: options.stage } : {};
  const sniff = sniffMedia(await readHead(path));
  if (sniff.kind === "empty") throw new AppError("INPUT_CORRUPT", "the input file is empty", where);
  if (sniff.kind === "other" && sniff.name !== "GIF image") {
    throw new AppError("UNSUPPORTED_FORMAT", `the input is ${article(sniff.name)}, not a video`, where);
  }
  // An MP4 whose moov says it all exactly is read here; any other input, or doubt, goes to ffprobe.
  const mp4 = sniff.kind === "video-container" && sniff.name === "MP4/QuickTime" ? await probeMp4Input(path) : null;
  const json = mp4 ?? (await ffprobeJson(path, options, sniff));
  const info = toMediaInfo(json, options.stage);
  // ffmpeg plays a cut-off MP4 up to the cut without an error, so a half upload would silently become
  // a half video; the box headers show the cut before any decoding. The moov reader answers only for
  // a whole file, so this scan is for what ffprobe read.
  if (mp4 === null && sniff.kind === "video-container" && sniff.name === "MP4/QuickTime") {
    const layout = await readMp4Layout(path);
    if (layout.truncated) {
      const last = layout.boxes.at(-1);
      throw new AppError("INPUT_CORRUPT", `the video file is truncated: its '${last?.type ?? "?"}' box needs ${last ? last.offset + last.size : "?"} bytes, the file ends before that`, {
        ...where,
        details: { boxes: layout.boxes },
      });
    }
  }
  return info;
}

/** ffprobe's JSON for a path. */
export async function ffprobeJson(path: string, options: ProbeOptions, sniff?: SniffResult): Promise<FfprobeJson> {
  let stdout: string;
  try {
    ({ stdout } = await runFfmpeg("ffprobe", ["-print_format", "json", "-show_format", "-show_streams", path], options));
  } catch (error) {
    throw probeFailure(error, sniff, options.stage);
  }
  try {
    return FfprobeJson.parse(JSON.parse(stdout));
  } catch (cause) {
    throw new AppError("TOOL_FAILED", "ffprobe did not print the expected JSON", { ...(options.stage ? { stage: options.stage } : {}), cause });
  }
}

/** ffprobe says "Invalid data" for a text file and a damaged MP4 alike; the file's head tells them apart. */
function probeFailure(error: unknown, sniff: SniffResult | undefined, stage: string | undefined): unknown {
  if (!(error instanceof AppError) || (error.code !== "INPUT_CORRUPT" && error.code !== "TOOL_FAILED") || !sniff) return error;
  const where = { ...(stage ? { stage } : {}), cause: error };
  if (sniff.kind === "video-container") {
    return new AppError("INPUT_CORRUPT", `the ${sniff.name} file is damaged and cannot be opened (${error.message})`, where);
  }
  // An unknown binary could be a format this ffmpeg lacks as much as a wreck; say both.
  return new AppError("INPUT_CORRUPT", `the input cannot be read as a video: it is damaged, or a format ffmpeg does not know (${error.message})`, where);
}

async function readHead(path: string): Promise<Uint8Array> {
  const handle = await open(path, "r").catch((cause: unknown) => {
    throw new AppError("INPUT_NOT_FOUND", `the input file cannot be opened: ${path}`, { cause });
  });
  try {
    return await readAt(handle, 0, SNIFF_BYTES);
  } finally {
    await handle.close();
  }
}

function article(name: string): string {
  return name === "text" ? "a text file" : `${/^[aeiou]/i.test(name) ? "an" : "a"} ${name}`;
}
