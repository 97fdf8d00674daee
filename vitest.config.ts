import swc from "unplugin-swc";
import { defineConfig } from "vitest/config";

/**
 * The API suite on PostgreSQL: with CLOUDPAM_TEST_BACKEND=postgres (`npm run test:postgres`, run by .ci/run in
 * parallel with the SQLite run) these files run with every test server on a fresh database of one shared
 * throw-away cluster (globalSetup test/helpers/pg-global-setup.ts). The list grows as the query modules become
 * dialect-neutral (#15); a file joins it once it passes on both backends. Files that open the SQLite file of a
 * test server directly (`server.dbPath`) are SQLite-only.
 */
export const POSTGRES_SUITE = [
  "test/postgres/test-backend.test.ts",
  // accounts, scopes, tokens and the event log are dialect-neutral (pg-rest)
  "test/events/audit-log.test.ts",
  "test/api/viewer.test.ts",
  "test/security/authentication.test.ts",
  "test/security/abuse.test.ts",
  "test/security/complexity-cache.test.ts",
  "test/security/jwt.test.ts",
  "test/security/limits.test.ts",
  "test/security/proxy.test.ts",
  "test/security/sessions.test.ts",
  "test/security/token-cache.test.ts",
  "test/clients/apq.test.ts",
  "test/clients/relay.test.ts",
  // soft delete and restore through the API (issue #18)
  "test/api/soft-delete.test.ts",
  // the blocks view, Pool.monitored and the ops gauges (pg-blocks)
  "test/api/blocks.test.ts",
  "test/api/monitored-pools.test.ts",
  "test/ops/dashboards.test.ts",
  // CSV export (REPEATABLE READ cursor) and import, approvals (nested savepoints) (pg-blocks)
  "test/api/csv.test.ts",
  "test/api/approvals.test.ts",
  // allocations, reservations, batches and lookup over src/db/prefixes.ts in await style (pg-prefixes)
  "test/api/allocations.test.ts",
  "test/api/allocate-many.test.ts",
  "test/api/reservations.test.ts",
  "test/api/lookup.test.ts",
  "test/api/cloud.test.ts",
  "test/api/defragmentation.test.ts",
  "test/api/error-wording.test.ts",
  "test/api/foundation.test.ts",
  "test/events/typed-payloads.test.ts",
  // webhook delivery: one lease and one event read per batch, one write per delivered event
  "test/events/webhooks.test.ts",
  "test/events/subscriptions.test.ts",
  // pools, scopes, accounts, validation, move/resize, peered scopes and plans: "nothing written" is proved with a
  // dump of either backend (dumpServer in test/helpers/plan.ts)
  "test/api/pools.test.ts",
  "test/api/scopes.test.ts",
  "test/api/accounts.test.ts",
  "test/api/validation.test.ts",
  "test/api/pool-move.test.ts",
  "test/api/pool-resize.test.ts",
  "test/api/peered-scopes.test.ts",
  "test/api/plans.test.ts",
  "test/api/analytics.test.ts",
  // two server processes on one database (the same SQLite file, or the same PostgreSQL database)
  "test/api/concurrency.test.ts",
  // subscriptions through the real clients, hub hand-off, and cloud truth (poll loop, notifications, assume-role)
  "test/events/hub-handoff.test.ts",
  "test/clients/apollo.test.ts",
  "test/clients/urql.test.ts",
  "test/clients/subscriptions.test.ts",
  "test/reconcile/loop.test.ts",
  "test/reconcile/loose-ends.test.ts",
  "test/reconcile/notifications-aws.test.ts",
  "test/reconcile/notifications-gcp.test.ts",
  "test/reconcile/overlap-lookup.test.ts",
];

const postgres = process.env.CLOUDPAM_TEST_BACKEND === "postgres";

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
    // CLOUDPAM_TEST_ANY_FILE=1 lets a file outside the list run on PostgreSQL (to try it before adding it).
    include: postgres && !process.env.CLOUDPAM_TEST_ANY_FILE ? POSTGRES_SUITE : ["test/**/*.test.ts"],
    ...(postgres ? { globalSetup: ["test/helpers/pg-global-setup.ts"] } : {}),
    // type-graphql decorators need the Reflect metadata API before any schema class loads.
    setupFiles: ["reflect-metadata"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    server: { deps: { inline: ["type-graphql"] } },
  },
});
