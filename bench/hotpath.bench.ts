/**
 * The allocation hot path, as ratios measured in one run (`npm run bench -- hotpath`; issue #14). Each pair is
 * measured interleaved (A, B, A, B, ...) in short rounds, so a noisy shared machine slows both sides alike:
 * 1. HTTP `allocate` (a /28 from a /8) vs `{ __typename }` on the same server, 10 connections, auth off
 *    (target >= 0.5x);
 * 2. in-process domain `allocate` vs a bare better-sqlite3 `BEGIN IMMEDIATE; INSERT; COMMIT` on an indexed
 *    table (target <= 3x);
 * 3. 16 concurrent HTTP clients on one process: allocations/s (reported);
 * 4. `pools(first: 100) { account parent scope }` vs a bare graphql-js server (no Apollo, no type-graphql)
 *    serving the same rows from the same SQLite file, 10 connections (target >= 0.6x), with the statements
 *    per request counted at first: 10 and first: 100 (must be equal);
 * 5. HTTP `allocate` with auth on (a bearer API token) vs auth off (target: on costs <= 10 % more).
 * Environment: HOTPATH_ROUND_MS (default 1000) and HOTPATH_ROUNDS (default 3) set the length of each pair.
 */
import "reflect-metadata";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import DataLoader from "dataloader";
import { buildSchema, execute, parse, validate, type GraphQLSchema } from "graphql";
import { makePrefix, parsePrefix } from "../src/allocator/index.js";
import { loadConfig } from "../src/config.js";
import { insertPrefix, rangeColumns } from "../src/db/prefixes.js";
import { accounts } from "../src/db/schema.js";
import { openConnection, openStore, type Db, type Store } from "../src/db/store.js";
import { seedPool } from "../src/domain/placement.js";
import { allocate } from "../src/domain/allocations.js";
import { SYSTEM_ACTOR } from "../src/domain/roles.js";
import { createLogger } from "../src/logger.js";
import { startApp, type App } from "../src/server/app.js";
import { toGlobalId } from "../src/schema/node.js";
import { measure } from "./harness.js";
import { LoadGenerator, type LoadResult } from "./load.js";

const ROUND_MS = Number(process.env.HOTPATH_ROUND_MS ?? 1000);
const ROUNDS = Number(process.env.HOTPATH_ROUNDS ?? 3);
const dirs: string[] = [];
const load = new LoadGenerator();
const lines: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "cloudpam-hotpath-"));
  dirs.push(dir);
  return dir;
}

async function startBenchApp(auth: "on" | "off", store?: Store): Promise<{ app: App; token?: string }> {
  const dsn = store?.dsn ?? join(tempDir(), "bench.db");
  const config = loadConfig(
    {
      ADDR: "127.0.0.1:0",
      SQLITE_DSN: dsn,
      AUTH: auth,
      LOG_LEVEL: "silent",
      RATE_LIMIT_PER_SECOND: "10000000",
      RATE_LIMIT_BURST: "10000000",
      MAX_COMPLEXITY: "1000000",
    },
    {},
  );
  let token: string | undefined;
  const app = await startApp(config, {
    logger: createLogger("silent"),
    ...(store ? { store } : {}),
    onBootstrapToken: (t) => (token = t),
  });
  return { app, token };
}

function seedAllocationPool(app: App): Promise<{ poolId: number; accountId: number }> {
  return app.services.store.write(async (d: Db) => {
    const accountId = d
      .insert(accounts)
      .values({ key: "aws:000000000001", provider: "AWS", name: "bench", tier: "PRD" })
      .returning()
      .get().id;
    const pool = await insertPrefix(d, {
      kind: "pool",
      scopeId: 1,
      status: "ACTIVE",
      name: "10.0.0.0/8",
      ...rangeColumns(parsePrefix("10.0.0.0/8")),
    });
    await seedPool(d, pool);
    return { poolId: pool.id, accountId };
  });
}

const ALLOCATE = `mutation($input: AllocateInput!) { allocate(input: $input) { allocation { id cidr } } }`;

