import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { inheritedImports } from "../../src/actors/worker/inherited-imports.ts";
import { REPO_ROOT } from "../helpers/fixtures.ts";

const json = async (file: string) => JSON.parse(await readFile(join(REPO_ROOT, file), "utf8")) as Record<string, Record<string, unknown>>;

test("one Node 24 everywhere: the image copies the Node the lock pins for npm scripts and tests, and this test runs on it", async () => {
  const lock = await json("package-lock.json");
  const pinned = (lock["packages"]!["node_modules/node"] as { version: string }).version;
  assert.match(pinned, /^24\./);
  const docker = await readFile(join(REPO_ROOT, "Dockerfile"), "utf8");
  assert.equal(/^ARG NODE_IMAGE=node:([\d.]+)-/m.exec(docker)?.[1], pinned, "Dockerfile's Node image = the `node` package's version");
  assert.equal(process.version, `v${pinned}`, "the tests run on the project's Node (npm test puts node_modules/.bin first on PATH)");
  assert.match(String((await json("package.json"))["engines"]!["node"]), /^>=24\./);
});

test("no TypeScript loader at run time: tsx is a dev dependency only, and the image and npm scripts start no loader", async () => {
  const pkg = await json("package.json");
  assert.equal(pkg["dependencies"]!["tsx"], undefined);
  for (const [name, script] of Object.entries(pkg["scripts"]!)) assert.doesNotMatch(String(script), /\btsx\b/, `npm run ${name}`);
  const docker = await readFile(join(REPO_ROOT, "Dockerfile"), "utf8");
  assert.match(docker, /^CMD \["node", "src\/main\.ts"\]$/m);
});

test("a worker child loads the host's --import preloads, as URLs it finds from any directory, and nothing else of its command line", () => {
  const guard = pathToFileURL(join(process.cwd(), "guard.mjs")).href;
  assert.deepEqual(inheritedImports(["--max-old-space-size=512", "--import", "tsx", "--inspect", "--import=./guard.mjs", "--import", "data:text/javascript,0"]), [
    "--import",
    import.meta.resolve("tsx"),
    "--import",
    guard,
    "--import",
    "data:text/javascript,0",
  ]);
  assert.deepEqual(inheritedImports([]), []);
  assert.deepEqual(inheritedImports(["--import"]), [], "a dangling flag is not passed on");
});
