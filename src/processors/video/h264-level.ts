/** H.264 levels a web player may be asked to honour (Annex A, table A-1): the most macroblocks per
 * frame and per second each allows. Lower levels are left out on purpose: their bitrate caps are
 * below what CRF encoding may briefly reach, and every browser decodes 3.0. */
const LEVELS: ReadonlyArray<{ name: string; idc: number; maxFs: number; maxMbps: number }> = [
  { name: "3.0", idc: 30, maxFs: 1620, maxMbps: 40_500 },
  { name: "3.1", idc: 31, maxFs: 3600, maxMbps: 108_000 },
  { name: "3.2", idc: 32, maxFs: 5120, maxMbps: 216_000 },
  { name: "4.0", idc: 40, maxFs: 8192, maxMbps: 245_760 },
  { name: "4.2", idc: 42, maxFs: 8704, maxMbps: 522_240 },
  { name: "5.0", idc: 50, maxFs: 22_080, maxMbps: 589_824 },
  { name: "5.1", idc: 51, maxFs: 36_864, maxMbps: 983_040 },
  { name: "5.2", idc: 52, maxFs: 36_864, maxMbps: 2_073_600 },
  { name: "6.0", idc: 60, maxFs: 139_264, maxMbps: 4_177_920 },
  { name: "6.1", idc: 61, maxFs: 139_264, maxMbps: 8_355_840 },
  { name: "6.2", idc: 62, maxFs: 139_264, maxMbps: 16_711_680 },
];

export interface H264Level {
  /** As x264's -level takes it, e.g. "3.1". */
  name: string;
  /** level_idc, e.g. 31, as in an RFC 6381 codec string. */
  idc: number;
}

/** The lowest level whose frame size and macroblock rate fit `width`×`height` at `fps`. */
export function h264LevelFor(width: number, height: number, fps: number): H264Level {
  const frameMbs = Math.ceil(width / 16) * Math.ceil(height / 16);
  const found = LEVELS.find((l) => frameMbs <= l.maxFs && frameMbs * fps <= l.maxMbps) ?? LEVELS.at(-1)!;
  return { name: found.name, idc: found.idc };
}

const PROFILE_IDC: Readonly<Record<string, string>> = {
  "constrained baseline": "42E0",
  baseline: "4200",
  main: "4D00",
  high: "6400",
};

/** RFC 6381 codec string of an H.264 stream as ffprobe names its profile and level, e.g.
 * ("High", 31) → "avc1.64001f"; what HLS's CODECS attribute wants. */
export function avc1Codec(profile: string | undefined, level: number | undefined): string {
  const p = PROFILE_IDC[(profile ?? "high").toLowerCase()] ?? "6400";
  const l = Math.max(0, Math.min(255, Math.round(level ?? 31)));
  return `avc1.${p}${l.toString(16).padStart(2, "0")}`.toLowerCase();
}
