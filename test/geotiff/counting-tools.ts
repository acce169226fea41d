import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { execa } from "execa";

export interface CountingTools {
  /** The command lines the tools ran with, in order, e.g. "gdalinfo -json -nofl /x/in.tif". */
  calls(): Promise<string[]>;
  /** Seconds each tool waits before it runs (0: none). */
  setDelay(seconds: number): void;
}

/** Puts scripts named like the real GDAL tools first on this process's PATH: each writes its command
 * line to a log, waits when asked, then runs the real tool with the same arguments. The processors
 * spawn tools by name, so this counts (and slows) their real invocations without touching them. */
export async function countingTools(dir: string, tools: readonly string[]): Promise<CountingTools> {
  const bin = join(dir, "counting-bin");
  const log = join(dir, "tool-calls.log");
  await mkdir(bin, { recursive: true });
  await writeFile(log, "");
  for (const tool of tools) {
    const real = (await execa("sh", ["-c", `command -v ${tool}`])).stdout.trim();
    const script = `#!/bin/sh\nprintf '%s\\n' "${tool} $*" >> '${log}'\n[ "\${VS3D_TEST_TOOL_DELAY:-0}" = 0 ] || sleep "$VS3D_TEST_TOOL_DELAY"\nexec '${real}' "$@"\n`;
    await writeFile(join(bin, tool), script);
    await chmod(join(bin, tool), 0o755);
  }
  process.env.PATH = `${bin}${delimiter}${process.env.PATH ?? ""}`;
  return {
    calls: async () => (await readFile(log, "utf8")).split("\n").filter(Boolean),
    setDelay(seconds) {
      process.env.VS3D_TEST_TOOL_DELAY = String(seconds);
    },
  };
}
