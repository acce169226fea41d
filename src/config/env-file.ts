import { existsSync } from "node:fs";
import { resolve } from "node:path";

/** Reads `.env` (or the file `ENV_FILE` names) into process.env at start-up, as .env.example
 * implies. Variables already set in the environment win: the orchestrator's values override the
 * file's. A missing default `.env` is fine; a missing `ENV_FILE` is an error, since it was asked for.
 * Returns the file read, for the start-up log. */
export function loadEnvFile(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string | undefined {
  const named = env["ENV_FILE"];
  const path = resolve(cwd, named && named !== "" ? named : ".env");
  if (!existsSync(path)) {
    if (named) throw new Error(`ENV_FILE: ${path} does not exist`);
    return undefined;
  }
  // process.loadEnvFile never overwrites a variable that is already set.
  process.loadEnvFile(path);
  return path;
}
