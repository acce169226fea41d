import type { LasExtraFields, PointChunk, Vec3 } from "../../point-cloud/point-chunk.ts";

type Typed = Float64Array | Float32Array | Uint16Array | Uint8Array;
type Ctor = Float64ArrayConstructor | Float32ArrayConstructor | Uint16ArrayConstructor | Uint8ArrayConstructor;

/** Optional per-point columns of a PointChunk (and of its `las` fields), with their array types. */
const OPTIONAL = {
  intensity: Uint16Array,
  red: Uint16Array,
  green: Uint16Array,
  blue: Uint16Array,
  nir: Uint16Array,
  classification: Uint8Array,
  returnNumber: Uint8Array,
  numberOfReturns: Uint8Array,
  gpsTime: Float64Array,
} as const satisfies Record<string, Ctor>;
const LAS = { flags: Uint8Array, scannerChannel: Uint8Array, scanAngle: Float32Array, userData: Uint8Array, pointSourceId: Uint16Array } as const satisfies Record<keyof LasExtraFields, Ctor>;

type OptionalName = keyof typeof OPTIONAL;

/** Which columns a cloud's points carry, fixed from its first chunk, and how x/y/z are stored:
 * as the source's LAS integers when it has a scale and offset (exact, 12 bytes), else as doubles. */
export interface ColumnLayout {
  quantize: { scale: Vec3; offset: Vec3 } | null;
  fields: OptionalName[];
  las: boolean;
  /** Extra bytes per point (0 when none). */
  extraBytes: number;
}

export function layoutOf(chunk: PointChunk, quantize: ColumnLayout["quantize"], extraBytes: number): ColumnLayout {
  const fields = (Object.keys(OPTIONAL) as OptionalName[]).filter((f) => chunk[f] !== undefined);
  return { quantize, fields, las: chunk.las !== undefined, extraBytes: chunk.extraBytes ? extraBytes : 0 };
}

/** Bytes one point takes in a block. */
export function recordBytes(l: ColumnLayout): number {
  let n = l.quantize ? 12 : 24;
  for (const f of l.fields) n += OPTIONAL[f].BYTES_PER_ELEMENT;
  if (l.las) for (const c of Object.values(LAS)) n += c.BYTES_PER_ELEMENT;
  return n + l.extraBytes;
}

/** Every column of a chunk in layout order, with its bytes per point (x/y/z excluded). */
function columns(c: PointChunk, l: ColumnLayout): { arr: Typed | undefined; ctor: Ctor; per: number }[] {
  const out: { arr: Typed | undefined; ctor: Ctor; per: number }[] = l.fields.map((f) => ({ arr: c[f], ctor: OPTIONAL[f], per: 1 }));
  if (l.las) for (const [k, ctor] of Object.entries(LAS)) out.push({ arr: c.las?.[k as keyof LasExtraFields], ctor, per: 1 });
  if (l.extraBytes) out.push({ arr: c.extraBytes, ctor: Uint8Array, per: l.extraBytes });
  return out;
}

/** One block: u32 count, then each column contiguous (x, y, z first). Columns absent from a chunk
 * are written as zeros, so every block of a file has the same shape. */
export function encodeBlock(c: PointChunk, l: ColumnLayout): Uint8Array {
  const n = c.count;
  const out = new Uint8Array(4 + n * recordBytes(l));
  new DataView(out.buffer).setUint32(0, n, true);
  let at = 4;
  const put = (a: Typed | undefined, bytes: number) => {
    if (a) out.set(new Uint8Array(a.buffer, a.byteOffset, bytes), at);
    at += bytes;
  };
  if (l.quantize) {
    const { scale, offset } = l.quantize;
    for (const [axis, v] of [c.x, c.y, c.z].entries()) {
      const q = new Int32Array(n);
      for (let i = 0; i < n; i++) q[i] = Math.round((v[i]! - offset[axis]!) / scale[axis]!);
      out.set(new Uint8Array(q.buffer), at);
      at += n * 4;
    }
  } else {
    for (const v of [c.x, c.y, c.z]) put(v.subarray(0, n), n * 8);
  }
  for (const col of columns(c, l)) put(col.arr?.subarray(0, n * col.per), n * col.per * col.ctor.BYTES_PER_ELEMENT);
  return out;
}

