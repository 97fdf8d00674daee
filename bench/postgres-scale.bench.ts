/**
 * Pool queries at scale on PostgreSQL vs SQLite (#15), in-process through the real GraphQL schema (no HTTP),
 * the same shapes as bench/pools.bench.ts: `pools(filter: {within: "10.0.0.0/16"}, first: 100)` and
 * `lookup(address:)` with 100,097 pools in one scope (10/8 > 256 /16 > 390 /26 each); target < 5 ms median.
 * Then one page of `Pool.blocks(first: 100)` through the domain function (`poolBlocks` over each store):
 * IPv4 /8 -> /24 vs IPv6 /32 -> /64, 10,000 allocations in every 3rd block; target <= 5 ms, v6 within 2x of v4.
 * Seeding is multi-row INSERTs of 1,000 rows through drizzle (dialect-neutral), one transaction per tree.
 * PostgreSQL: a throw-away cluster (test/helpers/postgres.ts), stopped and deleted at the end.
 */
import "reflect-metadata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execute, parse, type DocumentNode, type GraphQLSchema } from "graphql";
import { blockSize, makePrefix, parsePrefix, type Prefix } from "../src/allocator/index.js";
import { loadConfig } from "../src/config.js";
import { openConfiguredStore } from "../src/db/open.js";
import { insertPrefix, rangeColumns } from "../src/db/prefixes.js";
import { accounts, prefixes } from "../src/db/schema.js";
import type { Db, Store } from "../src/db/store.js";
import { poolBlocks } from "../src/domain/blocks.js";
import { seedPool } from "../src/domain/placement.js";
import { SYSTEM_ACTOR } from "../src/domain/roles.js";
import { createLogger } from "../src/logger.js";
import type { Context } from "../src/resolvers/context.js";
import { createLoaders } from "../src/resolvers/loaders.js";
import { createServices } from "../src/server/services.js";
import { buildCloudPamSchema } from "../src/server/schema.js";
import { measure, ratio, report, type BenchResult } from "./harness.js";
import { postgresAvailability, startPostgres } from "../test/helpers/postgres.js";
import pg from "pg";

const availability = postgresAvailability();
if (!availability.available) process.exit(0);
const cluster = await startPostgres({ bin: availability.bin! });
const dir = mkdtempSync(join(tmpdir(), "cloudpam-bench-pgscale-"));
const CHUNK = 1000;