function allocateBody(ids: { poolId: number; accountId: number }, prefixLength = 28): string {
  return JSON.stringify({
    query: ALLOCATE,
    variables: {
      input: {
        poolId: toGlobalId("Pool", ids.poolId),
        accountId: toGlobalId("Account", ids.accountId),
        prefixLength,
      },
    },
  });
}

interface Side {
  url: string;
  body: string;
  headers?: Record<string, string>;
}

/** Runs A and B alternately for ROUNDS rounds of ROUND_MS each; returns the totals. */
async function pair(a: Side, b: Side, connections: number): Promise<[LoadResult, LoadResult]> {
  const sum = (rs: LoadResult[]): LoadResult => {
    const requests = rs.reduce((s, r) => s + r.requests, 0);
    const seconds = rs.reduce((s, r) => s + r.seconds, 0);
    return { requests, seconds, errors: 0, firstError: null, perSecond: requests / seconds };
  };
  // Warm-up: JIT, statement caches, sockets.
  await load.run({ ...a, connections, durationMs: 300 });
  await load.run({ ...b, connections, durationMs: 300 });
  const ra: LoadResult[] = [];
  const rb: LoadResult[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    ra.push(await load.run({ ...a, connections, durationMs: ROUND_MS }));
    rb.push(await load.run({ ...b, connections, durationMs: ROUND_MS }));
  }
  return [sum(ra), sum(rb)];
}

