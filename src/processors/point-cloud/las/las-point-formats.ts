import { AppError } from "../../../contracts/app-error.ts";

/** Byte layout of one LAS point data record format (ASPRS LAS 1.4 R15 §2.6). */
export interface LasPointLayout {
  format: number;
  /** Base record size without extra bytes. */
  size: number;
  /** Formats 6–10: 4-bit returns, 16-bit scan angle, flags byte. */
  extended: boolean;
  gpsTime: number | undefined;
  rgb: number | undefined;
  nir: number | undefined;
}

const LAYOUTS: Record<number, LasPointLayout> = {
  0: { format: 0, size: 20, extended: false, gpsTime: undefined, rgb: undefined, nir: undefined },
  1: { format: 1, size: 28, extended: false, gpsTime: 20, rgb: undefined, nir: undefined },
  2: { format: 2, size: 26, extended: false, gpsTime: undefined, rgb: 20, nir: undefined },
  3: { format: 3, size: 34, extended: false, gpsTime: 20, rgb: 28, nir: undefined },
  6: { format: 6, size: 30, extended: true, gpsTime: 22, rgb: undefined, nir: undefined },
  7: { format: 7, size: 36, extended: true, gpsTime: 22, rgb: 30, nir: undefined },
  8: { format: 8, size: 38, extended: true, gpsTime: 22, rgb: 30, nir: 36 },
};

export const SUPPORTED_POINT_FORMATS = [0, 1, 2, 3, 6, 7, 8] as const;

/** Waveform formats (4, 5, 9, 10) and anything past 10 are refused rather than half-read. */
export function lasPointLayout(format: number): LasPointLayout {
  const layout = LAYOUTS[format];
  if (!layout) {
    throw new AppError("UNSUPPORTED_FORMAT", `LAS point data format ${format} is not supported (supported: ${SUPPORTED_POINT_FORMATS.join(", ")})`, {
      details: { pointFormat: format },
    });
  }
  return layout;
}

/** The smallest format of a version that keeps the given attributes. */
export function pickPointFormat(version: "1.2" | "1.4", want: { color: boolean; gpsTime: boolean; nir: boolean }): number {
  if (version === "1.2") return want.color ? (want.gpsTime ? 3 : 2) : want.gpsTime ? 1 : 0;
  if (want.nir) return 8;
  return want.color ? 7 : 6;
}
