/** LAZ writer: encoding throughput (points/s) and size against the LASzip-written originals.
 * Usage: node bench/laz-encoder.bench.ts [syntheticPoints]   (default 1 000 000) */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLazFileWriter } from "../src/processors/point-cloud/laz/laz-file-writer.ts";
import type { LazPointFormat } from "../src/processors/point-cloud/laz/point-formats.ts";
import { fixture } from "../test/helpers/fixtures.ts";
import { readLasRecords, readLazRecords, type RawPoints } from "../test/point-cloud/laz/las-fixtures-io.ts";
import { lasHeader } from "../test/point-cloud/laz/las-fixtures.ts";
import { withCount } from "../test/point-cloud/laz/laz-roundtrip.ts";
import { syntheticRecords } from "../test/point-cloud/laz/synthetic-points.ts";

const SYNTHETIC = Number(process.argv[2] ?? 1_000_000);
const dir = await mkdtemp(join(tmpdir(), "vs3d-laz-bench-"));

/** Bytes from the point data offset to the end of the chunk table (EVLRs excluded). */
function pointDataBytes(file: Uint8Array): number {
  const v = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const start = v.getUint32(96, true);
  const evlrStart = file[25]! >= 4 ? Number(v.getBigUint64(235, true)) : 0;
  return (evlrStart > 0 ? evlrStart : file.length) - start;
}

async function encode(raw: RawPoints, name: string): Promise<{ seconds: number; file: Uint8Array }> {
  const path = join(dir, `${name}.laz`);
  const start = performance.now();
  const writer = await createLazFileWriter(path, { headerTemplate: raw.headerTemplate, pointFormat: raw.format, recordLength: raw.recordLength });
  const slice = 65_536 * raw.recordLength;
  for (let at = 0; at < raw.records.length; at += slice) await writer.write(raw.records.subarray(at, at + slice));
  await writer.close(withCount(raw.headerTemplate, raw.count));
  const seconds = (performance.now() - start) / 1000;
  return { seconds, file: new Uint8Array(await readFile(path)) };
}

function row(label: string, raw: RawPoints, seconds: number, ours: Uint8Array, original?: Uint8Array): void {
  const oursData = pointDataBytes(ours);
  const vsLaszip = original ? `${((oursData / pointDataBytes(original) - 1) * 100).toFixed(2).padStart(6)} % vs LASzip (${pointDataBytes(original)} B)` : "no LASzip original";
  console.log(
    `${label.padEnd(28)} fmt ${raw.format} ${String(raw.count).padStart(8)} pts  ` +
      `${Math.round(raw.count / seconds)
        .toLocaleString("en")
        .padStart(10)} pts/s  ` +
      `ratio ${(raw.records.length / oursData).toFixed(2)}:1  points ${oursData} B  ${vsLaszip}`,
  );
}

try {
  // warm-up so the first row does not pay for JIT
  await encode({ ...(await readLazRecords(fixture("pointcloud", "laspy_1_4_w_evlr.laz"))) }, "warmup");
  for (const name of ["laspy_autzen_trim.laz", "laspy_1_4_w_evlr.laz"]) {
    const path = fixture("pointcloud", name);
    const raw = await readLazRecords(path);
    const { seconds, file } = await encode(raw, name);
    row(name, raw, seconds, file, new Uint8Array(await readFile(path)));
  }
  for (const name of ["laspy_simple.las", "laspy_simple1_4.las"]) {
    const raw = readLasRecords(fixture("pointcloud", name));
    const { seconds, file } = await encode(raw, name);
    row(name, raw, seconds, file);
  }
  for (const [format, recordLength] of [
    [3, 34],
    [6, 30],
    [8, 38],
  ] as [LazPointFormat, number][]) {
    const raw: RawPoints = { format, recordLength, count: SYNTHETIC, records: syntheticRecords(format, recordLength, SYNTHETIC), headerTemplate: lasHeader(format, recordLength, 0) };
    const { seconds, file } = await encode(raw, `synthetic-${format}`);
    row(`synthetic`, raw, seconds, file);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
