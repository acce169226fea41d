/** Parses ffmpeg's `-progress pipe:1` output, blocks of `key=value` lines each closed by
 * `progress=continue|end`, arriving in arbitrary chunks. */
export interface FfmpegProgressEvent {
  /** Media time written so far, seconds. */
  outTimeSeconds: number;
  /** True on the block ffmpeg prints when it has finished. */
  end: boolean;
}

/** out_time_us is microseconds; so is out_time_ms (a long-standing ffmpeg misnomer), used when
 * out_time_us is absent. Negative or N/A values (before the first frame) give null. */
export function outTimeSeconds(fields: ReadonlyMap<string, string>): number | null {
  const raw = fields.get("out_time_us") ?? fields.get("out_time_ms");
  const us = Number(raw);
  if (raw === undefined || raw === "N/A" || !Number.isFinite(us) || us < 0) return null;
  return us / 1e6;
}

/** Returns a chunk feeder that calls `onProgress` once per completed block with a known time. */
export function ffmpegProgressListener(onProgress: (event: FfmpegProgressEvent) => void): (chunk: string) => void {
  let pending = "";
  let fields = new Map<string, string>();
  return (chunk) => {
    const lines = (pending + chunk).split("\n");
    pending = (lines.pop() ?? "").slice(-1024);
    for (const line of lines) {
      const eq = line.indexOf("=");
      if (eq <= 0) continue;
      const key = line.slice(0, eq).trim();
      const value = line.slice(eq + 1).trim();
      fields.set(key, value);
      if (key !== "progress") continue;
      const seconds = outTimeSeconds(fields);
      if (seconds !== null || value === "end") onProgress({ outTimeSeconds: seconds ?? 0, end: value === "end" });
      fields = new Map();
    }
  };
}

/** Percent of `durationSeconds` done, held within 0–100 (audio may run past the video's end). */
export function progressPercent(event: FfmpegProgressEvent, durationSeconds: number): number {
  if (event.end) return 100;
  if (!(durationSeconds > 0)) return 0;
  return Math.min(100, Math.max(0, (event.outTimeSeconds / durationSeconds) * 100));
}
