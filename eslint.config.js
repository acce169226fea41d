// @ts-check
import tseslint from "typescript-eslint";

// src/machines, src/contracts and src/projections/pure are the pure core: replay is a pure fold and
// the same files run under Node and Deno, so they may import only xstate, zod and each other.
export default tseslint.config(
  { ignores: ["node_modules/**", ".vs3d/**", "out/**", "bin/**", "**/*.js"] },
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // node:test's test()/describe() return promises the runner itself awaits.
      "@typescript-eslint/no-floating-promises": ["error", {
        allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["test", "it", "describe", "suite", "before", "after", "beforeEach", "afterEach"] }],
      }],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["src/machines/**/*.ts", "src/contracts/**/*.ts", "src/projections/pure/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [
          {
            regex: "^(?!(xstate|zod)(/|$)|\\.).*",
            message: "src/machines, src/contracts and src/projections/pure are the pure core: import only xstate, zod and each other.",
          },
          {
            regex: "^\\.{1,2}/(.*/)?(infra|actors|service|http|cli|broker|intake|processors|config)(/|$)",
            message: "the pure core may not import the edges (infra, actors, service, http, cli, broker, intake, processors, config).",
          },
        ],
      }],
    },
  },
);
