#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so the same sources serve Node and Deno without a build.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
