// Human-readable numbers for the dashboard. Pure functions, no DOM.

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

/** 1536 → "1.5 KiB". */
export function bytes(n) {
  if (typeof n !== "number" || !Number.isFinite(n)) return "–";
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${UNITS[i]}`;
}

/** Seconds → "850 ms", "4.2 s", "3 min 5 s", "2 h 10 min". */
export function duration(seconds) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds)) return "–";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const s = Math.round(seconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** An ISO time as the reader's local time of day (with the date when it is not today). */
export function time(iso) {
  if (!iso) return "–";
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

/** How long ago (or from now), roughly: "12 s ago", "in 30 s". */
export function relative(iso, now = Date.now()) {
  if (!iso) return "–";
  const delta = (Date.parse(iso) - now) / 1000;
  const text = duration(Math.abs(delta));
  return delta > 1 ? `in ${text}` : `${text} ago`;
}

export function percent(n) {
  return typeof n === "number" && Number.isFinite(n) ? `${Math.round(n)} %` : "–";
}

export const STATE_LABELS = {
  new: "new",
  queued: "queued",
  downloading: "downloading",
  waiting_for_slot: "waiting for a slot",
  processing: "processing",
  uploading: "uploading",
  retrying: "retrying",
  completed: "completed",
  failed: "failed",
  dead_lettered: "dead-lettered",
  cancelled: "cancelled",
};

export const SETTLED = new Set(["completed", "failed", "dead_lettered", "cancelled"]);
