/**
 * The server side of `bench/profile/run.ts`: a CloudPAM server (AUTH from the environment, a bearer token when
 * on) with one /8 pool, started under `node --cpu-prof`. Prints one JSON line {url, body, authorization} on
 * stdout; exits (writing the profile) on SIGINT.
 */
import "reflect-metadata";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parsePrefix } from "../../src/allocator/index.js";
import { loadConfig } from "../../src/config.js";
import { insertPrefix, rangeColumns } from "../../src/db/prefixes.js";
import { accounts } from "../../src/db/schema.js";
import type { Db } from "../../src/db/store.js";
import { seedPool } from "../../src/domain/placement.js";
import { createLogger } from "../../src/logger.js";
import { startApp } from "../../src/server/app.js";
import { toGlobalId } from "../../src/schema/node.js";

const dir = mkdtempSync(join(tmpdir(), "cloudpam-profile-"));
const auth = process.env.AUTH === "on" ? "on" : "off";
const config = loadConfig(
  {
    ADDR: "127.0.0.1:0",
    SQLITE_DSN: join(dir, "profile.db"),
    AUTH: auth,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
    RATE_LIMIT_PER_SECOND: "10000000",
    RATE_LIMIT_BURST: "10000000",
    MAX_COMPLEXITY: "1000000",
  },
  {},
);
let token: string | undefined;
const app = await startApp(config, {
  logger: createLogger(config.logLevel),
  onBootstrapToken: (t) => (token = t),
});
const ids = await app.services.store.write(async (d: Db) => {
  const accountId = d
    .insert(accounts)
    .values({ key: "aws:000000000001", provider: "AWS", name: "bench", tier: "PRD" })
    .returning()
    .get().id;
  const pool = await insertPrefix(d, {
    kind: "pool",
    scopeId: 1,
    status: "ACTIVE",
    name: "p",
    ...rangeColumns(parsePrefix("10.0.0.0/8")),
  });
  await seedPool(d, pool);
  return { poolId: pool.id, accountId };
});
// PROFILE=pools: 200 pools (10 accounts) under one root, and the hotpath bench's pools(first: 100) query.
if (process.env.PROFILE === "pools") {
  await app.services.store.write(async (d: Db) => {
    const accountIds = Array.from(
      { length: 10 },
      (_, i) =>
        d
          .insert(accounts)
          .values({ key: `gcp:p-${i}`, provider: "GCP", name: `acct-${i}`, tier: "PRD" })
          .returning()
          .get().id,
    );
    const root = await insertPrefix(d, {
      kind: "pool",
      scopeId: 1,
      status: "ACTIVE",
      name: "root",
      ...rangeColumns(parsePrefix("172.16.0.0/12")),
    });
    for (let i = 0; i < 200; i++)
      await insertPrefix(d, {
        kind: "pool",
        scopeId: 1,
        parentId: root.id,
        status: "ACTIVE",
        name: `p${i}`,
        accountId: accountIds[i % 10]!,
        ...rangeColumns(parsePrefix(`172.${16 + (i >> 4)}.${(i & 15) * 16}.0/20`)),
      });
  });
}
const body =
  process.env.PROFILE === "pools"
    ? JSON.stringify({
        query:
          "{ pools(first: 100) { edges { node { id cidr name account { id name } parent { id cidr } scope { id name } } } } }",
      })
    : JSON.stringify({
        query: `mutation($input: AllocateInput!) { allocate(input: $input) { allocation { id cidr } } }`,
        variables: {
          input: {
            poolId: toGlobalId("Pool", ids.poolId),
            accountId: toGlobalId("Account", ids.accountId),
            prefixLength: 28,
          },
        },
      });
process.stdout.write(
  JSON.stringify({ url: `${app.url}/graphql`, body, authorization: token ? `Bearer ${token}` : null }) + "\n",
);
// The profile's timestamps are CLOCK_MONOTONIC microseconds, like hrtime: run.ts counts samples after this mark.
process.on("SIGUSR2", () => {
  process.stdout.write(`mark ${process.hrtime.bigint() / 1000n}\n`);
});
process.on("SIGINT", () => {
  void app.close().then(() => process.exit(0));
});
