import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, testBackend, type TestServer } from "../helpers/server.js";
import {
  addressCount,
  allocate,
  buildInventory,
  inside,
  setCreatedAt,
  type Inventory,
  type ModelRow,
} from "../helpers/inventory.js";

let s: TestServer;
let inv: Inventory;

const DAYS = [
  "2026-03-02T09:00:00.000Z", // Monday
  "2026-03-02T23:59:59.999Z",
  "2026-03-04T12:00:00.000Z", // Wednesday, same ISO week
  "2026-03-09T00:00:00.000Z", // next Monday
  "2026-03-15T18:30:00.000Z", // Sunday of that week
  "2026-04-01T08:00:00.000Z",
];

beforeAll(async () => {
  s = await startTestServer();
  inv = await buildInventory(s);
  // History for the time filters and charts: the first six allocations get fixed creation times.
  await setCreatedAt(s, allocations().slice(0, DAYS.length), DAYS);
});
afterAll(async () => {
  await s.close();
});

const allocations = () => inv.rows.filter((r) => r.kind === "ALLOCATION");
const live = (rows: ModelRow[]) => rows.filter((r) => r.status !== "RELEASED");

const ROW = `cursor node { id kind cidr name status prefixLength addressCount createdAt
  pool { id name } account { id key } scope { name } }`;
