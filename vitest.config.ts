import swc from "unplugin-swc";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // SWC emits decorator metadata (esbuild does not); type-graphql relies on decorators.
  plugins: [swc.vite({ module: { type: "es6" } })],
  resolve: {
    // One copy of graphql: type-graphql (CJS) loads graphql/index.js; make test code load the same file.
    // (graphql-query-complexity's ESM build imports "graphql/index.mjs": send it to the same file.)
    alias: [
      { find: /^graphql$/, replacement: "graphql/index.js" },
      { find: /^graphql\/index\.mjs$/, replacement: "graphql/index.js" },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    // type-graphql decorators need the Reflect metadata API before any schema class loads.
    setupFiles: ["reflect-metadata"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    server: { deps: { inline: ["type-graphql"] } },
  },
});
