/**
 * Import direction between layers (README "Layers"; architecture: arrows point down only):
 *   server -> resolvers -> schema | domain | reconcile -> db | allocator | providers -> src/errors.ts, src/ids.ts
 * src/errors.ts (typed errors, the error codes) and src/ids.ts (global ids, event cursors) sit below every
 * layer and import nothing of ours but each other. src/schema maps domain records to GraphQL types: it may
 * import types from src/domain (the records it maps), never their functions, and nothing of src/db but the
 * Page shape of src/db/pagination.ts.
 * `npm run lint` runs `depcruise src` with these rules: a cycle or an upward import fails it.
 * test/lint/import-rules.test.ts proves each rule fires on a deliberately bad import.
 */
const UP_FROM = {
  allocator: "^src/(?!allocator/)",
  db: "^src/(domain|schema|resolvers|server|reconcile|providers|cli)/",
  providers: "^src/(domain|schema|resolvers|server|reconcile|db|cli)/",
  domain: "^src/(schema|resolvers|server|reconcile|cli)/",
  schema: "^src/(resolvers|server|reconcile|cli)/",
  reconcile: "^src/(schema|resolvers|server|cli)/",
  resolvers: "^src/(server|cli)/",
};

export default {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment:
        "An import cycle, type-only ones included: move the shared piece down a layer (or into its own module).",
      from: { path: "^src/" },
      to: { circular: true },
    },
    ...Object.entries(UP_FROM).map(([layer, up]) => ({
      name: `no-upward-import-from-${layer}`,
      severity: "error",
      comment: `src/${layer} imports a layer above it; move the shared type or function down.`,
      from: { path: `^src/${layer}/` },
      to: { path: up },
    })),
    {
      name: "no-upward-import-from-shared",
      severity: "error",
      comment: "src/errors.ts and src/ids.ts are below every layer: they import nothing but each other.",
      from: { path: "^src/(errors|ids)\\.ts$" },
      to: { path: "^src/", pathNot: "^src/(errors|ids)\\.ts$" },
    },
    {
      name: "schema-imports-only-types-from-domain",
      severity: "error",
      comment:
        "src/schema maps records to GraphQL types: import the record types (import type) from src/domain or src/db; shared functions live in src/ids.ts or src/errors.ts.",
      from: { path: "^src/schema/" },
      to: { path: "^src/(domain|db)/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "schema-imports-no-db-rows",
      severity: "error",
      comment:
        "src/schema maps domain records, never database rows: take the record type from src/domain (the Page shape of src/db/pagination.ts is the one shared type).",
      from: { path: "^src/schema/" },
      to: { path: "^src/db/", pathNot: "^src/db/pagination\\.ts$" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js", ".mjs", ".cjs", ".json"] },
  },
};