function say(line: string): void {
  lines.push(line);
  console.log(line);
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

// 1 and 3: allocate vs __typename on one server (auth off), then 16 clients.
{
  const { app } = await startBenchApp("off");
  const ids = await seedAllocationPool(app);
  const url = `${app.url}/graphql`;
  const [alloc, typename] = await pair(
    { url, body: allocateBody(ids) },
    { url, body: JSON.stringify({ query: "{ __typename }" }) },
    10,
  );
  const r = alloc.perSecond / typename.perSecond;
  say(
    `1. HTTP allocate vs { __typename }, 10 connections: ${fmt(alloc.perSecond)}/s vs ${fmt(typename.perSecond)}/s = ${r.toFixed(2)}x (target >= 0.5x) ${r >= 0.5 ? "OK" : "MISSED"}`,
  );
  await load.run({ url, body: allocateBody(ids), connections: 16, durationMs: 300 });
  const runs: LoadResult[] = [];
  for (let i = 0; i < ROUNDS; i++)
    runs.push(await load.run({ url, body: allocateBody(ids), connections: 16, durationMs: ROUND_MS }));
  const perSecond = runs.reduce((s, x) => s + x.requests, 0) / runs.reduce((s, x) => s + x.seconds, 0);
  say(`3. 16 concurrent HTTP clients, one process: ${fmt(perSecond)} allocations/s (issue baseline 475/s)`);

  // 2. In-process domain allocate vs the bare transaction floor, interleaved.
  const conn = openConnection(join(tempDir(), "floor.db"));
  conn.exec(
    "CREATE TABLE t (id INTEGER PRIMARY KEY, cidr TEXT NOT NULL, range_start TEXT NOT NULL, created_at TEXT NOT NULL)",
  );
  conn.exec("CREATE INDEX t_range ON t (range_start)");
  const insert = conn.prepare("INSERT INTO t (cidr, range_start, created_at) VALUES (?, ?, ?)");
  const floorOnce = (i: number) => {
    conn.exec("BEGIN IMMEDIATE");
    insert.run(`10.${i}.0.0/24`, String(i).padStart(32, "0"), new Date().toISOString());
    conn.exec("COMMIT");
  };
  // The same statements an allocation runs, bare (better-sqlite3, prepared once) on the real schema: what the
  // domain call would cost with no code around its SQL. Free-block rows are pre-seeded, one taken per call.
  const sameDsn = join(tempDir(), "same.db");
  openStore({ dsn: sameDsn }).close(); // migrated schema
  const same = openConnection(sameDsn);
  const sameIds = (() => {
    const accountId = Number(
      same
        .prepare(
          "INSERT INTO accounts (key, provider, name, tier) VALUES ('aws:000000000009', 'AWS', 'bench', 'PRD')",
        )
        .run().lastInsertRowid,
    );
    const p = parsePrefix("10.0.0.0/8");
    const c = rangeColumns(p);
    const poolId = Number(
      same
        .prepare(
          "INSERT INTO prefixes (kind, scope_id, family, prefix_len, cidr, range_start, range_end, status, name) VALUES ('pool', 1, 4, 8, ?, ?, ?, 'ACTIVE', 'p')",
        )
        .run(c.cidr, c.rangeStart, c.rangeEnd).lastInsertRowid,
    );
    const free = same.prepare(
      "INSERT INTO free_blocks (pool_id, prefix_len, range_start, range_end) VALUES (?, 28, ?, ?)",
    );
    same.exec("BEGIN");
    for (let i = 0; i < 20_000; i++) {
      const b = rangeColumns(makePrefix(4, (10n << 24n) + BigInt(i) * 16n, 28));
      free.run(poolId, b.rangeStart, b.rangeEnd);
    }
    same.exec("COMMIT");
    return { poolId, accountId };
  })();
  const sq = {
    pool: same.prepare("SELECT * FROM prefixes WHERE id = ?"),
    account: same.prepare("SELECT id, key, name, tier FROM accounts WHERE id = ?"),
    maxLen: same.prepare(
      "SELECT max(prefix_len) AS len FROM free_blocks WHERE pool_id = ? AND prefix_len <= ?",
    ),
    first: same.prepare(
      "SELECT range_start FROM free_blocks WHERE pool_id = ? AND prefix_len = ? ORDER BY range_start LIMIT 1",
    ),
    del: same.prepare("DELETE FROM free_blocks WHERE pool_id = ? AND range_start = ? AND prefix_len = ?"),
    prefix: same.prepare(
      `INSERT INTO prefixes (kind, scope_id, parent_id, family, prefix_len, cidr, range_start, range_end, status, account_id, tags, created_by, created_at)
       VALUES ('allocation', 1, ?, 4, 28, ?, ?, ?, 'ALLOCATED', ?, '{}', 'system', ?) RETURNING *`,
    ),
    event: same.prepare(
      "INSERT INTO events (type, actor, subject_type, subject_id, before, after, request_id, created_at) VALUES ('allocation.created', 'system', 'Allocation', ?, NULL, ?, NULL, ?) RETURNING *",
    ),
  };
  const sameOnce = () => {
    same.exec("BEGIN IMMEDIATE");
    sq.pool.get(sameIds.poolId);
    sq.account.get(sameIds.accountId);
    sq.maxLen.get(sameIds.poolId, 28);
    const { range_start: start } = sq.first.get(sameIds.poolId, 28) as { range_start: string };
    sq.del.run(sameIds.poolId, start, 28);
    const now = new Date().toISOString();
    const row = sq.prefix.get(sameIds.poolId, `cidr-${start}`, start, start, sameIds.accountId, now) as {
      id: number;
    };
    sq.event.get(String(row.id), `{"v":2,"id":"${row.id}","cidr":"${start}"}`, now);
    same.exec("COMMIT");
  };
  const domainOnce = () =>
    allocate(
      app.services.store,
      { actor: SYSTEM_ACTOR },
      { poolId: ids.poolId, accountId: ids.accountId, prefixLength: 28 },
    );
  const domainMedians: number[] = [];
  const floorMedians: number[] = [];
  const sameMedians: number[] = [];
  let k = 0;
  for (let i = 0; i < ROUNDS + 1; i++) {
    const d = await measure("domain", domainOnce, { iterations: 400, warmup: 50 });
    const f = await measure("floor", () => floorOnce(k++), { iterations: 2000, warmup: 200 });
    const m = await measure("same statements", sameOnce, { iterations: 400, warmup: 50 });
    if (i === 0) continue; // warm-up round
    domainMedians.push(d.medianUs);
    floorMedians.push(f.medianUs);
    sameMedians.push(m.medianUs);
  }
  conn.close();
  same.close();
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const d = med(domainMedians);
  const f = med(floorMedians);
  say(
    `2. in-process domain allocate vs BEGIN IMMEDIATE; INSERT; COMMIT (median): ${d.toFixed(1)} µs vs ${f.toFixed(1)} µs = ${(d / f).toFixed(1)}x (target <= 3x) ${d / f <= 3 ? "OK" : "MISSED"}`,
  );
  const m = med(sameMedians);
  say(
    `2b. the same domain allocate vs its own statements run bare on the real schema (median): ${d.toFixed(1)} µs vs ${m.toFixed(1)} µs = ${(d / m).toFixed(1)}x (the bare 1-row floor is ${(m / f).toFixed(1)}x below those statements)`,
  );
  await app.close();
}

// 4. pools(first: 100) { account parent scope } vs a bare graphql-js server on the same file.
{
  const dsn = join(tempDir(), "pools.db");
  let statements = 0;
  const store = openStore({ dsn, onStatement: () => statements++ });
  await store.write(async (d: Db) => {
    const accountIds: number[] = [];
    for (let i = 0; i < 10; i++)
      accountIds.push(
        d
          .insert(accounts)
          .values({
            key: `aws:${String(i).padStart(12, "0")}`,
            provider: "AWS",
            name: `acct-${i}`,
            tier: "PRD",
          })
          .returning()
          .get().id,
      );
    const root = await insertPrefix(d, {
      kind: "pool",
      scopeId: 1,
      status: "ACTIVE",
      name: "root",
      ...rangeColumns(parsePrefix("10.0.0.0/8")),
    });
    for (let i = 0; i < 200; i++) {
      await insertPrefix(d, {
        kind: "pool",
        scopeId: 1,
        parentId: root.id,
        status: "ACTIVE",
        name: `p${i}`,
        accountId: accountIds[i % 10]!,
        ...rangeColumns(makePrefix(4, (10n << 24n) | (BigInt(i) << 16n), 16)),
      });
    }
  });
  const { app } = await startBenchApp("off", store);
  const query = (n: number) =>
    `{ pools(first: ${n}) { edges { node { id cidr name account { id name } parent { id cidr } scope { id name } } } } }`;
  const ours = `${app.url}/graphql`;
  const countFor = async (n: number) => {
    const before = statements;
    const res = await fetch(ours, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: query(n) }),
    });
    const body = (await res.json()) as { data?: { pools: { edges: unknown[] } }; errors?: unknown };
    if (body.errors || body.data!.pools.edges.length !== n) throw new Error(JSON.stringify(body));
    return statements - before;
  };
  const s10 = await countFor(10);
  const s100 = await countFor(100);

  const bare = await startBareServer(dsn);
  const [ourRate, bareRate] = await pair(
    { url: ours, body: JSON.stringify({ query: query(100) }) },
    { url: bare.url, body: JSON.stringify({ query: query(100) }) },
    10,
  );
  const r = ourRate.perSecond / bareRate.perSecond;
  say(
    `4. pools(first: 100) { account parent scope } vs bare graphql-js: ${fmt(ourRate.perSecond)}/s vs ${fmt(bareRate.perSecond)}/s = ${r.toFixed(2)}x (target >= 0.6x) ${r >= 0.6 ? "OK" : "MISSED"}; SQL statements per request: ${s10} at first: 10, ${s100} at first: 100 ${s10 === s100 ? "(constant)" : "(NOT CONSTANT)"}`,
  );
  await bare.close();
  await app.close();
  store.close();
}

