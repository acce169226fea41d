import { z } from "zod";

/** Node timers take at most 2^31 − 1 ms; a longer one fires at once. */
export const MAX_TIMER_SECONDS = 2_147_483;

/** What a task asks of the node (DESIGN.md §5). Percent of the whole node's CPU, as on the 128-core
 * reference server; the broker rescales. */
export const ResourceProfile = z.object({
  /** Share of the node's CPU the task keeps busy, 0–100. Heavy when ≥ 30. */
  cpu_percent: z.number().min(0).max(100),
  /** Base RAM ask in GiB for a typical input. */
  ram_gb: z.number().nonnegative(),
  /** Most tasks of this type that may run at once on one node. */
  max_concurrent: z.number().int().positive(),
  /** Extra RAM per byte of input (RAM asks scale with the input's size). Default: 0. */
  ram_bytes_per_input_byte: z.number().nonnegative().default(0),
  /** Wall-clock limit for one attempt's run, from its slot grant. At most 24 days (a timer's range). */
  timeout_seconds: z.number().positive().max(MAX_TIMER_SECONDS).default(3600),
});
export type ResourceProfile = z.infer<typeof ResourceProfile>;
export type ResourceProfileInput = z.input<typeof ResourceProfile>;
