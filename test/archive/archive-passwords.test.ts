import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { archiveExtractProcessor } from "../../src/processors/archive/archive-extract.processor.ts";
import { expectAppError, makeSandbox } from "./archive-harness.ts";
import { runStages } from "../helpers/run-stages.ts";

const SECRET = "s3cret pass";

/** Encrypted archives made with the real 7-Zip CLI, as users make them. */
const VARIANTS: [string, string[]][] = [
  ["enc.7z", ["-t7z"]],
  ["enc-headers.7z", ["-t7z", "-mhe=on"]],
  ["enc-zipcrypto.zip", ["-tzip"]],
  ["enc-aes.zip", ["-tzip", "-mem=AES256"]],
];

void test("encrypted 7z and zip: no password → PASSWORD_REQUIRED, wrong → WRONG_PASSWORD, right → the bytes", async () => {
  const sb = await makeSandbox();
  try {
    const src = join(sb.workDir, "src");
    await mkdir(join(src, "docs"), { recursive: true });
    await writeFile(join(src, "docs", "plan.txt"), "the plan\n".repeat(100));
    for (const [name, args] of VARIANTS) {
      const archive = join(sb.workDir, name);
      await execa("7zz", ["a", ...args, `-p${SECRET}`, "-bso0", "-y", archive, "docs"], { cwd: src });
      const run = (params: Record<string, unknown>, out: string) => runStages(archiveExtractProcessor, archive, params, { workDir: sb.workDir, outDir: join(sb.outDir, name, out) });
      await expectAppError(run({}, "none"), "PASSWORD_REQUIRED");
      await expectAppError(run({ password: "not it" }, "wrong"), "WRONG_PASSWORD");
      const ok = await run({ password: SECRET }, "right");
      assert.deepEqual(
        ok.outputs["extract"]?.map((o) => o.path),
        ["files/docs/plan.txt"],
        name,
      );
      assert.equal(await readFile(join(sb.outDir, name, "right", "files", "docs", "plan.txt"), "utf8"), "the plan\n".repeat(100), name);
    }
  } finally {
    await sb.cleanup();
  }
});
