import { pathToFileURL } from "node:url";
import { isAbsolute, resolve } from "node:path";
import type { TaskType } from "../contracts/task-types.ts";
import type { ProcessorDefinition } from "./processor.ts";
import { BUILT_IN_PROCESSORS } from "./built-in.ts";

export type ProcessorRegistry = ReadonlyMap<TaskType, ProcessorDefinition>;

/** Built-in processors, then those of extra modules (PROCESSOR_MODULES), which may replace a
 * built-in for their task type. An extra module exports `processors: ProcessorDefinition[]`.
 * `only`: load just these task types' built-ins (a worker runs one type). */
export async function loadProcessorRegistry(extraModules: readonly string[] = [], options: { only?: readonly TaskType[] } = {}): Promise<ProcessorRegistry> {
  const table = new Map<TaskType, ProcessorDefinition>();
  const wanted = Object.entries(BUILT_IN_PROCESSORS).filter(([type]) => !options.only || options.only.includes(type as TaskType));
  for (const [type, load] of wanted) table.set(type as TaskType, await load());
  for (const path of extraModules) {
    const url = pathToFileURL(isAbsolute(path) ? path : resolve(process.cwd(), path)).href;
    const mod = (await import(url)) as { processors?: ProcessorDefinition[] };
    if (!Array.isArray(mod.processors)) throw new Error(`processor module ${path} exports no 'processors' array`);
    for (const p of mod.processors) table.set(p.taskType, p);
  }
  return table;
}
