import type { z } from "zod";
import type { ResourceProfileInput } from "../contracts/resource-profile.ts";
import type { OutputWarning } from "../contracts/task-events.ts";
import type { TaskType } from "../contracts/task-types.ts";

/** A file a stage wrote. `path` is relative to the task's output directory and becomes
 * `destination.base_key + path` once uploaded; it must not climb out of it. */
export interface OutputFile {
  path: string;
  /** What it is to the platform: "thumbnail", "image", "cog", "preview", "poster", "manifest", … */
  type: string;
  format: string;
  /** MIME type for the upload. Default: derived from the format. */
  contentType?: string;
  /** The path of the output this file belongs to (a tile of a tileset whose `tileset.json` is the
   * listed output): uploaded and checkpointed, but not listed in the result on its own. */
  partOf?: string;
  /** What the stage could not do in full for this file (a texture not found, a material map glTF
   * has no slot for): carried with the output's checkpoint and listed in the completed result. */
  warnings?: OutputWarning[];
}

export interface StageInput<P> {
  /** The downloaded source file, read-only. */
  filePath: string;
  /** Scratch space owned by this task; removed when the task ends. */
  workDir: string;
  /** Where outputs go; every OutputFile.path is relative to it. */
  outDir: string;
  params: P;
  source: { key: string; format?: string | undefined; size_bytes?: number | undefined };
  /** Outputs of the stages that already completed (also after a resume on another node). */
  previous: Readonly<Record<string, readonly OutputFile[]>>;
}

export interface Progress {
  done: number;
  total: number;
  label?: string;
  /** What done/total count: "points", "bytes", "frames", "entries", … Default: steps of the stage. */
  unit?: string;
}

export interface StageContext {
  signal: AbortSignal;
  progress: (p: Progress) => void;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

export interface Stage<P> {
  /** Stable snake_case name: it is the checkpoint key in the event stream and the progress `stage`. */
  name: string;
  /** Human label for the progress bar. */
  label: string;
  /** Relative share of the task's total work, for overall percent. Default: 1. */
  weight?: number;
  run(input: StageInput<P>, ctx: StageContext): Promise<{ outputs: OutputFile[] }>;
}

/** Objects a processor reads instead of the one at `source.key`: listed keys (laid out relative to
 * `base`, default their common prefix) or every object below a prefix. The service downloads them
 * into one directory and passes it as `filePath`. */
export type InputObjects = { keys: readonly string[]; base?: string } | { prefix: string };

/** A task type's processor: params schema, named stages, resource profile. It knows nothing of queues,
 * stores or S3, and runs inside a worker child process. Throw AppError for every expected failure. */
export interface ProcessorDefinition<P = unknown> {
  taskType: TaskType;
  params: z.ZodType<P>;
  profile: ResourceProfileInput;
  /** The ordered stages for these params; names must be unique within the list. */
  stages(params: P): Stage<P>[];
  /** When set and not null: the task reads these objects (a directory) rather than source.key. */
  inputObjects?(params: P): InputObjects | null;
  /** True when no stage ever opens the downloaded input for writing (sharp, ffmpeg's `-i`, GDAL's
   * read-only open; not a tool that rewrites its input in place, such as gdaladdo): local storage
   * may then link the stored file into the work directory instead of copying it, which for a
   * multi-GB video or raster is the whole download. Default: false (a copy). */
  inputReadOnly?: boolean;
}

/** Helper that keeps the params type flowing from the schema into the stages. */
export function defineProcessor<S extends z.ZodType>(def: {
  taskType: TaskType;
  params: S;
  profile: ResourceProfileInput;
  stages(params: z.infer<S>): Stage<z.infer<S>>[];
  inputObjects?(params: z.infer<S>): InputObjects | null;
  inputReadOnly?: boolean;
}): ProcessorDefinition<z.infer<S>> {
  return def as ProcessorDefinition<z.infer<S>>;
}
