import { createLazPerf, type LazPerf } from "laz-perf";

let modulePromise: Promise<LazPerf> | undefined;

/** The independent decoder every LAZ we write must satisfy: laz-perf (LASzip's C++ port, WASM). */
export async function decodeWithLazPerf(file: Uint8Array): Promise<{ format: number; recordLength: number; count: number; records: Uint8Array }> {
  const lp = await (modulePromise ??= createLazPerf());
  const filePtr = lp._malloc(file.length);
  const laszip = new lp.LASZip();
  let pointPtr = 0;
  try {
    lp.HEAPU8.set(file, filePtr);
    laszip.open(filePtr, file.length);
    const count = laszip.getCount();
    const recordLength = laszip.getPointLength();
    const format = laszip.getPointFormat();
    const records = new Uint8Array(count * recordLength);
    pointPtr = lp._malloc(recordLength);
    for (let i = 0; i < count; i++) {
      laszip.getPoint(pointPtr);
      records.set(lp.HEAPU8.subarray(pointPtr, pointPtr + recordLength), i * recordLength);
    }
    return { format, recordLength, count, records };
  } finally {
    laszip.delete();
    lp._free(filePtr);
    if (pointPtr) lp._free(pointPtr);
  }
}
