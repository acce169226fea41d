// Runs image_ocr once on the file given and prints the recognised text; with a second argument,
// cancels the task after that many ms and prints the error code. Spawned by ocr-offline.test.ts:
// the process must then exit by itself (no tesseract worker left behind).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { AppError } from "../../src/contracts/app-error.ts";
import { imageOcrProcessor } from "../../src/processors/image-ops/ocr/image-ocr.processor.ts";
import { runStages } from "../helpers/run-stages.ts";

// When preloaded, the no-network guard throws synchronously; that probe is not logged as an attempt.
if (process.env.VS3D_NETWORK_LOG) {
  let guarded = false;
  try {
    fetch("guard-check").catch(() => {});
  } catch {
    guarded = true;
  }
  if (!guarded) throw new Error("the no-network preload is not active");
}

const [file, abortMs] = process.argv.slice(2);
const controller = new AbortController();
if (abortMs !== undefined) setTimeout(() => controller.abort(new AppError("CANCELLED", "cancelled by the test")), Number(abortMs));
try {
  const r = await runStages(imageOcrProcessor, file!, {}, { signal: controller.signal });
  process.stdout.write(`${(JSON.parse(await readFile(join(r.outDir, "ocr.json"), "utf8")) as { text: string }).text}\n`);
  await r.cleanup();
} catch (error) {
  process.stdout.write(`${error instanceof AppError ? error.code : String(error)}\n`);
}
