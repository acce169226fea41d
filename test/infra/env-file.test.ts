import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { execa } from "execa";
import { REPO_ROOT } from "../helpers/fixtures.ts";
import { inheritedImports } from "../../src/actors/worker/inherited-imports.ts";

// In a child process: loading an env file changes process.env for good.
const probe = `import { loadEnvFile } from ${JSON.stringify(join(REPO_ROOT, "src/config/env-file.ts"))};
const file = loadEnvFile();
console.log(JSON.stringify({ file: file ?? null, a: process.env.VS3D_T_A ?? null, b: process.env.VS3D_T_B ?? null }));`;

async function run(cwd: string, env: Record<string, string> = {}) {
  return execa(process.execPath, [...inheritedImports(), "--input-type=module", "-e", probe], { cwd, env: { ...env, NODE_OPTIONS: "" }, reject: false, preferLocal: true, localDir: REPO_ROOT });
}

test(".env in the working directory is read at start-up; the environment's own values win", async () => {
  const dir = await mkdtemp(join(tmpdir(), "vs3d-env-"));
  await writeFile(join(dir, ".env"), '# comment\nVS3D_T_A=from-file\nVS3D_T_B="quoted value"\n');
  const r = await run(dir, { VS3D_T_A: "from-env" });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { file: join(dir, ".env"), a: "from-env", b: "quoted value" });
});

test("no .env: nothing read; ENV_FILE names another file, and a missing one stops the start", async () => {
  const dir = await mkdtemp(join(tmpdir(), "vs3d-env-"));
  assert.deepEqual(JSON.parse((await run(dir)).stdout), { file: null, a: null, b: null });
  await writeFile(join(dir, "prod.env"), "VS3D_T_B=prod\n");
  assert.equal((JSON.parse((await run(dir, { ENV_FILE: "prod.env" })).stdout) as { b?: string }).b, "prod");
  const missing = await run(dir, { ENV_FILE: "nope.env" });
  assert.notEqual(missing.exitCode, 0);
  assert.match(missing.stderr, /ENV_FILE: .*nope\.env does not exist/);
});
