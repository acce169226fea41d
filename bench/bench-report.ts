/** The lines every bench prints the same way: the machine it ran on, and medians. */
import { cpus, loadavg, totalmem } from "node:os";

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Cores, memory, Node, load average (the machine is shared: a figure means little without it). */
export function machineLine(what: string): string {
  const load = loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");
  return `machine: ${cpus().length}× ${cpus()[0]?.model ?? "?"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load ${load}; ${what}; ${new Date().toISOString()}`;
}
