import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseLasHeader, type LasHeader } from "../../src/processors/point-cloud/las/las-header.ts";
import { pointCloudConvertProcessor } from "../../src/processors/point-cloud/point-cloud-convert.processor.ts";
import { fixture } from "../helpers/fixtures.ts";
import { runStages, type RunStagesOptions, type StagesRun } from "../helpers/run-stages.ts";

export const pc = (name: string): string => fixture("pointcloud", name);

/** point_cloud_convert on `filePath` as a worker runs it, with work/ and out/ under `dir`. */
export function runConvert(dir: string, filePath: string, params: unknown, options: Omit<RunStagesOptions, "root"> = {}): Promise<StagesRun> {
  return runStages(pointCloudConvertProcessor, filePath, params, { ...options, root: dir });
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "vs3d-pc-"));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Header and raw point records of a small uncompressed LAS file. */
export async function lasRecords(path: string): Promise<{ header: LasHeader; records: Uint8Array; bytes: Uint8Array }> {
  const bytes = new Uint8Array(await readFile(path));
  const header = parseLasHeader(bytes);
  const records = bytes.subarray(header.offsetToPointData, header.offsetToPointData + header.pointCount * header.recordLength);
  return { header, records, bytes };
}