/** Decodes every block of `bytes` into one chunk. */
export function decodeBlocks(bytes: Uint8Array, l: ColumnLayout): PointChunk {
  const parts: PointChunk[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at < bytes.byteLength;) {
    const n = view.getUint32(at, true);
    at += 4;
    const take = <T>(ctor: { new (b: ArrayBuffer): T; BYTES_PER_ELEMENT: number }, len: number): T => {
      const size = len * ctor.BYTES_PER_ELEMENT;
      const copy = bytes.slice(at, at + size);
      at += size;
      return new ctor(copy.buffer);
    };
    const xyz: Float64Array[] = [];
    for (let axis = 0; axis < 3; axis++) {
      if (l.quantize) {
        const q = take(Int32Array, n),
          v = new Float64Array(n);
        const s = l.quantize.scale[axis]!,
          o = l.quantize.offset[axis]!;
        for (let i = 0; i < n; i++) v[i] = q[i]! * s + o;
        xyz.push(v);
      } else xyz.push(take(Float64Array, n));
    }
    const c: PointChunk = { count: n, x: xyz[0]!, y: xyz[1]!, z: xyz[2]! };
    for (const f of l.fields) (c as unknown as Record<string, Typed>)[f] = take<Typed>(OPTIONAL[f], n);
    if (l.las) {
      const las: Record<string, Typed> = {};
      for (const [k, ctor] of Object.entries(LAS)) las[k] = take<Typed>(ctor, n);
      c.las = las as unknown as LasExtraFields;
    }
    if (l.extraBytes) c.extraBytes = take(Uint8Array, n * l.extraBytes);
    parts.push(c);
  }
  return parts.length === 1 ? parts[0]! : concatChunks(parts, l);
}

/** An empty chunk of the layout's shape. */
export function emptyChunk(l: ColumnLayout, n = 0): PointChunk {
  const c: PointChunk = { count: n, x: new Float64Array(n), y: new Float64Array(n), z: new Float64Array(n) };
  for (const f of l.fields) (c as unknown as Record<string, Typed>)[f] = new OPTIONAL[f](n);
  if (l.las) {
    const las: Record<string, Typed> = {};
    for (const [k, ctor] of Object.entries(LAS)) las[k] = new ctor(n);
    c.las = las as unknown as LasExtraFields;
  }
  if (l.extraBytes) c.extraBytes = new Uint8Array(n * l.extraBytes);
  return c;
}

/** Every column including x/y/z, paired between two chunks of the same layout. */
function pairs(a: PointChunk, b: PointChunk, l: ColumnLayout): [Typed | undefined, Typed, number][] {
  const ca = columns(a, l),
    cb = columns(b, l);
  return [[a.x, b.x, 1], [a.y, b.y, 1], [a.z, b.z, 1], ...ca.map((c, i) => [c.arr, cb[i]!.arr!, c.per] as [Typed | undefined, Typed, number])];
}

/** The points at `index` (in that order) as a new chunk. */
export function gatherChunk(c: PointChunk, index: ArrayLike<number>, l: ColumnLayout): PointChunk {
  const out = emptyChunk(l, index.length);
  for (const [src, dst, per] of pairs(c, out, l)) {
    if (!src) continue;
    if (per === 1) for (let i = 0; i < index.length; i++) dst[i] = src[index[i]!]!;
    else for (let i = 0; i < index.length; i++) dst.set(src.subarray(index[i]! * per, index[i]! * per + per), i * per);
  }
  return out;
}

export function concatChunks(parts: readonly PointChunk[], l: ColumnLayout): PointChunk {
  const out = emptyChunk(
    l,
    parts.reduce((n, p) => n + p.count, 0),
  );
  let at = 0;
  for (const p of parts) {
    for (const [src, dst, per] of pairs(p, out, l)) if (src) dst.set(src.subarray(0, p.count * per), at * per);
    at += p.count;
  }
  return out;
}

/** The first `n` points of a chunk (views, no copy); needs no layout. */
export function headChunk(c: PointChunk, n: number): PointChunk {
  if (n >= c.count) return c;
  const out: PointChunk = { count: n, x: c.x.subarray(0, n), y: c.y.subarray(0, n), z: c.z.subarray(0, n) };
  for (const f of Object.keys(OPTIONAL) as OptionalName[]) {
    const a = c[f];
    if (a) (out as unknown as Record<string, Typed>)[f] = a.subarray(0, n);
  }
  if (c.las) {
    const las: Record<string, Typed> = {};
    for (const k of Object.keys(LAS) as (keyof LasExtraFields)[]) las[k] = c.las[k].subarray(0, n);
    out.las = las as unknown as LasExtraFields;
  }
  if (c.extraBytes) out.extraBytes = c.extraBytes.subarray(0, (c.extraBytes.length / c.count) * n);
  return out;
}

/** Only x, y, z of one block (they come first): what the counting pass needs. */
export function decodeXyz(block: Uint8Array, l: ColumnLayout): PointChunk {
  const n = new DataView(block.buffer, block.byteOffset).getUint32(0, true);
  const xyz: [Float64Array, Float64Array, Float64Array] = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  if (l.quantize) {
    const q = new Int32Array(block.slice(4, 4 + 12 * n).buffer);
    for (let axis = 0; axis < 3; axis++) {
      const s = l.quantize.scale[axis]!,
        o = l.quantize.offset[axis]!,
        v = xyz[axis]!;
      for (let i = 0; i < n; i++) v[i] = q[axis * n + i]! * s + o;
    }
  } else {
    const f = new Float64Array(block.slice(4, 4 + 24 * n).buffer);
    for (let axis = 0; axis < 3; axis++) xyz[axis]!.set(f.subarray(axis * n, axis * n + n));
  }
  return { count: n, x: xyz[0], y: xyz[1], z: xyz[2] };
}