// 5. auth on vs off: the same allocate against two servers (fresh databases), interleaved.
{
  const off = await startBenchApp("off");
  const on = await startBenchApp("on");
  const offIds = await seedAllocationPool(off.app);
  const onIds = await seedAllocationPool(on.app);
  const [onRate, offRate] = await pair(
    {
      url: `${on.app.url}/graphql`,
      body: allocateBody(onIds),
      headers: { authorization: `Bearer ${on.token!}` },
    },
    { url: `${off.app.url}/graphql`, body: allocateBody(offIds) },
    10,
  );
  const extra = offRate.perSecond / onRate.perSecond - 1;
  say(
    `5. HTTP allocate auth on vs off, 10 connections: ${fmt(onRate.perSecond)}/s vs ${fmt(offRate.perSecond)}/s: auth costs ${(extra * 100).toFixed(1)} % of an allocation (target <= 10 %) ${extra <= 0.1 ? "OK" : "MISSED"}`,
  );
  await on.app.close();
  await off.app.close();
}

await load.close();
console.log(`\nsummary (${ROUNDS} interleaved rounds of ${ROUND_MS} ms per pair):\n${lines.join("\n")}`);
for (const dir of dirs) rmSync(dir, { recursive: true, force: true });

/**
 * The comparison server: graphql-js alone (buildSchema, parse + validate + execute per request, no document
 * cache), better-sqlite3 prepared statements on its own read-only connection, one DataLoader per field per
 * request, so it runs the same four statements per page as ours.
 */
