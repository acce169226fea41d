import { test } from "node:test";
import assert from "node:assert/strict";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { REPO_ROOT } from "../helpers/fixtures.ts";

// Type-aware rules need a file on disk in the TS project; this test probes only the import rule.
const eslint = new ESLint({
  cwd: REPO_ROOT,
  overrideConfig: [tseslint.configs.disableTypeChecked, { rules: { "@typescript-eslint/consistent-type-imports": "off" } }],
});

async function importErrors(filePath: string, module: string): Promise<number> {
  const [result] = await eslint.lintText(`import x from "${module}";\nexport const y = x;\n`, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").length;
}

test("the pure core (machines, contracts, ports, storage rules, pure projections) may not import I/O or the edges", async () => {
  for (const file of ["src/machines/probe.ts", "src/contracts/probe.ts", "src/ports/probe.ts", "src/storage-rules/probe.ts", "src/projections/pure/probe.ts"]) {
    for (const module of ["node:fs", "fs/promises", "pg", "ioredis", "../infra/logger.ts", "../../actors/task-host.ts", "../processors/registry.ts"]) {
      assert.equal(await importErrors(file, module), 1, `${file} importing ${module} must be refused`);
    }
    for (const module of ["xstate", "zod", "../contracts/task-events.ts", "./task-status.ts", "../../machines/task.machine.ts"]) {
      assert.equal(await importErrors(file, module), 0, `${file} may import ${module}`);
    }
  }
});

test("the same imports are fine at the edges", async () => {
  assert.equal(await importErrors("src/actors/probe.ts", "node:fs/promises"), 0);
  assert.equal(await importErrors("src/actors/probe.ts", "../infra/logger.ts"), 0);
});

test("infra implements ports and never imports actors, broker, intake or service", async () => {
  for (const module of ["../../actors/task-runtime.ts", "../../broker/resource-broker.ts", "../intake/submit-task.ts", "../../service/service.ts"]) {
    assert.equal(await importErrors("src/infra/storage/probe.ts", module), 1, `infra importing ${module} must be refused`);
  }
  for (const module of ["../../ports/storage.port.ts", "../../storage-rules/key-policy.ts", "./io-limiter.ts", "node:fs"]) {
    assert.equal(await importErrors("src/infra/storage/probe.ts", module), 0, `infra may import ${module}`);
  }
});

test("processors never import infra", async () => {
  assert.equal(await importErrors("src/processors/archive/probe.ts", "../../infra/storage/local-storage.ts"), 1);
  assert.equal(await importErrors("src/processors/archive/probe.ts", "../../storage-rules/key-policy.ts"), 0);
  assert.equal(await importErrors("src/processors/archive/probe.ts", "../shared/run-tool.ts"), 0);
});
