import { pathToFileURL } from "node:url";
import { isAbsolute, resolve } from "node:path";
import type { TaskType } from "../contracts/task-types.ts";
import type { ProcessorDefinition } from "./processor.ts";
import { BUILT_IN_PROCESSORS } from "./built-in.ts";

export type ProcessorRegistry = ReadonlyMap<TaskType, ProcessorDefinition>;

/** Built-in processors, then those of extra modules (PROCESSOR_MODULES), which may replace a
 * built-in for their task type. An extra module exports `processors: ProcessorDefinition[]`. */
export async function loadProcessorRegistry(extraModules: readonly string[] = []): Promise<ProcessorRegistry> {
  const table = new Map<TaskType, ProcessorDefinition>();
  for (const p of BUILT_IN_PROCESSORS) table.set(p.taskType, p);
  for (const path of extraModules) {
    const url = pathToFileURL(isAbsolute(path) ? path : resolve(process.cwd(), path)).href;
    const mod = (await import(url)) as { processors?: ProcessorDefinition[] };
    if (!Array.isArray(mod.processors)) throw new Error(`processor module ${path} exports no 'processors' array`);
    for (const p of mod.processors) table.set(p.taskType, p);
  }
  return table;
}
