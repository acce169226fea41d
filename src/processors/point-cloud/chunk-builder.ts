import type { PointChunk } from "./point-chunk.ts";

export interface ChunkBuilderAttributes {
  color: boolean;
  intensity: boolean;
  classification?: boolean;
}

/** Fills one chunk's arrays point by point (text, PLY, E57 readers); `take()` hands it over. */
export class ChunkBuilder {
  readonly capacity: number;
  count = 0;
  private chunk: PointChunk;
  private readonly attrs: ChunkBuilderAttributes;

  constructor(capacity: number, attrs: ChunkBuilderAttributes) {
    this.capacity = capacity;
    this.attrs = attrs;
    this.chunk = this.fresh();
  }

  private fresh(): PointChunk {
    const n = this.capacity;
    const c: PointChunk = { count: 0, x: new Float64Array(n), y: new Float64Array(n), z: new Float64Array(n) };
    if (this.attrs.intensity) c.intensity = new Uint16Array(n);
    if (this.attrs.color) [c.red, c.green, c.blue] = [new Uint16Array(n), new Uint16Array(n), new Uint16Array(n)];
    if (this.attrs.classification) c.classification = new Uint8Array(n);
    return c;
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }

  /** Colour and intensity are 16-bit LAS convention; out-of-range values are clamped. */
  push(x: number, y: number, z: number, intensity = 0, r = 0, g = 0, b = 0, cls = 0): void {
    const c = this.chunk,
      i = this.count++;
    c.x[i] = x;
    c.y[i] = y;
    c.z[i] = z;
    if (c.intensity) c.intensity[i] = clamp16(intensity);
    if (c.red) {
      c.red[i] = clamp16(r);
      c.green![i] = clamp16(g);
      c.blue![i] = clamp16(b);
    }
    if (c.classification) c.classification[i] = cls;
  }

  /** The filled part as a chunk (arrays trimmed when not full); starts a new one. */
  take(): PointChunk {
    const n = this.count,
      c = this.chunk;
    const out: PointChunk = n === this.capacity ? { ...c, count: n } : trim(c, n);
    this.chunk = this.fresh();
    this.count = 0;
    return out;
  }
}

const clamp16 = (v: number): number => (v <= 0 ? 0 : v >= 65535 ? 65535 : Math.round(v));

function trim(c: PointChunk, n: number): PointChunk {
  const out: PointChunk = { count: n, x: c.x.slice(0, n), y: c.y.slice(0, n), z: c.z.slice(0, n) };
  if (c.intensity) out.intensity = c.intensity.slice(0, n);
  if (c.red) [out.red, out.green, out.blue] = [c.red.slice(0, n), c.green!.slice(0, n), c.blue!.slice(0, n)];
  if (c.classification) out.classification = c.classification.slice(0, n);
  return out;
}
