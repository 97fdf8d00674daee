/**
 * Address-plan benchmarks (`npm run bench -- plans`), issue #19:
 * - `previewPlan` and `applyPlan` of 4 regions × 4 tiers × 200 accounts (3,220 pools), as a domain call and
 *   through the real HTTP GraphQL server (applyPlan gets a fresh root pool each run);
 * - `allocateMany` of 1,000 requests (/24../28) in a /8 holding 100,000 allocations;
 * - `Pool.defragmentationAdvice(first: 10)` on a fragmented /8 (100,000 /28s, one in every ten), default length and /16.
 * Big pools are seeded with direct SQL in one transaction.
 */
import "reflect-metadata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { blockSize, makePrefix, parsePrefix, type Prefix } from "../src/allocator/index.js";
import { loadConfig } from "../src/config.js";
import { insertPrefix, rangeColumns, type PrefixRow } from "../src/db/prefixes.js";
import { accounts } from "../src/db/schema.js";
import type { Db } from "../src/db/store.js";
import { allocateMany } from "../src/domain/allocations.js";
import { poolDefragmentationAdvice } from "../src/domain/blocks.js";
import { seedPool } from "../src/domain/placement.js";
import { applyPlan, previewPlan, type PlanInput } from "../src/domain/plans.js";
import { SYSTEM_ACTOR } from "../src/domain/roles.js";
import { createLogger } from "../src/logger.js";
import { toGlobalId } from "../src/schema/node.js";
import { startApp, type App } from "../src/server/app.js";
import { measure, report, type BenchResult } from "./harness.js";

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const results: BenchResult[] = [];
const dir = mkdtempSync(join(tmpdir(), "cloudpam-bench-plans-"));
const caller = { actor: SYSTEM_ACTOR };

const app: App = await startApp(
  loadConfig(
    {
      ADDR: "127.0.0.1:0",
      SQLITE_DSN: join(dir, "bench.db"),
      AUTH: "off",
      LOG_LEVEL: "silent",
      RATE_LIMIT_PER_SECOND: "10000000",
      RATE_LIMIT_BURST: "10000000",
      MAX_COMPLEXITY: "100000000",
    },
    {},
  ),
  { logger: createLogger("silent") },
);
const store = app.services.store;