const BLOCKS = `query($filter: AnalyticsFilter, $orderBy: [AnalyticsBlockOrder!], $first: Int, $after: String, $last: Int, $before: String) {
  blocks(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
    totalCount edges { ${ROW} } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

interface BlockNode {
  id: string;
  kind: string;
  cidr: string;
  name: string;
  status: string;
  prefixLength: number;
  addressCount: string;
  createdAt: string;
  pool: { id: string; name: string } | null;
  account: { id: string; key: string } | null;
  scope: { name: string };
}
interface BlocksResult {
  blocks: {
    totalCount: number;
    edges: { cursor: string; node: BlockNode }[];
    pageInfo: {
      hasNextPage: boolean;
      hasPreviousPage: boolean;
      startCursor: string | null;
      endCursor: string | null;
    };
  };
}

async function blocks(vars: Record<string, unknown>) {
  return (await s.ok<BlocksResult>(BLOCKS, vars)).blocks;
}

async function allIds(filter: Record<string, unknown>): Promise<string[]> {
  const r = await blocks({ filter, first: 100 });
  return r.edges.map((e) => e.node.id).sort();
}

const ids = (rows: ModelRow[]) => rows.map((r) => r.id).sort();

describe("blocks: the analytics table", () => {
  it("lists every child pool and live allocation with its pool, account and scope by default", async () => {
    const r = await blocks({ first: 100 });
    expect(r.edges.map((e) => e.node.id).sort()).toEqual(ids(live(inv.rows)));
    expect(r.totalCount).toBe(live(inv.rows).length);
    const web = r.edges.find((e) => e.node.name === "web")!.node;
    expect(web).toMatchObject({
      kind: "ALLOCATION",
      cidr: "10.0.3.0/24",
      status: "ALLOCATED",
      addressCount: "256",
      pool: { id: inv.pools.prod!.id, name: "prod-use1" },
      account: { id: inv.accounts.alpha!.id, key: "aws:111111111111" },
      scope: { name: expect.any(String) },
    });
    const topLevel = [inv.pools.corp!.id, inv.pools.v6!.id];
    expect(r.edges.some((e) => topLevel.includes(e.node.id))).toBe(false);
  });

  it("filters by account attributes: provider, platform, tier, environment and region", async () => {
    const rows = live(inv.rows);
    expect(await allIds({ providers: ["AWS"] })).toEqual(
      ids(rows.filter((r) => r.account?.provider === "AWS")),
    );
    expect(await allIds({ platforms: ["payments"] })).toEqual(
      ids(rows.filter((r) => r.account?.platform === "payments")),
    );
    expect(await allIds({ tiers: ["DEV", "STG"] })).toEqual(
      ids(rows.filter((r) => ["DEV", "STG"].includes(r.account?.tier ?? ""))),
    );
    expect(await allIds({ environments: ["prod"] })).toEqual(
      ids(rows.filter((r) => r.account?.environment === "prod")),
    );
    expect(await allIds({ regions: ["eu-west-1", "europe-west4"] })).toEqual(
      ids(rows.filter((r) => r.account?.regions.some((g) => ["eu-west-1", "europe-west4"].includes(g)))),
    );
    expect(await allIds({ accountIds: [inv.accounts.gamma!.id] })).toEqual(
      ids(rows.filter((r) => r.account?.key === "aws:222222222222")),
    );
  });

  it("filters by parent pool, kind, status and combines filters with AND", async () => {
    const rows = live(inv.rows);
    expect(await allIds({ poolIds: [inv.pools.prod!.id] })).toEqual(
      ids(rows.filter((r) => r.poolId === inv.pools.prod!.id)),
    );
    expect(await allIds({ kinds: ["POOL"] })).toEqual(ids(rows.filter((r) => r.kind === "POOL")));
    expect(await allIds({ statuses: ["RELEASED"] })).toEqual(
      ids(inv.rows.filter((r) => r.status === "RELEASED")),
    );
    expect(await allIds({ statuses: ["ALLOCATED", "RELEASED"] })).toEqual(ids(allocations()));
    expect(await allIds({ poolIds: [inv.pools.prod!.id], providers: ["AWS"], tiers: ["PRD"] })).toEqual(
      ids(rows.filter((r) => r.poolId === inv.pools.prod!.id && r.account?.tier === "PRD")),
    );
  });

  it("filters by CIDR containment, not by text: within 10.1.0.0/16 excludes 10.10.0.0/16", async () => {
    const within = await allIds({ within: "10.1.0.0/16" });
    expect(within).toEqual(ids(live(inv.rows).filter((r) => inside(r, "10.1.0.0/16"))));
    expect(within).toContain(inv.pools.dev!.id);
    expect(within).not.toContain(inv.pools.lab!.id);
    expect(await allIds({ within: "2001:db8::/47" })).toEqual(
      ids(live(inv.rows).filter((r) => inside(r, "2001:db8::/47"))),
    );
    expect(await allIds({ within: "10.0.2.0/23" })).toEqual(
      ids(live(inv.rows).filter((r) => inside(r, "10.0.2.0/23"))),
    );
  });

  it("filters by creation time: createdAfter inclusive, createdBefore exclusive", async () => {
    const filter = { createdAfter: "2026-03-02T23:59:59.999Z", createdBefore: "2026-03-09T00:00:00.000Z" };
    const expected = live(inv.rows).filter(
      (r) => r.createdAt >= filter.createdAfter && r.createdAt < filter.createdBefore,
    );
    expect(expected.length).toBe(2);
    expect(await allIds(filter)).toEqual(ids(expected));
  });

  it("refuses a time range that ends before it starts, naming the field", async () => {
    const r = await s.gql(BLOCKS, {
      filter: { createdAfter: "2026-03-09T00:00:00Z", createdBefore: "2026-03-01T00:00:00Z" },
    });
    expect(r.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(r.errors?.[0]?.extensions?.details?.field).toBe("filter.createdBefore");
  });
});

describe("blocks: multi-key order with keyset paging", () => {
  const orderBy = [
    { field: "ACCOUNT", direction: "ASC" },
    { field: "NETWORK", direction: "DESC" },
  ];
  /** The same order computed here: account key (none first), then family/start/length descending. */
  function expectedOrder(): string[] {
    return [...live(inv.rows)]
      .sort((a, b) => {
        const ka = a.account?.key ?? "";
        const kb = b.account?.key ?? "";
        if (ka !== kb) return ka < kb ? -1 : 1;
        if (a.family !== b.family) return b.family - a.family;
        if (a.start !== b.start) return a.start > b.start ? -1 : 1;
        return b.prefixLength - a.prefixLength;
      })
      .map((r) => r.id);
  }

  it("pages forward through every row in order, 3 at a time, without gaps or repeats", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: BlocksResult["blocks"] = await blocks({ orderBy, first: 3, after });
      seen.push(...page.edges.map((e) => e.node.id));
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      pages++;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(expectedOrder());
    expect(pages).toBe(Math.ceil(expectedOrder().length / 3));
  });

  it("pages backward from the end with last/before and meets the same order", async () => {
    const seen: string[] = [];
    let before: string | null = null;
    for (;;) {
      const page: BlocksResult["blocks"] = await blocks({ orderBy, last: 4, before });
      seen.unshift(...page.edges.map((e) => e.node.id));
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    expect(seen).toEqual(expectedOrder());
  });

  it("turns back from the middle: before the first cursor of page 2 is page 1", async () => {
    const page1 = await blocks({ orderBy, first: 5 });
    const page2 = await blocks({ orderBy, first: 5, after: page1.pageInfo.endCursor });
    const back = await blocks({ orderBy, last: 5, before: page2.pageInfo.startCursor });
    expect(back.edges.map((e) => e.node.id)).toEqual(page1.edges.map((e) => e.node.id));
    expect(back.pageInfo.hasNextPage).toBe(true);
    expect(back.pageInfo.hasPreviousPage).toBe(false);
  });

  it("orders by tier descending then creation time, ties broken stably", async () => {
    const rank = (t: string | null | undefined) => t ?? "";
    const expected = [...live(inv.rows)]
      .sort((a, b) => {
        const ta = rank(a.account?.tier);
        const tb = rank(b.account?.tier);
        if (ta !== tb) return ta < tb ? 1 : -1;
        if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
        return 0;
      })
      .map((r) => r.createdAt + "|" + (r.account?.tier ?? ""));
    const r = await blocks({
      orderBy: [{ field: "TIER", direction: "DESC" }, { field: "CREATED_AT" }],
      first: 100,
    });
    const got = r.edges.map(
      (e) =>
        e.node.createdAt +
        "|" +
        (e.node.account ? inv.rows.find((x) => x.id === e.node.id)!.account!.tier : ""),
    );
    expect(got).toEqual(expected);
  });

  it("refuses a cursor made under another order", async () => {
    const page = await blocks({ orderBy, first: 2 });
    const r = await s.gql(BLOCKS, {
      orderBy: [{ field: "NAME", direction: "ASC" }],
      first: 2,
      after: page.pageInfo.endCursor,
    });
    expect(r.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(r.errors?.[0]?.extensions?.details?.field).toBe("after");
  });
});

const ANALYTICS = `query($filter: AnalyticsFilter, $interval: AnalyticsInterval) {
  analytics(filter: $filter) {
    allocationsPerPool { pool { id name } allocations ipv4Addresses ipv6Addresses }
    addressSpacePerAccount { account { id key } allocations ipv4Addresses ipv6Addresses }
    allocationsCreated(interval: $interval) { period allocations }
  }
}`;
interface Stat {
  allocations: number;
  ipv4Addresses: string;
  ipv6Addresses: string;
}
interface AnalyticsResult {
  analytics: {
    allocationsPerPool: (Stat & { pool: { id: string } })[];
    addressSpacePerAccount: (Stat & { account: { id: string; key: string } | null })[];
    allocationsCreated: { period: string; allocations: number }[];
  };
}

/** Groups allocations by key and sums what the charts show, with BigInt address counts. */
function expectedStats(rows: ModelRow[], keyOf: (r: ModelRow) => string) {
  const by = new Map<string, { allocations: number; ipv4Addresses: bigint; ipv6Addresses: bigint }>();
  for (const r of rows) {
    const b = by.get(keyOf(r)) ?? { allocations: 0, ipv4Addresses: 0n, ipv6Addresses: 0n };
    b.allocations++;
    if (r.family === 4) b.ipv4Addresses += addressCount(r);
    else b.ipv6Addresses += addressCount(r);
    by.set(keyOf(r), b);
  }
  return Object.fromEntries(
    [...by].map(([k, v]) => [
      k,
      { ...v, ipv4Addresses: String(v.ipv4Addresses), ipv6Addresses: String(v.ipv6Addresses) },
    ]),
  );
}

/** Monday (UTC) of an ISO week, as YYYY-MM-DD. */
function mondayOf(iso: string): string {
  const d = new Date(iso.slice(0, 10) + "T00:00:00Z");
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

function countBy(rows: ModelRow[], keyOf: (r: ModelRow) => string) {
  const m = new Map<string, number>();
  for (const r of rows) m.set(keyOf(r), (m.get(keyOf(r)) ?? 0) + 1);
  return [...m]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([period, allocations]) => ({ period, allocations }));
}

describe("analytics: aggregates for charts", () => {
  it("counts allocations and addresses per pool and per account as the model does", async () => {
    const a = (await s.ok<AnalyticsResult>(ANALYTICS)).analytics;
    const rows = live(allocations());
    const perPool = Object.fromEntries(
      a.allocationsPerPool.map((x) => [x.pool.id, { ...x, pool: undefined }]),
    );
    const expectedPools = expectedStats(rows, (r) => r.poolId!);
    expect(Object.keys(perPool).sort()).toEqual(Object.keys(expectedPools).sort());
    for (const [id, stat] of Object.entries(expectedPools)) expect(perPool[id]).toMatchObject(stat);
    const perAccount = Object.fromEntries(a.addressSpacePerAccount.map((x) => [x.account!.key, x]));
    for (const [key, stat] of Object.entries(expectedStats(rows, (r) => r.account!.key)))
      expect(perAccount[key]).toMatchObject(stat);
    // Two IPv6 /64s: 2^65 addresses, beyond 2^53, exact as a string.
    expect(perAccount["aws:111111111111"]!.ipv6Addresses).toBe("36893488147419103232");
    expect(a.allocationsPerPool.map((x) => x.allocations)).toEqual(
      [...a.allocationsPerPool.map((x) => x.allocations)].sort((x, y) => y - x),
    );
  });

  it("counts allocations created per day and per ISO week", async () => {
    const rows = live(allocations());
    const daily = (await s.ok<AnalyticsResult>(ANALYTICS, { interval: "DAY" })).analytics.allocationsCreated;
    expect(daily).toEqual(countBy(rows, (r) => r.createdAt.slice(0, 10)));
    const weekly = (await s.ok<AnalyticsResult>(ANALYTICS, { interval: "WEEK" })).analytics
      .allocationsCreated;
    expect(weekly).toEqual(countBy(rows, (r) => mondayOf(r.createdAt)));
    expect(weekly.find((w) => w.period === "2026-03-09")?.allocations).toBe(2);
  });

  it("honours the same filters as the table", async () => {
    const filter = { providers: ["AWS"], within: "10.0.0.0/8", createdBefore: "2026-03-10T00:00:00Z" };
    const a = (await s.ok<AnalyticsResult>(ANALYTICS, { filter })).analytics;
    const rows = live(allocations()).filter(
      (r) => r.account?.provider === "AWS" && inside(r, "10.0.0.0/8") && r.createdAt < filter.createdBefore,
    );
    expect(rows.length).toBeGreaterThan(0);
    const perAccount = Object.fromEntries(a.addressSpacePerAccount.map((x) => [x.account!.key, x]));
    expect(Object.keys(perAccount).sort()).toEqual([...new Set(rows.map((r) => r.account!.key))].sort());
    for (const [key, stat] of Object.entries(expectedStats(rows, (r) => r.account!.key)))
      expect(perAccount[key]).toMatchObject(stat);
    expect(a.allocationsCreated.reduce((n, d) => n + d.allocations, 0)).toBe(rows.length);
  });

  it("lets a viewer read the table and the aggregates, and refuses anonymous callers", async () => {
    const viewer = await s.tokenFor("VIEWER");
    const r = await s.gql(ANALYTICS, {}, { token: viewer });
    expect(r.errors).toBeUndefined();
    const anon = await s.gql(BLOCKS, { first: 1 }, { token: null });
    expect(anon.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

// The statement hook is SQLite-only (a PostgreSQL statement counter is still to do).
describe.skipIf(testBackend === "postgres")("blocks: SQL statements per page", () => {
  let q: TestServer;
  let statements: string[] = [];
  beforeAll(async () => {
    // AUTH=off keeps token checks out of the count: only the query's own statements remain.
    q = await startTestServer({ AUTH: "off" }, { onStatement: (sql) => statements.push(sql) });
    const small = await buildInventory(q);
    for (let i = 0; i < 60; i++)
      await allocate(
        q,
        small.pools.lab!,
        `10.10.${1 + (i >> 4)}.${(i & 15) * 16}/28`,
        small.accounts[["alpha", "beta", "gamma"][i % 3]!]!,
        `n-${i}`,
      );
  });
  afterAll(async () => {
    await q.close();
  });

  async function countStatements(first: number): Promise<number> {
    statements = [];
    const r = await q.ok<BlocksResult>(
      `query($first: Int) { blocks(first: $first, orderBy: [{ field: ACCOUNT }, { field: NETWORK }]) {
        edges { node { id pool { name } account { key } scope { name } } } } }`,
      { first },
    );
    expect(r.blocks.edges).toHaveLength(first);
    // Background workers may poll their own tables meanwhile: count the query's tables only.
    return statements.filter((sql) => /from "(prefixes|accounts|scopes)"/.test(sql)).length;
  }

  it("runs the same few statements for a page of 5 and a page of 60 (DataLoaders for pool, account, scope)", async () => {
    const small = await countStatements(5);
    const large = await countStatements(60);
    expect(large).toBeLessThanOrEqual(4);
    expect(large).toBe(small);
  });
});
