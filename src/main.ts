import { runServe } from "./service/serve.ts";

await runServe();
