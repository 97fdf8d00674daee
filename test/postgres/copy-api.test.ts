/**
 * `cloudpam copy` round trip through the API (#15): a SQLite-backed server is populated through GraphQL
 * (scopes, nested v4 and v6 pools, accounts, allocations, reservations, a released allocation, a webhook,
 * tokens, the events all of that wrote), stopped, copied with the real CLI into an empty PostgreSQL
 * database, and then a server on the SQLite file and a server on PostgreSQL must answer every query of the
 * dump below with byte-identical JSON. Both dump servers run with AUTH=off, so that reading does not touch
 * `lastUsedAt` of a token. Runs in the SQLite run with its own throw-away cluster, as copy.test.ts does.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli } from "../helpers/cli.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createAccount, createPool, createScope } from "../helpers/plan.js";
import { postgresAvailability, startPostgres, type PgCluster } from "../helpers/postgres.js";

const availability = postgresAvailability();

const POOL = `id name cidr family prefixLength status description tags monitored createdAt updatedAt deletedAt
  rules { minChildPrefixLength maxChildPrefixLength defaultChildPrefixLength allowedTiers }
  scope { id name } parent { id cidr } account { id key } path { id cidr }
  utilization { total used reserved free percent largestFree freeBlocksByLength { prefixLength count } }`;
const ALLOCATION = `id cidr prefixLength name description status tags createdAt createdBy updatedAt releasedAt
  deletedAt resource { resourceId provider region type } pool { id cidr } account { id key }`;
const RESERVATION = `id cidr prefixLength reason createdAt createdBy deletedAt pool { id cidr }`;
const ACCOUNT = `id key name provider tier platform environment regions description reconcilePolicy createdAt
  updatedAt deletedAt settings { regions roleArn projectId ignoreTag ignoreCidrs concurrency }`;
const OCCUPANT = `__typename ... on Pool { id cidr } ... on Allocation { id cidr } ... on Reservation { id cidr }`;
const BLOCKS = `totalCount pageInfo { hasNextPage endCursor }
  edges { cursor node { cidr prefixLength status moreOccupants occupant { ${OCCUPANT} } occupants { ${OCCUPANT} } } }`;
const EVENT = `id cursor type actor subjectType subjectId requestId before after createdAt subject { __typename id }`;

/** The dump servers: no credentials to touch, room for the nested pages of the dump. */
const DUMP_ENV = { AUTH: "off", MAX_COMPLEXITY: "1000000", MAX_DEPTH: "20" };

/** Every page of a connection (`first: 100`), edges concatenated; `path` leads to the connection. */
async function allPages(
  s: TestServer,
  query: string,
  path: string,
  variables: Record<string, unknown> = {},
): Promise<unknown[]> {
  const out: unknown[] = [];
  let after: string | null = null;
  for (;;) {
    const data = await s.ok<Record<string, unknown>>(query, { ...variables, after }, null as never);
    const conn = path.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], data) as {
      edges: unknown[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
    out.push(...conn.edges);
    if (!conn.pageInfo.hasNextPage) return out;
    after = conn.pageInfo.endCursor;
  }
}

/** The events subscription from cursor 0 until `count` events arrived. */
function streamFromZero(s: TestServer, count: number): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const got: unknown[] = [];
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`only ${got.length} of ${count} events streamed`));
    }, 60_000);
    const stop = s.wsClient(null).subscribe(
      { query: `subscription { events(after: "0") { ${EVENT} } }` },
      {
        next: (v) => {
          if (v.errors?.length) {
            clearTimeout(timer);
            stop();
            reject(new Error(JSON.stringify(v.errors)));
            return;
          }
          got.push(v.data);
          if (got.length === count) {
            clearTimeout(timer);
            stop();
            resolve(got);
          }
        },
        error: (e) => {
          clearTimeout(timer);
          reject(e instanceof Error ? e : new Error(JSON.stringify(e)));
        },
        complete: () => undefined,
      },
    );
  });
}

