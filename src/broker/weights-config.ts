import { readFileSync } from "node:fs";
import { z } from "zod";
import { AppError } from "../contracts/app-error.ts";
import { ResourceProfile } from "../contracts/resource-profile.ts";
import { TASK_TYPES } from "../contracts/task-types.ts";
import type { WeightsTable } from "../machines/broker-placement.ts";
import { DEFAULT_WEIGHTS } from "./default-weights.ts";
import { definedOnly } from "../shared/with-defaults.ts";

const shape = ResourceProfile.shape;
/** One type's fields to change. Built by hand, not `.partial()`: a partial field with a default would
 * fill in the default and clobber an earlier layer. Strict, so a misspelt field is an error. */
const ProfileOverride = z.strictObject({
  cpu_percent: shape.cpu_percent.optional(),
  ram_gb: shape.ram_gb.optional(),
  max_concurrent: shape.max_concurrent.optional(),
  ram_bytes_per_input_byte: shape.ram_bytes_per_input_byte.unwrap().optional(),
  timeout_seconds: shape.timeout_seconds.unwrap().optional(),
});

/** A partial table: per type, only the fields to change. Unknown task types are refused. */
export const WeightsOverride = z.partialRecord(z.enum(TASK_TYPES), ProfileOverride).superRefine((value, ctx) => {
  for (const key of Object.keys(value)) {
    if (!(TASK_TYPES as readonly string[]).includes(key)) ctx.addIssue({ code: "custom", message: `unknown task type ${key}` });
  }
});
export type WeightsOverride = z.infer<typeof WeightsOverride>;

export interface LoadWeightsOptions {
  /** A layer between the DESIGN.md defaults and the configuration: the processors' own profiles. */
  base?: WeightsOverride;
  /** JSON file with a (partial) table. Default: env VS3D_BROKER_WEIGHTS_FILE, else none. */
  file?: string | undefined;
  /** Environment to read VS3D_BROKER_WEIGHTS_FILE and VS3D_BROKER_WEIGHTS (inline JSON, applied last). Default: process.env. */
  env?: Record<string, string | undefined>;
}

/** Defaults ← file ← env, each layer merged per type and validated as a whole profile. */
export function loadWeights(options: LoadWeightsOptions = {}): WeightsTable {
  const env = options.env ?? process.env;
  const layers: Array<{ from: string; text: string }> = [];
  const file = options.file ?? env.VS3D_BROKER_WEIGHTS_FILE;
  if (file) layers.push({ from: file, text: readText(file) });
  if (env.VS3D_BROKER_WEIGHTS) layers.push({ from: "VS3D_BROKER_WEIGHTS", text: env.VS3D_BROKER_WEIGHTS });
  return mergeWeights([...(options.base ? [options.base] : []), ...layers.map((l) => parseOverride(l.from, l.text))]);
}

/** Pure: defaults with the overrides applied in order. */
export function mergeWeights(overrides: readonly WeightsOverride[]): WeightsTable {
  const table = {} as WeightsTable;
  for (const type of TASK_TYPES) {
    const merged: Record<string, unknown> = { ...DEFAULT_WEIGHTS[type] };
    for (const o of overrides) Object.assign(merged, definedOnly(o[type] ?? {}));
    const parsed = ResourceProfile.safeParse(merged);
    if (!parsed.success) throw invalid(`profile of ${type}`, parsed.error);
    table[type] = parsed.data;
  }
  return table;
}

function parseOverride(from: string, text: string): WeightsOverride {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AppError("INTERNAL", `broker weights in ${from} are not JSON: ${(error as Error).message}`, { recoverable: false });
  }
  const parsed = WeightsOverride.safeParse(json);
  if (!parsed.success) throw invalid(from, parsed.error);
  return parsed.data;
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new AppError("INTERNAL", `cannot read broker weights file ${file}: ${(error as Error).message}`, { recoverable: false });
  }
}

function invalid(from: string, error: z.ZodError): AppError {
  return new AppError("INTERNAL", `invalid broker weights (${from}): ${z.prettifyError(error)}`, { recoverable: false, details: { issues: error.issues } });
}
