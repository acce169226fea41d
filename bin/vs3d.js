#!/usr/bin/env node
// The CLI's sources are TypeScript that Node 24 runs as they are (type stripping), as Deno does: no
// build, no loader. An older Node cannot load them: in a development install it borrows tsx (a dev
// dependency; remove this bridge with Node 20), elsewhere it says what it needs.
if (!process.features.typescript) {
  const tsx = await import("tsx/esm/api").catch(() => null);
  if (!tsx) {
    process.stderr.write(`vs3d needs Node 24 or newer (this is ${process.version}); \`npm run vs3d -- …\` runs the project's own Node 24\n`);
    process.exit(1);
  }
  tsx.register();
}
await import("../src/cli/main.ts");
