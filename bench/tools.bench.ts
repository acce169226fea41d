/** `npm run bench -- tools [--quick] [--rounds=N]`: the service's wall time for a COG and a transcode against the
 * bare tool on the same input in the same run. The service path is the real one — embedded service,
 * event store, local storage, one worker child per task — from submit to settled. The bare tool gets
 * the exact arguments the processor chose, so the ratio is the service's overhead, not a choice of
 * codec. Each round runs every service case back to back with its bare tool, the bare tool first in
 * odd rounds, so machine load and what the case before left behind (an output still being written
 * back to disk) hit both alike. */
import { randomUUID } from "node:crypto";
import { copyFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { loadConfig } from "../src/config/config.ts";
import { TaskMessage } from "../src/contracts/task-message.ts";
import { silentLogger } from "../src/infra/logger.ts";
import { chooseCog, cogTranslateArgs } from "../src/processors/geotiff/cog-options.ts";
import { inspectGeoTiff } from "../src/processors/geotiff/raster-inspect.ts";
import { probeVideo } from "../src/processors/video/media-probe.ts";
import { planTranscode } from "../src/processors/video/rendition-plan.ts";
import { transcodeArgs } from "../src/processors/video/transcode-args.ts";
import { VideoTranscodeParams } from "../src/processors/video/video-transcode.params.ts";
import { createService } from "../src/service/service.ts";
import { FIXTURES } from "../test/helpers/fixtures.ts";

const quick = process.argv.includes("--quick");
const roundsArg = process.argv.find((a) => a.startsWith("--rounds="));
// Three by default; more make the median steadier on a noisy VM (the tool's own time moves ±5 % between rounds).
const ROUNDS = roundsArg ? Math.max(1, Number(roundsArg.slice("--rounds=".length)) || 3) : quick ? 1 : 3;
const RASTER = join(FIXTURES, "geotiff", "derived_large_rgb_6000px_striped.tif");
const VIDEO = join(FIXTURES, "video", "derived_testsrc2_720p_10s.mp4");

const root = await mkdtemp(join(tmpdir(), "vs3d-bench-tools-"));
const config = loadConfig({ DATA_DIR: join(root, "data"), WORK_DIR: join(root, "work"), LOG_LEVEL: "silent" });
const service = await createService(config, silentLogger());
const storageRoot = join(root, "data", "storage");
await mkdir(join(storageRoot, "in"), { recursive: true });
await copyFile(RASTER, join(storageRoot, "in", "raster.tif"));
await copyFile(VIDEO, join(storageRoot, "in", "video.mp4"));

async function viaService(taskType: "geotiff_cog" | "video_transcode", key: string, params: Record<string, unknown>): Promise<number> {
  const task = TaskMessage.parse({
    task_id: randomUUID(),
    tenant_id: randomUUID(),
    file_id: randomUUID(),
    task_type: taskType,
    submitted_at: new Date().toISOString(),
    source: { bucket: "in", key },
    destination: { bucket: "out", base_key: `${randomUUID()}/` },
    params,
    retry: { attempt: 1, max_attempts: 1 },
  });
  const submitted = new Date();
  const start = performance.now();
  const { done } = await service.host.submit(task);
  const outcome = await done;
  if (outcome !== "completed") throw new Error(`${taskType} ended ${outcome}`);
  const seconds = (performance.now() - start) / 1000;
  (phases[taskType] ??= []).push(await phasesOf(task.task_id, submitted));
  return seconds;
}

/** Where a service task's wall time went, from the stamps of its stream's facts (ms). "accept" is
 * submit → DownloadStarted, "slot" DownloadCompleted → SlotGranted, "start" SlotGranted → the first
 * StageStarted (the worker's start), a stage's time includes the upload of its outputs, and "end" is
 * the last StageCompleted → the task settled in this process. */
async function phasesOf(taskId: string, submitted: Date): Promise<Record<string, number>> {
  const settled = Date.now();
  const events = (await service.store.readStream(`task-${taskId}`)).map((e) => ({ type: e.type, ...(e.data as { at: string; stage?: string }) }));
  const at = (type: string, stage?: string) => Date.parse(events.find((e) => e.type === type && (stage === undefined || e.stage === stage))?.at ?? "");
  const out: Record<string, number> = {
    accept: at("DownloadStarted") - submitted.getTime(),
    download: at("DownloadCompleted") - at("DownloadStarted"),
    slot: at("SlotGranted") - at("DownloadCompleted"),
  };
  const stages = events.filter((e) => e.type === "StageStarted").map((e) => e.stage!);
  out.start = at("StageStarted", stages[0]) - at("SlotGranted");
  for (const stage of stages) out[stage] = at("StageCompleted", stage) - at("StageStarted", stage);
  out.end = settled - at("StageCompleted", stages.at(-1));
  return out;
}
const phases: Record<string, Record<string, number>[]> = {};

async function bare(tool: string, args: (out: string) => string[]): Promise<number> {
  const dir = await mkdtemp(join(root, "bare-"));
  const start = performance.now();
  await execa(tool, args(dir));
  const seconds = (performance.now() - start) / 1000;
  await rm(dir, { recursive: true, force: true });
  return seconds;
}

// The processor's own choice of COG options, computed the way its `cog` stage computes them.
const rasterInfo = await inspectGeoTiff(RASTER, { signal: new AbortController().signal, stage: "bench" });
const cogRequest = { blockSize: 512, webOptimized: false };
const cogArgs = (out: string) => cogTranslateArgs(RASTER, join(out, "cog.tif"), rasterInfo, cogRequest, chooseCog(rasterInfo, cogRequest));
// The processor's own ffmpeg command, planned the way its `transcode` stage plans it (probe, ladder,
// arguments), so the bare run encodes exactly what the service encodes.
const transcodeParams = VideoTranscodeParams.parse({ heights: [720], poster: false });
const videoInfo = await probeVideo(VIDEO, { signal: new AbortController().signal, stage: "bench" });
const transcodePlan = planTranscode(videoInfo, transcodeParams);
const ffmpegArgs = (out: string) => [
  "-hide_banner",
  "-nostdin",
  "-loglevel",
  "error",
  "-y",
  ...transcodeArgs(videoInfo, transcodePlan, { input: VIDEO, outDir: out, preset: transcodeParams.preset, audioBitrateKbps: transcodeParams.audio_bitrate_kbps }),
];

const cases = {
  "geotiff_cog via service (no preview)": () => viaService("geotiff_cog", "raster.tif", { preview: false }),
  "gdal_translate -of COG, same options": () => bare("gdal_translate", cogArgs),
  "video_transcode via service (720p, no poster)": () => viaService("video_transcode", "video.mp4", { heights: [720], poster: false }),
  "ffmpeg, the processor's own arguments": () => bare("ffmpeg", ffmpegArgs),
};
const times: Record<string, number[]> = {};
// This process is the service: its CPU while a case runs is what the service takes from the tool's
// cores (main thread, PGlite, GC, libuv's pool), and while a bare tool runs, its idle cost.
const cpu: Record<string, number[]> = {};
try {
  // Each service case and its bare tool form a pair; odd rounds run the bare tool first, so neither
  // always follows the other (a tool's output still being written back to disk, say).
  const entries = Object.entries(cases);
  const pairs = [entries.slice(0, 2), entries.slice(2, 4)];
  for (let round = 0; round < ROUNDS; round++)
    for (const pair of pairs)
      for (const [name, fn] of round % 2 === 0 ? pair : [...pair].reverse()) {
        const before = process.cpuUsage();
        (times[name] ??= []).push(await fn());
        const used = process.cpuUsage(before);
        (cpu[name] ??= []).push((used.user + used.system) / 1e6);
      }
} finally {
  await service.close();
  await rm(root, { recursive: true, force: true });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`machine: ${cpus().length}× ${cpus()[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}; ${ROUNDS} round(s); ${new Date().toISOString()}`);
for (const [name, xs] of Object.entries(times)) console.log(`${name.padEnd(48)} median ${median(xs).toFixed(2)} s  (${xs.map((x) => x.toFixed(2)).join(", ")})`);
const series = (rounds: Record<string, number>[]) => Object.keys(rounds[0] ?? {}).map((k) => `${k} ${rounds.map((r) => r[k]).join("/")}`);
for (const [name, xs] of Object.entries(cpu)) console.log(`service process CPU-s during ${name}: ${xs.map((x) => x.toFixed(2)).join(", ")}`);
for (const [taskType, rounds] of Object.entries(phases)) console.log(`${taskType} phases, ms per round: ${series(rounds).join(", ")}`);
const ratio = (a: string, b: string) => (median(times[a]!) / median(times[b]!)).toFixed(2);
// Each round runs a service case and its bare tool back to back: their ratio is taken under the same
// machine conditions, which on a shared VM drift by ±10 % between rounds.
const paired = (a: string, b: string) => times[a]!.map((x, i) => x / times[b]![i]!);
const pairedLine = (a: string, b: string) =>
  `median ${median(paired(a, b)).toFixed(2)} (${paired(a, b)
    .map((x) => x.toFixed(2))
    .join(", ")})`;
console.log(`per-round ratios, geotiff_cog: ${pairedLine("geotiff_cog via service (no preview)", "gdal_translate -of COG, same options")}`);
console.log(`per-round ratios, video_transcode: ${pairedLine("video_transcode via service (720p, no poster)", "ffmpeg, the processor's own arguments")}`);
console.log(
  `cog_ratio=${ratio("geotiff_cog via service (no preview)", "gdal_translate -of COG, same options")} transcode_ratio=${ratio("video_transcode via service (720p, no poster)", "ffmpeg, the processor's own arguments")}`,
);