async function startBareServer(dsn: string): Promise<{ url: string; close(): Promise<void> }> {
  const conn = new Database(dsn, { readonly: true });
  const schema: GraphQLSchema = buildSchema(`
    type Account { id: ID! name: String! }
    type Scope { id: ID! name: String! }
    type Pool { id: ID! cidr: String! name: String account: Account parent: Pool scope: Scope! }
    type PoolEdge { node: Pool! }
    type PoolConnection { edges: [PoolEdge!]! }
    type Query { pools(first: Int): PoolConnection! }
  `);
  interface Row {
    id: number;
    cidr: string;
    name: string | null;
    parent_id: number | null;
    account_id: number | null;
    scope_id: number;
  }
  const page = conn.prepare(
    "SELECT id, cidr, name, parent_id, account_id, scope_id FROM prefixes WHERE kind = 'pool' ORDER BY family, range_start, prefix_len DESC, id LIMIT ?",
  );
  const byIds = (table: string, cols: string) => (ids: readonly number[]) => {
    const rows = conn
      .prepare(`SELECT ${cols} FROM ${table} WHERE id IN (${ids.map(() => "?").join(",")})`)
      .all(...ids) as { id: number }[];
    const map = new Map(rows.map((r) => [r.id, r]));
    return Promise.resolve(ids.map((id) => map.get(id) ?? null));
  };
  const pool = (r: Row) => ({
    id: toGlobalId("Pool", r.id),
    cidr: r.cidr,
    name: r.name,
    account: (_: unknown, ctx: Ctx) =>
      r.account_id == null
        ? null
        : ctx.accounts.load(r.account_id).then((a) => a && { id: toGlobalId("Account", a.id), name: a.name }),
    parent: (_: unknown, ctx: Ctx) =>
      r.parent_id == null
        ? null
        : ctx.parents.load(r.parent_id).then((p) => p && { id: toGlobalId("Pool", p.id), cidr: p.cidr }),
    scope: (_: unknown, ctx: Ctx) =>
      ctx.scopes.load(r.scope_id).then((s) => s && { id: toGlobalId("Scope", s.id), name: s.name }),
  });
  interface Ctx {
    accounts: DataLoader<number, { id: number; name: string } | null>;
    parents: DataLoader<number, { id: number; cidr: string } | null>;
    scopes: DataLoader<number, { id: number; name: string } | null>;
  }
  const rootValue = {
    pools: ({ first }: { first?: number }) => ({
      edges: (page.all(first ?? 50) as Row[]).map((r) => ({ node: pool(r) })),
    }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const { query } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { query: string };
        const document = parse(query);
        const errors = validate(schema, document);
        const contextValue: Ctx = {
          accounts: new DataLoader(byIds("accounts", "id, name") as never),
          parents: new DataLoader(byIds("prefixes", "id, cidr") as never),
          scopes: new DataLoader(byIds("scopes", "id, name") as never),
        };
        const result = errors.length
          ? { errors }
          : await execute({ schema, document, rootValue, contextValue });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(result));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      conn.close();
    },
  };
}