/** One JSON document per query of the API, in a fixed order. */
async function dump(
  s: TestServer,
  ids: { v4: string; v6: string; child: string },
): Promise<Record<string, string>> {
  const q = (query: string, variables?: Record<string, unknown>) =>
    s.ok<Record<string, unknown>>(query, variables, null as never);
  const d: Record<string, unknown> = {};
  d.pools = await allPages(
    s,
    `query($after: String) { pools(first: 100, after: $after) {
      pageInfo { hasNextPage endCursor } edges { cursor node { ${POOL}
        children(first: 100) { totalCount edges { node { id cidr } } } } } } }`,
    "pools",
  );
  // Deleted pools without `path`: the path of a deleted pool answers NOT_FOUND for the pool itself (#18).
  d.deletedPools = await q(
    `{ pools(first: 100, includeDeleted: true) { edges { node { id name cidr status deletedAt deletedBy
        parent { id } scope { id } } } } }`,
  );
  d.poolsWithin = await q(
    `{ v4: pools(first: 100, filter: { within: "10.0.0.0/8" }) { edges { node { id cidr } } }
       v6: pools(first: 100, filter: { within: "2001:db8::/32" }) { edges { node { id cidr } } }
       contains: pools(first: 100, filter: { contains: "10.1.2.0/24" }) { edges { node { id cidr } } } }`,
  );
  d.tree = await q(
    `query($id: ID!) { pool(id: $id) { ${POOL} children(first: 100) { edges { node { ${POOL}
       children(first: 100) { edges { node { ${POOL} } } } } } } } }`,
    { id: ids.v4 },
  );
  d.allocations = await q(
    `query($a: ID!, $b: ID!) { a: pool(id: $a) { allocations(first: 100, includeDeleted: true) {
        totalCount edges { cursor node { ${ALLOCATION} } } }
      reservations(first: 100, includeDeleted: true) { edges { node { ${RESERVATION} } } } }
      b: pool(id: $b) { allocations(first: 100) { edges { node { ${ALLOCATION} } } }
      released: allocations(first: 100, status: RELEASED) { edges { node { id status releasedAt } } } } }`,
    { a: ids.child, b: ids.v6 },
  );
  d.accounts = await allPages(
    s,
    `query($after: String) { accounts(first: 100, after: $after, includeDeleted: true) {
      pageInfo { hasNextPage endCursor } edges { cursor node { ${ACCOUNT}
        allocations(first: 100) { edges { node { id cidr } } } pools(first: 100) { edges { node { id cidr } } } } } } }`,
    "accounts",
  );
  d.scopes = await q(
    `{ scopes(first: 100) { edges { node { id name description isDefault createdAt updatedAt
        approvals { deletePool releaseAllocation actuation } linkedScopes { id name } } } } }`,
  );
  d.blocksV4 = await q(
    `query($id: ID!) { pool(id: $id) { blocks(prefixLength: 24, first: 40) { ${BLOCKS} } } }`,
    {
      id: ids.child,
    },
  );
  d.blocksV4Used = await q(
    `query($id: ID!) { pool(id: $id) { blocks(prefixLength: 16, first: 20, status: [USED, PARTIAL, INSIDE]) { ${BLOCKS} } } }`,
    { id: ids.v4 },
  );
  d.blocksV6 = await q(
    `query($id: ID!) { pool(id: $id) { blocks(prefixLength: 64, first: 40) { ${BLOCKS} } } }`,
    {
      id: ids.v6,
    },
  );
  d.freeSpace = await q(
    `query($id: ID!) { pool(id: $id) { largestFreeBlocks(first: 5)
        defragmentationAdvice(first: 5, prefixLength: 22) { action block addressesToMove freedBlock moveCount
          blockers { ${OCCUPANT} } } } }`,
    { id: ids.child },
  );
  d.lookup = await q(
    `{ a: lookup(address: "10.1.0.7") { scope { id name } chain { id kind cidr prefixLength name status pool { id } } }
       b: lookup(cidr: "2001:db8:1::/64") { scope { id } chain { id kind cidr status } }
       c: lookup(address: "10.200.1.1") { scope { id } chain { id kind cidr status } } }`,
  );
  d.analytics = await q(
    `{ analytics { addressSpacePerAccount { account { id key } allocations }
        allocationsCreated(interval: DAY) { period allocations }
        allocationsPerPool { pool { id cidr } allocations } } }`,
  );
  d.analyticsBlocks = await allPages(
    s,
    `query($after: String) { blocks(first: 100, after: $after) { pageInfo { hasNextPage endCursor }
      edges { cursor node { id kind cidr family prefixLength status addressCount name createdAt
        pool { id } account { id } scope { id } } } } }`,
    "blocks",
  );
  d.webhooks = await q(
    `{ webhooks(first: 100) { edges { node { id url eventTypes active cursor createdAt updatedAt
        deliveries(first: 100) { edges { node { id eventId eventCursor attempt outcome statusCode } } } } } } }`,
  );
  d.apiTokens = await q(
    `{ apiTokens { id name prefix role createdAt createdBy expiresAt lastUsedAt revokedAt } }`,
  );
  d.changeRequests = await q(
    `{ changeRequests(first: 100) { edges { node { id operation status targetId targetCidr scopeId requestedBy
        input createdAt expiresAt } } } }`,
  );
  d.events = await allPages(
    s,
    `query($after: String) { events(first: 100, after: $after) { pageInfo { hasNextPage endCursor }
      edges { cursor node { ${EVENT} } } } }`,
    "events",
  );
  d.eventStream = await streamFromZero(s, (d.events as unknown[]).length);
  return Object.fromEntries(Object.entries(d).map(([k, v]) => [k, JSON.stringify(v, null, 1)]));
}