async function gql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
  const post = () =>
    fetch(`${app.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query, variables }),
    });
  const res = await post().catch(post);
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 500));
  return body.data!;
}

let accountSeq = 0;
/** A top-level pool with `children` allocations of `childLength`, one in every `stride` aligned slots. */
function seedPoolWith(cidr: string, children: number, childLength: number, stride = 1) {
  return store.write(async (db: Db) => {
    const account = db
      .insert(accounts)
      .values({
        key: `aws:${String(++accountSeq).padStart(12, "0")}`,
        provider: "AWS",
        name: "bench",
        tier: "PRD",
      })
      .returning()
      .get().id;
    const parent = parsePrefix(cidr);
    const pool: PrefixRow = await insertPrefix(db, {
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

// 1. The 3,220-pool plan: 4 regions /18 × 4 tiers /20 × 200 accounts /28, under a fresh /16 per apply.
const levels: PlanInput["levels"] = [
  { namePattern: "{key}", keys: ["use1", "usw2", "euw1", "apne1"], prefixLength: 18 },
  { keys: ["prd", "stg", "dev", "sbx"], prefixLength: 20 },
  { count: 200, prefixLength: 28 },
];
let rootSeq = 0;
const freshRoot = async () => (await seedPoolWith(`10.${rootSeq++}.0.0/16`, 0, 28)).pool.id;
{
  const previewRoot = await freshRoot();
  const p = await previewPlan(store, { rootPoolId: previewRoot, levels });
  if (p.nodes.length !== 3220 || p.conflicts.length) throw new Error("unexpected plan");
  gc();
  results.push(
    await measure(
      "previewPlan 3,220 pools, domain call",
      () => previewPlan(store, { rootPoolId: previewRoot, levels }),
      {
        iterations: 20,
        warmup: 3,
      },
    ),
  );
  const PREVIEW = `query($input: PlanInput!) { previewPlan(input: $input) { poolCount applicable nodes { path cidr slot percent } conflicts { path } } }`;
  const input = { rootPoolId: toGlobalId("Pool", previewRoot), levels };
  results.push(
    await measure("previewPlan 3,220 pools via HTTP", () => gql(PREVIEW, { input }), {
      iterations: 10,
      warmup: 2,
    }),
  );

  const roots = await Promise.all(Array.from({ length: 12 }, () => freshRoot()));
  let next = 0;
  gc();
  results.push(
    await measure(
      "applyPlan 3,220 pools, domain call",
      () => applyPlan(store, caller, { rootPoolId: roots[next++]!, levels }),
      {
        iterations: 5,
        warmup: 1,
      },
    ),
  );
  const APPLY = `mutation($input: PlanInput!) { applyPlan(input: $input) { pools { id cidr } } }`;
  results.push(
    await measure(
      "applyPlan 3,220 pools via HTTP",
      () => gql(APPLY, { input: { rootPoolId: toGlobalId("Pool", roots[next++]!), levels } }),
      { iterations: 5, warmup: 1 },
    ),
  );
}

// 2. allocateMany of 1,000 requests in a /8 with 100,000 existing allocations (the first 100,000 /28s).
{
  const t0 = performance.now();
  const { pool, account } = await seedPoolWith("11.0.0.0/8", 100_000, 28);
  console.log(`seeded 100,000 allocations in ${Math.round(performance.now() - t0)} ms`);
  const lengths = [24, 25, 26, 27, 28];
  const requests = Array.from({ length: 1000 }, (_, i) => ({
    prefixLength: lengths[i % 5]!,
    accountId: account,
  }));
  gc();
  results.push(
    await measure(
      "allocateMany 1,000 in a /8 with 100,000, domain call",
      () => allocateMany(store, caller, { poolId: pool.id, requests }),
      {
        iterations: 5,
        warmup: 1,
      },
    ),
  );
  const MANY = `mutation($input: AllocateManyInput!) { allocateMany(input: $input) { allocations { id cidr } } }`;
  const input = {
    poolId: toGlobalId("Pool", pool.id),
    requests: requests.map((r) => ({ ...r, accountId: toGlobalId("Account", account) })),
  };
  results.push(
    await measure("allocateMany 1,000 in a /8 with 100,000 via HTTP", () => gql(MANY, { input }), {
      iterations: 5,
      warmup: 1,
    }),
  );
}

// 3. defragmentationAdvice on a fragmented /8: 100,000 /28s, one in every ten /28 slots (spread over the /8).
{
  const { pool } = await seedPoolWith("12.0.0.0/8", 100_000, 28, 10);
  const ADVICE = `query($id: ID!, $len: Int) { node(id: $id) { ... on Pool {
    largestFreeBlocks(first: 10)
    defragmentationAdvice(first: 10, prefixLength: $len) { block moveCount action freedBlock moves { from to } } } } }`;
  const id = toGlobalId("Pool", pool.id);
  const sample = await poolDefragmentationAdvice(store, pool.id, { first: 10 }, 1000);
  console.log(`default advice length on the fragmented /8: /${sample.prefixLength}`);
  gc();
  for (const len of [null, 16]) {
    const label = len ? `/${len}` : `default /${sample.prefixLength}`;
    results.push(
      await measure(
        `defragmentationAdvice(first: 10) ${label}, fragmented /8, domain call`,
        () => poolDefragmentationAdvice(store, pool.id, { first: 10, prefixLength: len }, 1000),
        { iterations: 10, warmup: 2 },
      ),
    );
    results.push(
      await measure(
        `defragmentationAdvice(first: 10) ${label}, fragmented /8 via HTTP`,
        () => gql(ADVICE, { id, len }),
        {
          iterations: 10,
          warmup: 2,
        },
      ),
    );
  }
}

report(results);
await app.close();
rmSync(dir, { recursive: true, force: true });
