import { brokerMachine } from "../machines/broker.machine.ts";
import { TASK_MACHINE_VERSION, taskMachine } from "../machines/task.machine.ts";

const MACHINES = { task: { machine: taskMachine, version: TASK_MACHINE_VERSION }, broker: { machine: brokerMachine, version: "broker" } } as const;

/** `vs3d machine [task|broker]`: the machine's definition as JSON (states, transitions, guards,
 * tags), for Stately's visualizer and for diffing a machine change in review. */
export function machineCommand(name: string): number {
  const entry = MACHINES[name as keyof typeof MACHINES];
  if (!entry) {
    process.stderr.write(`vs3d: unknown machine ${name} (task, broker)\n`);
    return 2;
  }
  process.stdout.write(`${JSON.stringify({ version: entry.version, definition: entry.machine.toJSON() }, null, 2)}\n`);
  return 0;
}
