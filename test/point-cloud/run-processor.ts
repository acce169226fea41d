import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { OutputFile, Progress } from "../../src/processors/processor.ts";
import { pointCloudConvertProcessor } from "../../src/processors/point-cloud/point-cloud-convert.processor.ts";

/** Runs every stage of point_cloud_convert the way a worker would: params parsed by the schema,
 * fresh work/out directories under `dir`, progress collected; `controller` cancels it. */
export async function runConvert(dir: string, filePath: string, rawParams: unknown, key = filePath, controller = new AbortController()): Promise<{ outputs: OutputFile[]; outDir: string; progress: (Progress & { stage: string })[] }> {
  const params = pointCloudConvertProcessor.params.parse(rawParams);
  const workDir = join(dir, "work"), outDir = join(dir, "out");
  await mkdir(workDir, { recursive: true });
  await mkdir(outDir, { recursive: true });
  const progress: (Progress & { stage: string })[] = [];
  const outputs: OutputFile[] = [];
  const previous: Record<string, OutputFile[]> = {};
  for (const stage of pointCloudConvertProcessor.stages(params)) {
    const result = await stage.run(
      { filePath, workDir, outDir, params, source: { key }, previous },
      { signal: controller.signal, progress: (p) => progress.push({ ...p, stage: stage.name }), log: () => undefined },
    );
    previous[stage.name] = result.outputs;
    outputs.push(...result.outputs);
  }
  return { outputs, outDir, progress };
}
