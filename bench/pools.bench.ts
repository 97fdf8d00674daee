/**
 * Pool queries at scale: `pools(filter: {within: "10.0.0.0/16"}, first: 100)` and `lookup(address:)` through the
 * real GraphQL schema, executed in-process (no HTTP), with 1,000 and 100,000 pools in one scope. Both must stay
 * under 5 ms and grow logarithmically (index range scans and probes, never a scan of the pools).
 * Run with `npm run bench -- pools`.
 */
import "reflect-metadata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execute, parse, type GraphQLSchema } from "graphql";
import { makePrefix, type Prefix } from "../src/allocator/index.js";
import { loadConfig } from "../src/config.js";
import { insertPrefix, rangeColumns } from "../src/db/prefixes.js";
import { openStore, type Store } from "../src/db/store.js";
import { SYSTEM_ACTOR } from "../src/domain/roles.js";
import { createLogger } from "../src/logger.js";
import type { Context } from "../src/resolvers/context.js";
import { createServices } from "../src/server/services.js";
import { createLoaders } from "../src/resolvers/loaders.js";
import { buildCloudPamSchema } from "../src/server/schema.js";
import { measure, ratio, report, type BenchResult } from "./harness.js";

/** A tree in 10.0.0.0/8: `sixteens` /16 pools, each holding `per` /26 pools; about 1 + s × (1 + per) pools. */
function seed(store: Store, sixteens: number, per: number): Promise<number> {
  return store.write(async (db) => {
    let n = 0;
    const add = async (p: Prefix, parentId: number | null) =>
      (
        await insertPrefix(db, {
          kind: "pool",
          scopeId: 1,
          parentId,
          status: "ACTIVE",
          name: `p${n++}`,
          ...rangeColumns(p),
        })
      ).id;
    const root = await add(makePrefix(4, 10n << 24n, 8), null);
    for (let i = 0; i < sixteens; i++) {
      const start = (10n << 24n) | (BigInt(i) << 16n);
      const mid = await add(makePrefix(4, start, 16), root);
      for (let j = 0; j < per; j++) await add(makePrefix(4, start | (BigInt(j) << 6n), 26), mid);
    }
    return n;
  });
}

async function run(
  schema: GraphQLSchema,
  label: string,
  sixteens: number,
  per: number,
): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), "cloudpam-bench-pools-"));
  const store = openStore({ dsn: join(dir, "db.sqlite") });
  try {
    const count = await seed(store, sixteens, per);
    const config = loadConfig({ SQLITE_DSN: join(dir, "db.sqlite"), AUTH: "off", ADDR: "127.0.0.1:0" }, {});
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
    const check = async (document: ReturnType<typeof parse>, variables?: Record<string, unknown>) => {
      const r = await execute({ schema, document, contextValue: context(), variableValues: variables });
      if (r.errors?.length) throw new Error(JSON.stringify(r.errors));
      return r.data as Record<string, unknown>;
    };
    const first = (await check(within)) as { pools: { edges: unknown[] } };
    const chain = (await check(lookup, { a: "10.0.0.70" })) as { lookup: { chain: unknown[] }[] };
    console.log(
      `${label}: ${count} pools; within page = ${first.pools.edges.length} edges; lookup chain = ${chain.lookup[0]!.chain.length}`,
    );
    return [
      await measure(`pools(within /16, first 100) @ ${label}`, () => check(within), { iterations: 300 }),
      await measure(
        `lookup(address) @ ${label}`,
        (i) => check(lookup, { a: `10.${i % sixteens}.${(i * 7) % Math.ceil((per * 64) / 256)}.${i % 250}` }),
        { iterations: 1000 },
      ),
    ];
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const schema = await buildCloudPamSchema();
await run(schema, "warm-up (JIT)", 16, 61);
const small = await run(schema, "1k", 16, 61);
const large = await run(schema, "100k", 256, 390);
report([...small, ...large]);
for (let i = 0; i < small.length; i++) {
  const ms = large[i]!.medianUs / 1000;
  console.log(`${large[i]!.name}: median ${ms.toFixed(2)} ms (target < 5 ms) ${ms < 5 ? "OK" : "MISSED"}`);
  ratio(`${large[i]!.name} vs 1k`, large[i]!.medianUs, small[i]!.medianUs, 2);
}
