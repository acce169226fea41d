import type { ByteSource } from "../shared/byte-source.ts";
import { normalRotation } from "./media-info.ts";
import { readBoxHeader, type Mp4Box } from "./mp4-boxes.ts";

/** What the `moov` box says of one track. */
export interface Mp4Track {
  id: number;
  /** hdlr handler type: 'vide', 'soun', … */
  handler: string;
  /** The first stsd sample entry's type: 'avc1', 'mp4a', … */
  sampleEntry: string;
  /** tkhd presentation size (16.16 fixed point), before the matrix turns it. */
  width: number;
  height: number;
  /** Degrees the display matrix (the track's, times the movie's) turns the picture: 0, 90, 180 or 270. */
  rotation: number;
}

export interface Mp4Movie {
  /** mvhd: the presentation's length in seconds, which ffprobe prints as the format's duration.
   * (A track's mdhd length is not its ffprobe duration: an edit list can cut it, 0.72 s → 0.10 s in
   * the MOV fixture.) */
  durationSeconds: number;
  tracks: Mp4Track[];
}

/** The moov box breaks the ISO-BMFF rules, or lacks a box every MP4 has. */
export class BrokenMp4Error extends Error {
  override name = "BrokenMp4Error";
}

export interface Box {
  type: string;
  /** Where the payload starts and the box ends. */
  body: number;
  end: number;
}

const MAX_CHILDREN = 10_000;

/** Reads the movie header (`moov`) of an MP4 from its boxes, with no decoding: the facts ffprobe
 * would print for the tracks' codec, size, rotation and duration, at the cost of a few small reads. */
export async function readMovieHeader(source: ByteSource, moov: Mp4Box): Promise<Mp4Movie> {
  const root = await headerAt(source, moov.offset, Math.min(source.size, moov.offset + moov.size));
  if (root.type !== "moov") throw new BrokenMp4Error(`expected a 'moov' box at byte ${moov.offset}, found '${root.type}'`);
  const top = await children(source, root);
  const mvhd = await payload(source, only(top, "mvhd", "moov"));
  const movie = movieHeader(mvhd);
  const tracks: Mp4Track[] = [];
  for (const trak of top.filter((b) => b.type === "trak")) tracks.push(await track(source, trak, movie.matrix));
  return { durationSeconds: movie.durationSeconds, tracks };
}

async function track(source: ByteSource, trak: Box, movieMatrix: Matrix): Promise<Mp4Track> {
  const inTrak = await children(source, trak);
  const tkhd = trackHeader(await payload(source, only(inTrak, "tkhd", "trak")));
  const mdia = await children(source, only(inTrak, "mdia", "trak"));
  const hdlr = await payload(source, only(mdia, "hdlr", "mdia"));
  if (hdlr.length < 12) throw new BrokenMp4Error(`track ${tkhd.id}: its 'hdlr' box is ${hdlr.length + 8} bytes, too short for a handler type`);
  const stbl = await children(source, only(await children(source, only(mdia, "minf", "mdia")), "stbl", "minf"));
  // A sample entry can carry kilobytes of codec setup; its type is in the first 16 bytes of stsd.
  const stsd = only(stbl, "stsd", "stbl");
  const head = await source.read(stsd.body, 16);
  if (stsd.end - stsd.body < 16 || head.length < 16 || view(head).getUint32(4) === 0) throw new BrokenMp4Error(`track ${tkhd.id}: its 'stsd' box lists no sample entry`);
  return {
    id: tkhd.id,
    handler: fourcc(hdlr, 8),
    sampleEntry: fourcc(head, 12),
    width: tkhd.width,
    height: tkhd.height,
    rotation: rotationOf(multiply(tkhd.matrix, movieMatrix), tkhd.id),
  };
}

/** Rows (a, b, u), (c, d, v), (x, y, w) as ISO-BMFF stores them: a point (p, q, 1) maps to
 * (p q 1) × M. a, b, c, d, x, y are 16.16 fixed point, u, v, w 2.30. */
export type Matrix = number[];

function matrixAt(bytes: Uint8Array, at: number): Matrix {
  const v = view(bytes);
  return Array.from({ length: 9 }, (_, i) => v.getInt32(at + 4 * i) / (i % 3 === 2 ? 2 ** 30 : 2 ** 16));
}

export function multiply(m: Matrix, n: Matrix): Matrix {
  return Array.from({ length: 9 }, (_, i) => {
    const row = Math.floor(i / 3);
    const col = i % 3;
    return m[row * 3]! * n[col]! + m[row * 3 + 1]! * n[3 + col]! + m[row * 3 + 2]! * n[6 + col]!;
  });
}

/** The turn a player applies, as ffmpeg reads a display matrix: the angle of the first column
 * (a, c) and second (b, d), each scaled to unit length, clockwise positive. */
