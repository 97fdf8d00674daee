import type { CodegenConfig } from "@graphql-codegen/cli";

// Typed documents from the committed schema: `npm run codegen:web` (test/web/codegen.test.ts fails when stale).
const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: ["web/src/**/*.{ts,tsx}", "!web/src/gql/**/*"],
  ignoreNoDocuments: false,
  generates: {
    "web/src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        // Only what the UI's operations use: a schema change elsewhere does not make these files stale.
        onlyOperationTypes: true,
        enumsAsTypes: true,
        scalars: {
          CIDR: "string",
          IPAddress: "string",
          DateTime: "string",
          JSONObject: "Record<string, unknown>",
        },
      },
    },
  },
};
export default config;
