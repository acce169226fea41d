/** Wall time of the video_transcode processor against the plain ffmpeg command a person would type,
 * on the same file in the same run, alternating so machine load hits both alike.
 * Usage: node bench/tools/video-transcode.bench.ts [rounds] [input] */
import { cpus } from "node:os";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { runStages } from "../../test/helpers/run-stages.ts";
import { videoTranscodeProcessor } from "../../src/processors/video/video-transcode.processor.ts";

const ROUNDS = Number(process.argv[2] ?? 3);
const INPUT = resolve(process.argv[3] ?? join(import.meta.dirname, "../../../shared/fixtures/video/derived_testsrc2_720p_10s.mp4"));

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

async function plainFfmpeg(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "vs3d-bench-video-"));
  try {
    return await timed(() =>
      execa("ffmpeg", ["-v", "error", "-y", "-i", INPUT, "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-c:a", "aac", "-movflags", "+faststart", join(dir, "out.mp4")]),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function processor(params: object): Promise<number> {
  let cleanup = async () => {};
  const seconds = await timed(async () => {
    const run = await runStages(videoTranscodeProcessor, INPUT, params);
    cleanup = () => run.cleanup();
  });
  await cleanup();
  return seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const cases: Record<string, () => Promise<number>> = {
  "plain ffmpeg (veryfast, crf 23)": plainFfmpeg,
  "processor, defaults (720p + poster)": () => processor({}),
  "processor, 720p, no poster": () => processor({ poster: false }),
  "processor, 720p+480p+HLS+poster": () => processor({ heights: [720, 480], hls: true }),
};
const times: Record<string, number[]> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn] of Object.entries(cases)) (times[name] ??= []).push(await fn());
}
const base = median(times["plain ffmpeg (veryfast, crf 23)"]!);
console.log(`input ${INPUT}, ${ROUNDS} rounds, ${cpus().length}× ${cpus()[0]?.model ?? "?"}`);
for (const [name, xs] of Object.entries(times)) {
  console.log(`${name.padEnd(38)} median ${median(xs).toFixed(2)} s  (${xs.map((x) => x.toFixed(2)).join(", ")})  ratio ${(median(xs) / base).toFixed(2)}`);
}