export function rotationOf(m: Matrix, trackId: number): number {
  const [a = 0, b = 0, , c = 0, d = 0] = m;
  const sx = Math.hypot(a, c);
  const sy = Math.hypot(b, d);
  if (sx === 0 || sy === 0) throw new BrokenMp4Error(`track ${trackId}: its display matrix is degenerate (${m.map((x) => +x.toFixed(4)).join(" ")})`);
  return normalRotation((-Math.atan2(b / sy, a / sx) * 180) / Math.PI);
}

export function movieHeader(p: Uint8Array): { durationSeconds: number; matrix: Matrix } {
  const v1 = version(p, "mvhd") === 1;
  const at = v1 ? 20 : 12;
  need(p, at + 4 + (v1 ? 8 : 4) + 16 + 36, "mvhd");
  const timescale = view(p).getUint32(at);
  if (timescale === 0) throw new BrokenMp4Error("its 'mvhd' box has a timescale of 0");
  const afterDuration = at + 4 + (v1 ? 8 : 4);
  return { durationSeconds: duration(p, at + 4, v1) / timescale, matrix: matrixAt(p, afterDuration + 16) };
}

export function trackHeader(p: Uint8Array): { id: number; matrix: Matrix; width: number; height: number } {
  const v1 = version(p, "tkhd") === 1;
  const at = v1 ? 20 : 12; // track_ID
  const matrix = at + 8 + (v1 ? 8 : 4) + 16;
  need(p, matrix + 36 + 8, "tkhd");
  const v = view(p);
  return { id: v.getUint32(at), matrix: matrixAt(p, matrix), width: v.getUint32(matrix + 36) / 2 ** 16, height: v.getUint32(matrix + 40) / 2 ** 16 };
}

/** A full box's version: 0 (32-bit times) or 1 (64-bit); anything else is a layout we cannot read. */
export function version(p: Uint8Array, type: string): number {
  need(p, 4, type);
  const v = p[0]!;
  if (v > 1) throw new BrokenMp4Error(`its '${type}' box has version ${v}, not 0 or 1`);
  return v;
}

/** All ones means "unknown" in either width. */
function duration(p: Uint8Array, at: number, wide: boolean): number {
  const v = view(p);
  const value = wide ? v.getBigUint64(at) : BigInt(v.getUint32(at));
  return value === (wide ? 2n ** 64n - 1n : 2n ** 32n - 1n) ? 0 : Number(value);
}

export function need(p: Uint8Array, length: number, type: string): void {
  if (p.length < length) throw new BrokenMp4Error(`its '${type}' box is ${p.length + 8} bytes, too short for its fields (${length + 8})`);
}

export function only(boxes: Box[], type: string, parent: string): Box {
  const found = boxes.filter((b) => b.type === type);
  if (found.length !== 1) throw new BrokenMp4Error(found.length === 0 ? `its '${parent}' box has no '${type}' box` : `its '${parent}' box has ${found.length} '${type}' boxes`);
  return found[0]!;
}

/** The boxes inside a container, from their headers. Only moov, trak, mdia, minf and stbl are
 * opened; the sample tables in stbl (stsz, stco, …, megabytes in a long video) are never read. */
export async function children(source: ByteSource, parent: Box): Promise<Box[]> {
  const boxes: Box[] = [];
  for (let at = parent.body; at < parent.end; at = boxes.at(-1)!.end) {
    if (boxes.length >= MAX_CHILDREN) throw new BrokenMp4Error(`its '${parent.type}' box has more than ${MAX_CHILDREN} children`);
    boxes.push(await headerAt(source, at, parent.end, parent.type));
  }
  return boxes;
}

/** The box whose header is at `at`, which must end by `limit` (its parent's end). */
export async function headerAt(source: ByteSource, at: number, limit: number, parent = "file"): Promise<Box> {
  const where = `in '${parent}' at byte ${at}`;
  if (limit - at < 8) throw new BrokenMp4Error(`${limit - at} stray bytes ${where}, too few for a box header`);
  const box = await readBoxHeader(source, at, limit);
  if (box === null) throw new BrokenMp4Error(`the file ends ${where}, inside a box header`);
  const { type, size, headerSize } = box;
  if (size === null) throw new BrokenMp4Error(`the '${type}' box ${where} has a 64-bit size that is cut off`);
  if (size < headerSize) throw new BrokenMp4Error(`the '${type}' box ${where} declares ${size} bytes, less than its own header`);
  if (at + size > limit) {
    throw new BrokenMp4Error(`the '${type}' box ${where} declares ${size} bytes, past the end of ${parent === "file" ? "the file" : `its '${parent}'`} (${limit - at} left)`);
  }
  return { type, body: at + headerSize, end: at + size };
}

/** The payloads read whole are the small header boxes (about 100 bytes). */
export async function payload(source: ByteSource, box: Box): Promise<Uint8Array> {
  const bytes = await source.read(box.body, Math.min(box.end - box.body, 4096));
  if (bytes.length < Math.min(box.end - box.body, 4096)) throw new BrokenMp4Error(`the file ends inside its '${box.type}' box`);
  return bytes;
}

export function fourcc(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}

export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
