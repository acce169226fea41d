import type { Box } from "./letterbox.ts";

export interface Candidate {
  classId: number;
  confidence: number;
  /** In model-input pixels. */
  box: Box;
}

export type YoloLayout = "channels_first" | "channels_last";

/** How to read an output tensor: YOLOv8/v11 ([1, 4+nc, N] or its transpose, no objectness) or
 * YOLOv5 ([1, N, 5+nc], an objectness score that multiplies the class scores). */
export interface OutputShape {
  layout: YoloLayout;
  objectness: boolean;
  candidates: number;
  classes: number;
}

/**
 * Reads the layout from the dims. With the class count known (from the model's names) a dim equal
 * to 4+nc or 5+nc decides; without it, the smaller of the two dims is the channel axis (N is in
 * the thousands, 4+nc rarely is) and there is no objectness.
 */
export function outputShape(dims: readonly number[], classCount: number | undefined): OutputShape {
  if (dims.length !== 3 || dims[0] !== 1) throw new Error(`expected a [1, C, N] or [1, N, C] output, got [${dims.join(", ")}]`);
  const [, a, b] = dims as [number, number, number];
  if (classCount !== undefined) {
    if (a === 4 + classCount) return { layout: "channels_first", objectness: false, candidates: b, classes: classCount };
    if (b === 4 + classCount) return { layout: "channels_last", objectness: false, candidates: a, classes: classCount };
    if (b === 5 + classCount) return { layout: "channels_last", objectness: true, candidates: a, classes: classCount };
    if (a === 5 + classCount) return { layout: "channels_first", objectness: true, candidates: b, classes: classCount };
  }
  // N is in the thousands and 4+nc ≥ 5; an axis too short to hold a box and a score is N.
  const channelsFirst = a < 5 ? false : b < 5 ? true : a <= b;
  const channels = channelsFirst ? a : b;
  if (channels < 5) throw new Error(`an output with ${channels} channels has no class scores`);
  return { layout: channelsFirst ? "channels_first" : "channels_last", objectness: false, candidates: channelsFirst ? b : a, classes: channels - 4 };
}

/** Every candidate whose best class score (× objectness) reaches `minConfidence`, boxes from
 * centre/size to corners. `allowed`: class ids to keep (null: all). */
export function decodeYolo(data: Float32Array, shape: OutputShape, minConfidence: number, allowed: ReadonlySet<number> | null): Candidate[] {
  const channels = shape.classes + (shape.objectness ? 5 : 4);
  const n = shape.candidates;
  const at = shape.layout === "channels_first" ? (i: number, c: number) => data[c * n + i]! : (i: number, c: number) => data[i * channels + c]!;
  const first = shape.objectness ? 5 : 4;
  const out: Candidate[] = [];
  for (let i = 0; i < n; i++) {
    const objectness = shape.objectness ? at(i, 4) : 1;
    let best = -1;
    let score = -Infinity;
    for (let c = 0; c < shape.classes; c++) {
      if (allowed && !allowed.has(c)) continue;
      const s = at(i, first + c);
      if (s > score) [best, score] = [c, s];
    }
    const confidence = score * objectness;
    if (best < 0 || !(confidence >= minConfidence)) continue;
    const [cx, cy, w, h] = [at(i, 0), at(i, 1), at(i, 2), at(i, 3)];
    if (!(w > 0 && h > 0)) continue;
    out.push({ classId: best, confidence, box: { x0: cx - w / 2, y0: cy - h / 2, x1: cx + w / 2, y1: cy + h / 2 } });
  }
  return out;
}

export function iou(a: Box, b: Box): number {
  const w = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
  const h = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = (a.x1 - a.x0) * (a.y1 - a.y0) + (b.x1 - b.x0) * (b.y1 - b.y0) - inter;
  return union > 0 ? inter / union : 0;
}

/** Greedy non-maximum suppression per class: the most confident box of a class removes every
 * box of the same class overlapping it by more than `iouThreshold`; at most `max` are kept. */
export function nonMaxSuppression(candidates: readonly Candidate[], iouThreshold: number, max: number): Candidate[] {
  const sorted = [...candidates].sort((a, b) => b.confidence - a.confidence);
  const kept: Candidate[] = [];
  for (const c of sorted) {
    if (kept.length >= max) break;
    if (kept.some((k) => k.classId === c.classId && iou(k.box, c.box) > iouThreshold)) continue;
    kept.push(c);
  }
  return kept;
}
