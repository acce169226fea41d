/** Writes the JSON Schemas of the wire contracts to schemas/ for the Laravel team.
 * `--check` writes nothing and exits 1 when a checked-in file is stale. */
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { contractSchemas } from "../src/contracts/json-schemas.ts";
import { loadProcessorRegistry } from "../src/processors/registry.ts";
import { REPO_ROOT } from "../test/helpers/fixtures.ts";

export async function renderSchemas(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const [name, schema] of Object.entries(contractSchemas([...(await loadProcessorRegistry()).values()]))) {
    files.set(`${name}.schema.json`, `${JSON.stringify(schema, null, 2)}\n`);
  }
  return files;
}

async function main(check: boolean): Promise<number> {
  const dir = join(REPO_ROOT, "schemas");
  await mkdir(dir, { recursive: true });
  const stale: string[] = [];
  for (const [file, text] of await renderSchemas()) {
    const path = join(dir, file);
    const current = await readFile(path, "utf8").catch(() => null);
    if (current === text) continue;
    if (check) stale.push(file);
    else await writeFile(path, text);
  }
  if (stale.length) {
    process.stderr.write(`stale JSON Schemas (run npm run schemas): ${stale.join(", ")}\n`);
    return 1;
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(await main(process.argv.includes("--check")));
