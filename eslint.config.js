// @ts-check
import tseslint from "typescript-eslint";

// src/machines, src/contracts, src/ports, src/storage-rules and src/projections/pure are the pure core:
// replay is a pure fold and the same files run under Node and Deno, so they may import only xstate,
// zod and each other. The layer zones below keep the edges pointing inwards.
const TYPED = ["**/*.ts", "**/*.tsx"];
const PURE_CORE = ["src/machines/**/*.ts", "src/contracts/**/*.ts", "src/ports/**/*.ts", "src/storage-rules/**/*.ts", "src/projections/pure/**/*.ts"];

/** A relative import that reaches a top-level folder of src/ named in `folders`.
 * @param {string[]} folders */
const reaching = (folders) => `^\\.{1,2}/(.*/)?(${folders.join("|")})(/|$)`;
export default tseslint.config(
  { ignores: ["node_modules/**", ".vs3d/**", "out/**", "bin/**", "**/*.js"] },
  ...tseslint.configs.recommended,
  // Type-aware rules where there are types: docs/laravel/react's .tsx files have their own
  // tsconfig.json (the project service finds it); the few .mjs preloads keep the plain rules.
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: TYPED })),
  {
    files: TYPED,
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/switch-exhaustiveness-check": "error",
      // node:test's test()/describe() return promises the runner itself awaits.
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          allowForKnownSafeCalls: [{ from: "package", package: "node:test", name: ["test", "it", "describe", "suite", "before", "after", "beforeEach", "afterEach"] }],
        },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: PURE_CORE,
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(?!(xstate|zod)(/|$)|\\.).*",
              message: "the pure core (machines, contracts, ports, storage-rules, projections/pure): import only xstate, zod and each other.",
            },
            {
              regex: reaching(["infra", "actors", "service", "http", "cli", "broker", "intake", "processors", "config"]),
              message: "the pure core may not import the edges (infra, actors, service, http, cli, broker, intake, processors, config).",
            },
          ],
        },
      ],
    },
  },
  {
    // Adapters implement ports; they never reach back into what drives them.
    files: ["src/infra/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [{ regex: reaching(["actors", "broker", "intake", "service"]), message: "src/infra implements ports: it may not import actors, broker, intake or service." }],
        },
      ],
    },
  },
  {
    // A processor sees storage and the rest only through what its stage is handed.
    files: ["src/processors/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [{ regex: reaching(["infra"]), message: "src/processors may not import src/infra: take the port or the pure rule (src/ports, src/storage-rules) instead." }],
        },
      ],
    },
  },
);