type Row = typeof prefixes.$inferInsert;
async function insertMany(db: Db, rows: Row[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await db.insert(prefixes).values(rows.slice(i, i + CHUNK));
}

/** 10.0.0.0/8 > `sixteens` /16 > `per` /26 each: 1 + sixteens × (1 + per) pools. */
async function seedTree(store: Store, sixteens: number, per: number): Promise<number> {
  return store.write(async (db) => {
    const pool = (p: Prefix, parentId: number | null, name: string): Row => ({
      kind: "pool",
      scopeId: 1,
      parentId,
      status: "ACTIVE",
      name,
      ...rangeColumns(p),
    });
    const root = await insertPrefix(db, pool(makePrefix(4, 10n << 24n, 8), null, "root"));
    const mids = await db
      .insert(prefixes)
      .values(
        Array.from({ length: sixteens }, (_, i) =>
          pool(makePrefix(4, (10n << 24n) | (BigInt(i) << 16n), 16), root.id, `m${i}`),
        ),
      )
      .returning({ id: prefixes.id });
    const leaves: Row[] = [];
    for (let i = 0; i < sixteens; i++) {
      const start = (10n << 24n) | (BigInt(i) << 16n);
      for (let j = 0; j < per; j++)
        leaves.push(pool(makePrefix(4, start | (BigInt(j) << 6n), 26), mids[i]!.id, `p${i}.${j}`));
    }
    await insertMany(db, leaves);
    return 1 + sixteens + leaves.length;
  });
}

/** A pool of `cidr` with `children` allocations of `childLength`, one every `stride` blocks of that length. */
async function seedBlocks(
  store: Store,
  cidr: string,
  children: number,
  childLength: number,
  stride: number,
): Promise<number> {
  return store.write(async (db) => {
    const [account] = await db
      .insert(accounts)
      .values({
        key: `aws:${String(Math.floor(Math.random() * 1e12)).padStart(12, "0")}`,
        provider: "AWS",
        name: "bench",
        tier: "PRD",
      })
      .returning({ id: accounts.id });
    const parent = parsePrefix(cidr);
    const pool = await insertPrefix(db, {
      kind: "pool",
      scopeId: 1,
      status: "ACTIVE",
      name: cidr,
      ...rangeColumns(parent),
    });
    const size = blockSize(parent.family, childLength) * BigInt(stride);
    const rows: Row[] = Array.from({ length: children }, (_, i) => ({
      kind: "allocation",
      scopeId: 1,
      parentId: pool.id,
      status: "ALLOCATED",
      name: `seed-${i}`,
      accountId: account!.id,
      ...rangeColumns(makePrefix(parent.family, parent.start + BigInt(i) * size, childLength)),
    }));
    await insertMany(db, rows);
    await seedPool(db, pool);
    return pool.id;
  });
}

async function openBackend(
  backend: "sqlite" | "postgres",
): Promise<{ store: Store; env: Record<string, string> }> {
  const env: Record<string, string> = { AUTH: "off", ADDR: "127.0.0.1:0", LOG_LEVEL: "silent" };
  if (backend === "postgres") env.DATABASE_URL = await cluster.createDatabase();
  else env.SQLITE_DSN = join(dir, `${backend}-${Date.now()}.db`);
  return { store: await openConfiguredStore(loadConfig(env, {})), env };
}

/** After a bulk seed, fresh planner statistics (what autovacuum's ANALYZE gives a live database). */
async function analyze(env: Record<string, string>): Promise<void> {
  if (!env.DATABASE_URL) return;
  const c = new pg.Client({ connectionString: env.DATABASE_URL });
  await c.connect();
  try {
    await c.query("ANALYZE");
  } finally {
    await c.end();
  }
}

async function poolQueries(schema: GraphQLSchema, backend: "sqlite" | "postgres"): Promise<BenchResult[]> {
  const { store, env } = await openBackend(backend);
  try {
    const t0 = performance.now();
    const count = await seedTree(store, 256, 390);
    await analyze(env);
    console.log(`${backend}: seeded ${count} pools in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const config = loadConfig(env, {});
    const logger = createLogger("silent");
    const services = createServices(config, store, logger);
    const context = (): Context => ({
      requestId: "bench",
      logger,
      actor: SYSTEM_ACTOR,
      credential: { kind: "none" },
      services,
      loaders: createLoaders(store),
    });
    const within = parse(
      `{ pools(filter: {within: "10.0.0.0/16"}, first: 100) { edges { cursor node { id name cidr } } } }`,
    );
    const lookup = parse(`query($a: IPAddress) { lookup(address: $a) { chain { id kind cidr name } } }`);
    const check = async (document: DocumentNode, variables?: Record<string, unknown>) => {
      const r = await execute({ schema, document, contextValue: context(), variableValues: variables });
      if (r.errors?.length) throw new Error(JSON.stringify(r.errors));
      return r.data as Record<string, unknown>;
    };
    const page = (await check(within)) as { pools: { edges: unknown[] } };
    const chain = (await check(lookup, { a: "10.0.0.70" })) as { lookup: { chain: unknown[] }[] };
    if (page.pools.edges.length !== 100 || chain.lookup[0]!.chain.length !== 3)
      throw new Error(`${backend}: unexpected answers`);
    return [
      await measure(`pools(within /16, first 100) @ 100k, ${backend}`, () => check(within), {
        iterations: 200,
        warmup: 20,
      }),
      await measure(
        `lookup(address) @ 100k, ${backend}`,
        (i) => check(lookup, { a: `10.${i % 256}.${(i * 7) % 97}.${i % 250}` }),
        { iterations: 500, warmup: 50 },
      ),
    ];
  } finally {
    await store.close();
  }
}

async function blocksPages(backend: "sqlite" | "postgres"): Promise<BenchResult[]> {
  const { store, env } = await openBackend(backend);
  try {
    const v4 = await seedBlocks(store, "10.0.0.0/8", 10_000, 26, 3); // a /26 in every 3rd /24
    const v6 = await seedBlocks(store, "2001:db8::/32", 10_000, 66, 3); // a /66 in every 3rd /64
    await analyze(env);
    const out: BenchResult[] = [];
    for (const [label, poolId, length, cursors] of [
      ["blocks(first 100) /8 -> /24", v4, 24, ["10.0.0.0", "10.5.0.0", "10.200.0.0"]],
      ["blocks(first 100) IPv6 /32 -> /64", v6, 64, ["2001:db8::", "2001:db8:0:500::", "2001:db8:c800::"]],
    ] as const) {
      const first = await poolBlocks(store, poolId, { prefixLength: length, first: 100 }, 1000);
      if (first.blocks.length !== 100 || !first.blocks.some((b) => b.status === "PARTIAL"))
        throw new Error(`${label}: expected a full page with occupants`);
      out.push(
        await measure(
          `${label}, ${backend}`,
          (i) =>
            poolBlocks(
              store,
              poolId,
              { prefixLength: length, first: 100, after: i % 4 === 3 ? null : cursors[i % 3] },
              1000,
            ),
          { iterations: 300, warmup: 30 },
        ),
      );
    }
    return out;
  } finally {
    await store.close();
  }
}

try {
  const schema = await buildCloudPamSchema();
  const results: BenchResult[] = [];
  for (const backend of ["sqlite", "postgres"] as const)
    results.push(...(await poolQueries(schema, backend)));
  for (const backend of ["sqlite", "postgres"] as const) results.push(...(await blocksPages(backend)));
  report(results);
  const get = (name: string) => results.find((r) => r.name === name)!;
  for (const r of results) {
    const ms = r.medianUs / 1000;
    console.log(`${r.name}: median ${ms.toFixed(2)} ms (target <= 5 ms) ${ms <= 5 ? "OK" : "MISSED"}`);
  }
  for (const backend of ["sqlite", "postgres"])
    ratio(
      `blocks IPv6 /32->/64 vs /8->/24, ${backend} (median)`,
      get(`blocks(first 100) IPv6 /32 -> /64, ${backend}`).medianUs,
      get(`blocks(first 100) /8 -> /24, ${backend}`).medianUs,
      2,
    );
} finally {
  await cluster.destroy();
  rmSync(dir, { recursive: true, force: true });
}
