import { loadEnvFile } from "./config/env-file.ts";
import { runServe } from "./service/serve.ts";

try {
  loadEnvFile();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}
await runServe();
