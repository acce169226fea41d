/** Columnar point data: one typed array per attribute, all of length `count`. Readers yield these and
 * writers consume them, so a conversion holds one chunk at a time whatever the file size. */
export interface PointChunk {
  count: number;
  x: Float64Array;
  y: Float64Array;
  z: Float64Array;
  /** 16-bit, LAS convention. */
  intensity?: Uint16Array;
  /** 16-bit per channel, LAS convention (8-bit sources are scaled by 257). */
  red?: Uint16Array;
  green?: Uint16Array;
  blue?: Uint16Array;
  nir?: Uint16Array;
  classification?: Uint8Array;
  returnNumber?: Uint8Array;
  numberOfReturns?: Uint8Array;
  gpsTime?: Float64Array;
  /** LAS-only fields, carried so LAS → LAS loses nothing. */
  las?: LasExtraFields;
  /** Raw extra bytes, `count * header.extraBytes.size` bytes, record by record. */
  extraBytes?: Uint8Array;
}

export interface LasExtraFields {
  /** Bit 0 synthetic, 1 key-point, 2 withheld, 3 overlap, 4 scan direction, 5 edge of flight line. */
  flags: Uint8Array;
  scannerChannel: Uint8Array;
  /** Degrees (LAS 1.2 stores whole degrees, 1.4 steps of 0.006°). */
  scanAngle: Float32Array;
  userData: Uint8Array;
  pointSourceId: Uint16Array;
}

export type Vec3 = [number, number, number];

export interface Bounds {
  min: Vec3;
  max: Vec3;
}

/** What a reader knows before the first point; it flows to the writer. */
export interface PointCloudHeader {
  sourceFormat: string;
  /** Undefined when the format does not say (XYZ, OBJ). */
  pointCount: number | undefined;
  bounds: Bounds | undefined;
  scale: Vec3 | undefined;
  offset: Vec3 | undefined;
  crs: Crs;
  attributes: { color: boolean; intensity: boolean; gpsTime: boolean; nir: boolean; classification: boolean };
  las?: {
    version: string;
    pointFormat: number;
    globalEncoding: number;
    fileSourceId: number;
    systemIdentifier: string;
  };
  /** Extra bytes per point and the LAS descriptor VLR payload that explains them (if any). */
  extraBytes?: { size: number; descriptor: Uint8Array | undefined };
}

export interface Crs {
  wkt?: string;
  epsg?: number;
  /** GeoTIFF key VLRs (record ids 34735–34737) exactly as read, so LAS → LAS keeps them byte for byte. */
  geoKeyVlrs?: { recordId: number; data: Uint8Array }[];
}

export interface PointCloudSource {
  header: PointCloudHeader;
  /** Yields chunks of at most the reader's chunk size. */
  points(signal?: AbortSignal): AsyncGenerator<PointChunk>;
  close(): Promise<void>;
  /** Bytes consumed so far, for progress when the point count is unknown (text formats). */
  bytesRead?(): number;
}

export interface PointCloudSink {
  write(chunk: PointChunk): Promise<void>;
  /** Finishes the file (patches counts/bounds) and returns the number of points written. */
  close(): Promise<{ points: number }>;
  /** Drops a half-written file after a failure. */
  abort(): Promise<void>;
}

export const READER_DEFAULTS = {
  /** Points per chunk; memory per conversion is about chunkSize × ~60 bytes. Default: 100 000. */
  chunkSize: 100_000,
};

export function emptyHeader(sourceFormat: string): PointCloudHeader {
  return {
    sourceFormat,
    pointCount: undefined,
    bounds: undefined,
    scale: undefined,
    offset: undefined,
    crs: {},
    attributes: { color: false, intensity: false, gpsTime: false, nir: false, classification: false },
  };
}

/** 8-bit ↔ 16-bit colour/intensity, LAS convention: v*257 up, >>8 down. */
export const to16 = (v8: number): number => v8 * 257;
export const to8 = (v16: number): number => v16 >> 8;
