/** The LASzip item layout of each supported point data record format. */

export type LazPointFormat = 0 | 1 | 2 | 3 | 6 | 7 | 8;

/** LASzip item type ids, as stored in the laszip VLR. */
export const ITEM_TYPE = { BYTE: 0, POINT10: 6, GPSTIME11: 7, RGB12: 8, POINT14: 10, RGB14: 11, RGBNIR14: 12, BYTE14: 14 } as const;

export interface LazItem {
  type: number;
  size: number;
  version: number;
}

const BASE_SIZE: Record<LazPointFormat, number> = { 0: 20, 1: 28, 2: 26, 3: 34, 6: 30, 7: 36, 8: 38 };

export function baseRecordLength(format: LazPointFormat): number {
  return BASE_SIZE[format];
}

/** Formats 6–8 use the layered (LAS 1.4 native) compressor, 0–3 the point-wise one. */
export function isLayered(format: LazPointFormat): boolean {
  return format >= 6;
}

export function itemsFor(format: LazPointFormat, recordLength: number): LazItem[] {
  const extra = recordLength - BASE_SIZE[format];
  const items: LazItem[] = [];
  if (isLayered(format)) {
    items.push({ type: ITEM_TYPE.POINT14, size: 30, version: 3 });
    if (format === 7) items.push({ type: ITEM_TYPE.RGB14, size: 6, version: 3 });
    if (format === 8) items.push({ type: ITEM_TYPE.RGBNIR14, size: 8, version: 3 });
    if (extra > 0) items.push({ type: ITEM_TYPE.BYTE14, size: extra, version: 3 });
  } else {
    items.push({ type: ITEM_TYPE.POINT10, size: 20, version: 2 });
    if (format === 1 || format === 3) items.push({ type: ITEM_TYPE.GPSTIME11, size: 8, version: 2 });
    if (format === 2 || format === 3) items.push({ type: ITEM_TYPE.RGB12, size: 6, version: 2 });
    if (extra > 0) items.push({ type: ITEM_TYPE.BYTE, size: extra, version: 2 });
  }
  return items;
}