describe.skipIf(!availability.available)("cloudpam copy, then the same API answers", () => {
  let cluster: PgCluster;
  let dir: string;
  let sqliteFile: string;
  const ids = { v4: "", v6: "", child: "" };
  beforeAll(async () => {
    cluster = await startPostgres({ bin: availability.bin! });
    dir = mkdtempSync(join(tmpdir(), "cloudpam-copy-api-"));
    sqliteFile = join(dir, "source.db");
    const s = await startTestServer({ SQLITE_DSN: sqliteFile, WEBHOOK_MAX_ATTEMPTS: "1" });
    try {
      const [blue, green] = [await createScope(s, "blue"), await createScope(s, "green")];
      await s.ok(`mutation($input: LinkScopesInput!) { linkScopes(input: $input) { scopes { id } } }`, {
        input: { scopeIds: [blue.id, green.id] },
      });
      const prod = await createAccount(s, { key: "aws:123456789012", name: "prod", tier: "PRD" });
      const dev = await createAccount(s, { key: "gcp:dev-project", name: "dev", tier: "DEV" });
      const v4 = await createPool(s, { cidr: "10.0.0.0/8", name: "root" });
      const child = await createPool(s, { cidr: "10.1.0.0/16", name: "child", parentId: v4.id });
      const grandchild = await createPool(s, {
        cidr: "10.1.128.0/20",
        name: "grandchild",
        parentId: child.id,
        accountId: dev.id,
      });
      const v6 = await createPool(s, { cidr: "2001:db8::/32", name: "v6" });
      const v6child = await createPool(s, { cidr: "2001:db8:1::/48", name: "v6-child", parentId: v6.id });
      await createPool(s, { cidr: "10.0.0.0/8", name: "blue-root", scopeId: blue.id });
      Object.assign(ids, { v4: v4.id, v6: v6.id, child: child.id });
      const ALLOCATE = `mutation($input: AllocateInput!) { allocate(input: $input) { allocation { id } } }`;
      const allocated: string[] = [];
      for (const [poolId, accountId, prefixLength] of [
        [child.id, prod.id, 24],
        [child.id, prod.id, 24],
        [child.id, dev.id, 26],
        [child.id, prod.id, 24],
        [grandchild.id, dev.id, 24],
        [v6.id, prod.id, 64],
        [v6.id, dev.id, 56],
        [v6child.id, prod.id, 64],
      ] as const) {
        const r = await s.ok<{ allocate: { allocation: { id: string } } }>(ALLOCATE, {
          input: { poolId, accountId, prefixLength, name: `a${allocated.length}`, tags: { env: "x" } },
        });
        allocated.push(r.allocate.allocation.id);
      }
      await s.ok(`mutation($id: ID!) { releaseAllocation(input: {id: $id}) { allocation { id } } }`, {
        id: allocated[1],
      });
      const RESERVE = `mutation($input: ReserveInput!) { reserve(input: $input) { reservation { id } } }`;
      await s.ok(RESERVE, { input: { poolId: v4.id, cidr: "10.200.0.0/16", reason: "future" } });
      await s.ok(RESERVE, { input: { poolId: child.id, cidr: "10.1.64.0/24" } });
      await s.ok(RESERVE, { input: { poolId: v6.id, cidr: "2001:db8:ff00::/40" } });
      // Soft deletes (#18): a reservation and a pool, listed with includeDeleted.
      const gone = await s.ok<{ reserve: { reservation: { id: string } } }>(RESERVE, {
        input: { poolId: v4.id, cidr: "10.201.0.0/16" },
      });
      await s.ok(`mutation($id: ID!) { unreserve(input: {id: $id}) { reservation { id } } }`, {
        id: gone.reserve.reservation.id,
      });
      const doomed = await createPool(s, { cidr: "10.99.0.0/16", name: "doomed", parentId: v4.id });
      await s.ok(`mutation($id: ID!) { deletePool(input: { id: $id }) { deletedPoolId } }`, {
        id: doomed.id,
      });
      // A scope with an approval policy and a pending change request.
      const guarded = await s.ok<{ createScope: { scope: { id: string } } }>(
        `mutation { createScope(input: { name: "guarded", approvals: { deletePool: true } }) { scope { id } } }`,
      );
      const held = await createPool(s, {
        cidr: "172.16.0.0/12",
        name: "held",
        scopeId: guarded.createScope.scope.id,
      });
      await s.ok(`mutation($id: ID!) { deletePool(input: { id: $id }) { changeRequest { id } } }`, {
        id: held.id,
      });
      // A webhook whose types never fire here, so neither server delivers anything while the dumps run.
      await s.ok(
        `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } } }`,
        {
          input: {
            url: "http://127.0.0.1:9/hook",
            eventTypes: ["drift.*"],
            secret: "0123456789abcdef0123456789abcdef",
          },
        },
      );
      await s.tokenFor("VIEWER", "reader");
      await s.tokenFor("OPERATOR", "writer");
    } finally {
      await s.close();
    }
  }, 180_000);
  afterAll(async () => {
    await cluster?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("answers every query of the dump with the same JSON on SQLite and on PostgreSQL", async () => {
    const url = await cluster.createDatabase();
    const r = cli(["copy", "--from", `sqlite:${sqliteFile}`, "--to", url]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);

    const lite = await startTestServer({ SQLITE_DSN: sqliteFile, ...DUMP_ENV });
    let onSqlite: Record<string, string>;
    try {
      onSqlite = await dump(lite, ids);
    } finally {
      await lite.close();
    }
    const onPg = await startTestServer({ DATABASE_URL: url, ...DUMP_ENV });
    let onPostgres: Record<string, string>;
    try {
      onPostgres = await dump(onPg, ids);
    } finally {
      await onPg.close();
    }
    // The dump covers what was written.
    expect(JSON.parse(onSqlite.events!).length).toBeGreaterThan(20);
    expect(onSqlite.allocations).toContain("RELEASED");
    expect(onSqlite.blocksV6).toContain("USED");
    expect(onSqlite.changeRequests).toContain("PENDING");
    expect(onSqlite.deletedPools).toContain("doomed");
    for (const key of Object.keys(onSqlite)) expect(onPostgres[key], key).toBe(onSqlite[key]);
  }, 180_000);
});
