/**
 * Allocation benchmarks through the real HTTP GraphQL server (`npm run bench -- allocations`):
 * - sequential `allocate` with 100 vs 100,000 existing allocations in the pool (target: within 2x), against
 *   the floor of a bare better-sqlite3 `BEGIN IMMEDIATE; INSERT; COMMIT` loop in the same process;
 * - throughput with 16 concurrent clients on one process;
 * - `Pool.blocks(first: 100)` at /8 -> /24 vs IPv6 /32 -> /64 (target: within 2x).
 * Big pools are seeded with direct SQL in one transaction, not with 100,000 HTTP calls.
 */
import "reflect-metadata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { blockSize, makePrefix, parsePrefix, type Prefix } from "../src/allocator/index.js";
import { loadConfig } from "../src/config.js";
import { insertPrefix, rangeColumns, type PrefixRow } from "../src/db/prefixes.js";
import { accounts } from "../src/db/schema.js";
import { openConnection, type Db } from "../src/db/store.js";
import { seedPool } from "../src/domain/placement.js";
import { allocate } from "../src/domain/allocations.js";
import { SYSTEM_ACTOR } from "../src/domain/roles.js";
import { createLogger } from "../src/logger.js";
import { startApp, type App } from "../src/server/app.js";
import { toGlobalId } from "../src/schema/node.js";
import { measure, ratio, report, type BenchResult } from "./harness.js";

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const results: BenchResult[] = [];
const dirs: string[] = [];

async function startBenchApp(): Promise<App> {
  const dir = mkdtempSync(join(tmpdir(), "cloudpam-bench-"));
  dirs.push(dir);
  const config = loadConfig(
    {
      ADDR: "127.0.0.1:0",
      SQLITE_DSN: join(dir, "bench.db"),
      AUTH: "off",
      LOG_LEVEL: "silent",
      RATE_LIMIT_PER_SECOND: "10000000",
      RATE_LIMIT_BURST: "10000000",
      MAX_COMPLEXITY: "1000000",
    },
    {},
  );
  return startApp(config, { logger: createLogger("silent") });
}

