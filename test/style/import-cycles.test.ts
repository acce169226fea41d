import { test } from "node:test";
import assert from "node:assert/strict";
import { REPO_ROOT } from "../helpers/fixtures.ts";
import { importCycles, importGraph, staticRelativeImports } from "./import-graph.ts";

test("src/ has no import cycle", () => {
  assert.deepEqual(importCycles(importGraph(REPO_ROOT, "src")), []);
});

test("the cycle finder sees a two-file cycle, a longer one and a self-import, and nothing in a tree", () => {
  const graph = new Map([
    ["a.ts", ["b.ts"]],
    ["b.ts", ["a.ts", "c.ts"]],
    ["c.ts", ["d.ts"]],
    ["d.ts", ["e.ts"]],
    ["e.ts", ["c.ts"]],
    ["f.ts", ["f.ts"]],
    ["g.ts", ["a.ts", "outside.ts"]],
  ]);
  assert.deepEqual(importCycles(graph).sort(), [["a.ts", "b.ts"], ["c.ts", "d.ts", "e.ts"], ["f.ts"]]);
  assert.deepEqual(
    importCycles(
      new Map([
        ["x.ts", ["y.ts"]],
        ["y.ts", ["z.ts"]],
        ["z.ts", []],
      ]),
    ),
    [],
  );
});

test("type-only imports and multi-line re-exports count; bare packages and dynamic imports do not", () => {
  const source = [
    'import type { A } from "./a.ts";',
    "export {",
    "  b,",
    '} from "../b.ts";',
    'import "./side-effect.ts";',
    'import { z } from "zod";',
    'const lazy = await import("./lazy.ts");',
  ].join("\n");
  assert.deepEqual(staticRelativeImports(source).sort(), ["../b.ts", "./a.ts", "./side-effect.ts"]);
});
