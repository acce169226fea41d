import { brokerMachine } from "../machines/broker.machine.ts";
import { TASK_MACHINE_VERSION, taskMachine } from "../machines/task.machine.ts";

const MACHINES = { task: { machine: taskMachine, version: TASK_MACHINE_VERSION }, broker: { machine: brokerMachine, version: "broker" } } as const;

/** `vs3d machine [task|broker] [--stately]`: the machine's definition as JSON (states, transitions,
 * guards, tags) with its version, for diffing a machine change in review; or, with `--stately`, its
 * config as a `createMachine({...})` call, the form Stately's editor imports from code. The config
 * is plain data (named guards, actions and effects), so nothing is lost in the print. */
export function machineCommand(name: string, options: { stately?: boolean } = {}): number {
  const entry = MACHINES[name as keyof typeof MACHINES];
  if (!entry) {
    process.stderr.write(`vs3d: unknown machine ${name} (task, broker)\n`);
    return 2;
  }
  if (options.stately) {
    process.stdout.write(`${statelyImport(entry.machine.config)}\n`);
    return 0;
  }
  process.stdout.write(`${JSON.stringify({ version: entry.version, definition: entry.machine.toJSON() }, null, 2)}\n`);
  return 0;
}

/** What Stately's "Import from code" accepts: one createMachine() call with the machine's config. */
export function statelyImport(config: object): string {
  return `createMachine(${JSON.stringify(config, null, 2)});`;
}