function gqlClient(app: App) {
  return async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
    const post = () =>
      fetch(`${app.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query, variables }),
      });
    // A kept-alive socket may have been closed by the server's keepAliveTimeout while the bench did other work.
    const res = await post().catch(post);
    const body = (await res.json()) as { data?: T; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data!;
  };
}

/** A pool with `children` live allocations of `childLength`, every `stride`-th aligned slot from its start. */
async function seedPoolWith(
  app: App,
  cidr: string,
  children: number,
  childLength: number,
  stride = 1,
): Promise<{ pool: PrefixRow; account: number }> {
  return app.services.store.write(async (db: Db) => {
    const account = db
      .insert(accounts)
      .values({
        key: `aws:${String(Math.floor(Math.random() * 1e12)).padStart(12, "0")}`,
        provider: "AWS",
        name: "bench",
        tier: "PRD",
      })
      .returning()
      .get().id;
    const parent = parsePrefix(cidr);
    const pool = await insertPrefix(db, {
      kind: "pool",
      scopeId: 1,
      status: "ACTIVE",
      name: cidr,
      ...rangeColumns(parent),
    });
    const size = blockSize(parent.family, childLength) * BigInt(stride);
    const now = new Date().toISOString();
    const insert = db.$client.prepare(
      `INSERT INTO prefixes (kind, scope_id, parent_id, family, prefix_len, cidr, range_start, range_end, name, status, account_id, created_at)
       VALUES ('allocation', 1, @parentId, @family, @prefixLen, @cidr, @rangeStart, @rangeEnd, @name, 'ALLOCATED', @account, @now)`,
    );
    for (let i = 0; i < children; i++) {
      const p: Prefix = makePrefix(parent.family, parent.start + BigInt(i) * size, childLength);
      insert.run({ parentId: pool.id, account, name: `seed-${i}`, now, ...rangeColumns(p) });
    }
    await seedPool(db, pool);
    return { pool, account };
  });
}

const ALLOCATE = `mutation($input: AllocateInput!) { allocate(input: $input) { allocation { id cidr } } }`;

// 1. Sequential allocate with 100 vs 100,000 existing allocations (one server and database each).
const sequential: Record<number, BenchResult> = {};
for (const existing of [100, 100_000]) {
  const app = await startBenchApp();
  const gql = gqlClient(app);
  const t0 = performance.now();
  const { pool, account } = await seedPoolWith(app, "10.0.0.0/8", existing, 28);
  console.log(`seeded ${existing} allocations in ${Math.round(performance.now() - t0)} ms`);
  const input = {
    poolId: toGlobalId("Pool", pool.id),
    accountId: toGlobalId("Account", account),
    prefixLength: 24,
  };
  gc();
  const r = await measure(`allocate /24 via HTTP, ${existing} existing`, () => gql(ALLOCATE, { input }), {
    iterations: 1000,
    warmup: 100,
  });
  results.push(r);
  sequential[existing] = r;
  // Where the time goes: the same allocation as a bare domain call (no HTTP, no GraphQL).
  results.push(
    await measure(
      `allocate /24 domain call, ${existing} existing`,
      () =>
        allocate(
          app.services.store,
          { actor: SYSTEM_ACTOR },
          { poolId: pool.id, accountId: account, prefixLength: 24 },
        ),
      { iterations: 1000, warmup: 100 },
    ),
  );
  if (existing === 100) {
    results.push(
      await measure("serverInfo via HTTP (GraphQL floor)", () => gql(`{ serverInfo { version } }`, {}), {
        iterations: 1000,
        warmup: 100,
      }),
    );
  }

  if (existing === 100) {
    // 2. Parallel: 16 concurrent clients, each allocating in a loop.
    const clients = 16;
    const perClient = 125;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        for (let i = 0; i < perClient; i++) await gql(ALLOCATE, { input });
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const ops = clients * perClient;
    console.log(
      `parallel allocate: ${clients} clients, ${ops} allocations, ${Math.round(ops / seconds)} allocations/s`,
    );
  }
  await app.close();
}

// The floor: a bare BEGIN IMMEDIATE; INSERT; COMMIT loop with the same pragmas, in this process.
{
  const dir = mkdtempSync(join(tmpdir(), "cloudpam-floor-"));
  dirs.push(dir);
  const conn = openConnection(join(dir, "floor.db"));
  conn.exec(
    "CREATE TABLE t (id INTEGER PRIMARY KEY, cidr TEXT NOT NULL, range_start TEXT NOT NULL, created_at TEXT NOT NULL)",
  );
  const insert = conn.prepare("INSERT INTO t (cidr, range_start, created_at) VALUES (?, ?, ?)");
  const floor = await measure(
    "floor: BEGIN IMMEDIATE; INSERT; COMMIT",
    (i) => {
      conn.exec("BEGIN IMMEDIATE");
      insert.run(`10.${i}.0.0/24`, String(i).padStart(32, "0"), new Date().toISOString());
      conn.exec("COMMIT");
    },
    { iterations: 5000, warmup: 500 },
  );
  results.push(floor);
  conn.close();
}

// 3. Pool.blocks(first: 100): IPv4 /8 -> /24 vs IPv6 /32 -> /64, with occupants (every 3rd block partial).
const BLOCKS = `query($id: ID!, $len: Int!, $after: String) { node(id: $id) { ... on Pool {
  blocks(prefixLength: $len, first: 100, after: $after) { pageInfo { endCursor hasNextPage }
    edges { cursor node { cidr status occupants { ... on Allocation { cidr } } } } } } } }`;
{
  const app = await startBenchApp();
  const gql = gqlClient(app);
  const v4 = await seedPoolWith(app, "10.0.0.0/8", 10_000, 26, 12); // a /26 in every 3rd /24
  const v6 = await seedPoolWith(app, "2001:db8::/32", 10_000, 66, 12); // a /66 in every 3rd /64
  for (const [label, seeded, length, cursors] of [
    ["Pool.blocks(first: 100) /8 -> /24", v4, 24, ["10.0.0.0", "10.5.0.0", "10.200.0.0"]],
    [
      "Pool.blocks(first: 100) IPv6 /32 -> /64",
      v6,
      64,
      ["2001:db8::", "2001:db8:0:500::", "2001:db8:c800::"],
    ],
  ] as const) {
    const id = toGlobalId("Pool", seeded.pool.id);
    const check = await gql<{ node: { blocks: { edges: unknown[] } } }>(BLOCKS, {
      id,
      len: length,
      after: null,
    });
    if (check.node.blocks.edges.length !== 100) throw new Error(`${label}: expected a full page`);
    gc();
    results.push(
      await measure(
        label,
        (i) => gql(BLOCKS, { id, len: length, after: i % 4 === 3 ? null : cursors[i % 3] }),
        {
          iterations: 500,
          warmup: 50,
        },
      ),
    );
  }
  await app.close();
}

report(results);
const floorUs = results.find((r) => r.name.startsWith("floor"))!.medianUs;
ratio(
  "allocate with 100,000 vs 100 existing (median)",
  sequential[100_000]!.medianUs,
  sequential[100]!.medianUs,
  2,
);
console.log(
  `allocate via HTTP vs bare INSERT floor: ${(sequential[100]!.medianUs / floorUs).toFixed(1)}x (100 existing), ${(sequential[100_000]!.medianUs / floorUs).toFixed(1)}x (100,000 existing)`,
);
ratio(
  "Pool.blocks IPv6 /32->/64 vs /8->/24 (median)",
  results.find((r) => r.name.includes("IPv6"))!.medianUs,
  results.find((r) => r.name.includes("/8 -> /24"))!.medianUs,
  2,
);
for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
