/**
 * src/db/pools.ts, allocations.ts, analytics.ts and pagination.ts in await style answer the same on SQLite and
 * PostgreSQL (through asDb): pool pages in network / name / creation order forwards and backwards, every
 * containment filter, the name search, paths and subtrees, the resize/move/delete helpers; allocation lists,
 * account summaries and idempotency keys; the analytics table in several orders with account filters
 * (regions: a JSON array), its count, histograms and per-day / per-week series. And `lockPoolRow` makes a
 * second PostgreSQL writer of the same pool wait for the first one's commit, while another pool is not blocked.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { postgresAvailability } from "../helpers/postgres.js";
import { bothBackends, type BothBackends } from "../helpers/both-backends.js";
import { parsePrefix, type Prefix } from "../../src/allocator/index.js";
import { insertAccount } from "../../src/db/accounts.js";
import {
  accountSummary,
  countPrefixList,
  deletePrefixRow,
  idempotencyKeyRow,
  insertIdempotencyKey,
  prefixListPage,
  prefixesOfKindByIds,
} from "../../src/db/allocations.js";
import {
  allocationsByAccountHistogram,
  allocationsByPoolHistogram,
  allocationsCreatedPer,
  blocksPage,
  countBlocks,
  orderSignature,
  sortKeys,
  type BlockOrder,
  type PrefixRowFilter,
} from "../../src/db/analytics.js";
import { resolveKeysetPage, resolvePage, type Page } from "../../src/db/pagination.js";
import {
  childrenNotFitting,
  countPools,
  deletePrefixRows,
  directChildrenWithin,
  lockPoolRow,
  poolPath,
  poolSubtree,
  poolsByIds,
  poolsPage,
  prefixesOfAccount,
  setScopeOfSubtree,
  updatePrefixRow,
  type PoolOrderField,
  type PoolRowFilter,
} from "../../src/db/pools.js";
import { rangeColumns, type NewPrefixRow, type PrefixRow } from "../../src/db/prefixes.js";
import { prefixes } from "../../src/db/schema.js";
import { allScopeIds, insertScope } from "../../src/db/scopes.js";
import type { Db } from "../../src/db/store.js";
import { asDb } from "../../src/db/store.pg.js";

const availability = postgresAvailability();
const T = (day: number, s = 0) => new Date(Date.UTC(2026, 0, day, 0, 0, s)).toISOString();
const P = (cidr: string): Prefix => parsePrefix(cidr);

async function insert(
  db: Db,
  row: Omit<NewPrefixRow, "family" | "prefixLen" | "cidr" | "rangeStart" | "rangeEnd">,
  cidr: string,
) {
  const [r] = await db
    .insert(prefixes)
    .values({ ...row, ...rangeColumns(P(cidr)) })
    .returning();
  return r!;
}

const names = (rows: readonly PrefixRow[]) => rows.map((r) => r.name ?? r.cidr);
const pageOf = (p: Page<PrefixRow>) => ({
  items: names(p.items),
  next: p.hasNextPage,
  prev: p.hasPreviousPage,
});

async function exercise(db: Db) {
  const blue = await insertScope(db, { name: "blue" });
  const prd = await insertAccount(db, {
    key: "aws:000000000001",
    provider: "AWS",
    name: "prd",
    tier: "PRD",
    environment: "prod",
    regions: JSON.stringify(["us-east-1", "eu-west-1"]),
  });
  const dev = await insertAccount(db, {
    key: "gcp:dev-project",
    provider: "GCP",
    name: "dev",
    tier: "DEV",
    regions: JSON.stringify(["europe-west1"]),
  });
  const pool = (name: string, cidr: string, day: number, extra: Partial<NewPrefixRow> = {}) =>
    insert(db, { kind: "pool", scopeId: 1, status: "ACTIVE", name, createdAt: T(day), ...extra }, cidr);
  const root = await pool("Prod-Root", "10.0.0.0/8", 1, { accountId: prd.id });
  const use1 = await pool("prod-use1", "10.1.0.0/16", 2, { parentId: root.id, accountId: prd.id });
  const devx = await pool("dev-x", "10.2.0.0/16", 3, { parentId: root.id, status: "PLANNED" });
  const web = await pool("prod-web", "10.1.2.0/24", 4, { parentId: use1.id });
  const v6 = await pool("v6", "2001:db8::/32", 5);
  const v6child = await pool("v6-child", "2001:db8:1::/48", 6, { parentId: v6.id, accountId: dev.id });
  await pool("blue-root", "10.0.0.0/8", 7, { scopeId: blue.id });
  const alloc = (
    name: string,
    cidr: string,
    parent: PrefixRow,
    day: number,
    accountId: number | null,
    released = false,
  ) =>
    insert(
      db,
      {
        kind: "allocation",
        scopeId: parent.scopeId,
        parentId: parent.id,
        status: released ? "RELEASED" : "ALLOCATED",
        releasedAt: released ? T(day, 30) : null,
        name,
        accountId,
        createdAt: T(day),
      },
      cidr,
    );
  const a1 = await alloc("a1", "10.1.2.0/28", web, 5, prd.id);
  await alloc("a2", "10.1.2.16/28", web, 6, prd.id);
  await alloc("a3", "10.1.2.32/27", web, 12, dev.id);
  await alloc("a4", "10.1.2.64/26", web, 13, null, true);
  await alloc("a5", "10.1.3.0/24", use1, 13, dev.id);
  await alloc("v6a", "2001:db8:1::/64", v6child, 14, dev.id);
  await insert(
    db,
    { kind: "reservation", scopeId: 1, parentId: web.id, status: "ACTIVE", createdAt: T(8) },
    "10.1.2.128/25",
  );

  const scopeIds = () => allScopeIds(db);
  const page = async (
    filter: PoolRowFilter,
    order: PoolOrderField,
    args: Parameters<typeof resolvePage>[0],
    descending = false,
  ) => poolsPage(db, filter, order, resolvePage(args, 100, descending), scopeIds);
  const out: Record<string, unknown> = {};

  // Pool pages: network order across scopes (per-scope walks merged), forwards, then after the cursor, backwards.
  const first3 = await page({}, "network", { first: 3 });
  out.network = {
    first3: pageOf(first3),
    next: pageOf(await page({}, "network", { first: 3, after: first3.cursors[2] })),
    last2: pageOf(await page({}, "network", { last: 2 })),
    before: pageOf(await page({}, "network", { last: 2, before: first3.cursors[2] })),
    desc: pageOf(await page({}, "network", { first: 4 }, true)),
    children: pageOf(await page({ parentId: root.id }, "network", { first: 10 })),
  };
  const byName = await page({}, "name", { first: 3 });
  out.name = {
    first3: pageOf(byName),
    next: pageOf(await page({}, "name", { first: 10, after: byName.cursors[2] })),
    createdDesc: pageOf(await page({}, "createdAt", { first: 3 }, true)),
  };
  const all = (filter: PoolRowFilter) => page(filter, "network", { first: 100 }).then((p) => names(p.items));
  out.filters = {
    within: await all({ within: P("10.0.0.0/8") }),
    withinOrEqual: await all({ withinOrEqual: P("10.0.0.0/8"), scopeId: 1 }),
    contains: await all({ contains: P("10.1.2.0/24") }),
    containsOrEqual: await all({ containsOrEqual: P("10.1.2.3/32") }),
    overlaps: await all({ overlaps: P("10.0.0.0/15") }),
    equals: await all({ equals: P("10.0.0.0/8") }),
    search: await all({ search: "PROD" }),
    searchNone: await all({ search: "%" }),
    statuses: await all({ statuses: ["PLANNED"] }),
    family6: await all({ family: 6 }),
    rootsOnly: await all({ rootsOnly: true }),
    account: await all({ accountId: prd.id }),
    blue: await all({ scopeId: blue.id }),
  };
  out.counts = [
    await countPools(db, {}),
    await countPools(db, { search: "prod" }),
    await countPools(db, { within: P("10.0.0.0/8") }),
  ];
  out.byIds = names(await poolsByIds(db, [web.id, a1.id, v6.id])).sort();
  out.path = names(await poolPath(db, web));
  out.subtree = names(await poolSubtree(db, use1)).sort();
  out.ofAccount = names(await prefixesOfAccount(db, prd.id)).sort();
  out.inWay = names(await directChildrenWithin(db, 1, root.id, [P("10.2.0.0/15"), P("10.4.0.0/16")], 10));
  out.topInWay = names(await directChildrenWithin(db, 1, null, [P("2001:db8::/31")], 10));
  out.notFitting = await childrenNotFitting(db, web.id, P("10.1.2.0/25"), 1).then((r) => ({
    rows: names(r.rows),
    count: r.count,
  }));
  out.updated = await updatePrefixRow(db, devx.id, { description: "planned", status: "ACTIVE" }).then((r) => [
    r.description,
    r.status,
    r.updatedAt > r.createdAt,
  ]);

  // Allocation lists.
  const list = async (args: Parameters<typeof resolvePage>[0], live?: boolean) =>
    pageOf(await prefixListPage(db, { kind: "allocation", poolId: web.id, live }, resolvePage(args, 100)));
  const firstAllocs = await prefixListPage(
    db,
    { kind: "allocation", poolId: web.id },
    resolvePage({ first: 2 }, 100),
  );
  out.allocations = {
    first2: pageOf(firstAllocs),
    after: await list({ first: 5, after: firstAllocs.cursors[1] }),
    last1: await list({ last: 1 }),
    live: await list({ first: 10 }, true),
    released: await list({ first: 10 }, false),
    ofAccount: pageOf(
      await prefixListPage(db, { kind: "allocation", accountId: dev.id }, resolvePage({ first: 10 }, 100)),
    ),
    counts: [
      await countPrefixList(db, { kind: "allocation", poolId: web.id }),
      await countPrefixList(db, { kind: "allocation", poolId: web.id, live: true }),
      await countPrefixList(db, { kind: "reservation", poolId: web.id }),
    ],
    ofKind: names(await prefixesOfKindByIds(db, "allocation", [a1.id, web.id])),
  };
  out.summary = await accountSummary(db, dev.id);
  out.noSummary = await accountSummary(db, 999);
  await insertIdempotencyKey(db, { key: "k1", requestHash: "h", allocationId: a1.id });
  out.idem = [(await idempotencyKeyRow(db, "k1"))?.allocationId === a1.id, await idempotencyKeyRow(db, "k2")];

  // The analytics table.
  const table = async (
    filter: PrefixRowFilter,
    order: BlockOrder[],
    args: Parameters<typeof resolveKeysetPage>[0] = { first: 100 },
  ) =>
    blocksPage(
      db,
      filter,
      order,
      resolveKeysetPage(args, 100, orderSignature(order), sortKeys(order).length),
    );
  const net: BlockOrder[] = [{ field: "network", descending: false }];
  const netPage = await table({ childPoolsOnly: true }, net, { first: 3 });
  out.table = {
    network: pageOf(netPage),
    networkNext: pageOf(await table({ childPoolsOnly: true }, net, { first: 3, after: netPage.cursors[2] })),
    networkLast: pageOf(await table({ childPoolsOnly: true }, net, { last: 2 })),
    byAccountDesc: names(
      (
        await table({ kinds: ["allocation"] }, [
          { field: "account", descending: true },
          { field: "name", descending: false },
        ])
      ).items,
    ),
    byPool: names((await table({ kinds: ["allocation"] }, [{ field: "pool", descending: false }])).items),
    byScope: names(
      (
        await table({ childPoolsOnly: true }, [
          { field: "scope", descending: true },
          { field: "createdAt", descending: false },
        ])
      ).items,
    ),
    regions: names((await table({ regions: ["eu-west-1"] }, net)).items),
    tiers: names((await table({ tiers: ["DEV"], kinds: ["allocation"] }, net)).items),
    within: names((await table({ within: P("10.1.2.0/24"), statuses: ["ALLOCATED"] }, net)).items),
    created: names(
      (await table({ kinds: ["allocation"], createdFrom: T(6), createdBefore: T(13) }, net)).items,
    ),
    count: [
      await countBlocks(db, {}),
      await countBlocks(db, { regions: ["us-east-1"] }),
      await countBlocks(db, { providers: ["GCP"], kinds: ["allocation"] }),
    ],
  };
  const sortRows = <R extends { groupId: number | null; family: number; prefixLen: number }>(rows: R[]) =>
    [...rows].sort(
      (a, b) => (a.groupId ?? 0) - (b.groupId ?? 0) || a.family - b.family || a.prefixLen - b.prefixLen,
    );
  out.histograms = {
    byPool: sortRows(await allocationsByPoolHistogram(db, {})),
    byAccount: sortRows(await allocationsByAccountHistogram(db, { statuses: ["ALLOCATED"] })),
    byAccountEu: sortRows(await allocationsByAccountHistogram(db, { regions: ["europe-west1"] })),
    perDay: await allocationsCreatedPer(db, {}, "day"),
    perWeek: await allocationsCreatedPer(db, {}, "week"),
  };

  // Writes: a subtree changes scope, rows go.
  await setScopeOfSubtree(db, use1.id, blue.id);
  out.moved = names(await db.select().from(prefixes).where(eq(prefixes.scopeId, blue.id))).sort();
  await deletePrefixRow(db, a1.id);
  await deletePrefixRows(db, await poolSubtree(db, v6));
  out.left = await db.$count(prefixes);
  return out;
}

describe.skipIf(!availability.available)("pool, allocation and analytics rows on both backends", () => {
  let both: BothBackends;
  beforeAll(async () => {
    both = await bothBackends(availability.bin!);
  }, 60_000);
  afterAll(async () => {
    await both?.stop();
  });

  it("answer the same on SQLite and PostgreSQL", async () => {
    const { sqlite, pg } = await both.run(exercise);
    expect(sqlite).toMatchObject({
      network: {
        first3: { items: ["Prod-Root", "blue-root", "prod-use1"], next: true, prev: false },
        children: { items: ["prod-use1", "dev-x"] },
      },
      filters: {
        within: ["prod-use1", "prod-web", "dev-x"],
        containsOrEqual: ["Prod-Root", "blue-root", "prod-use1", "prod-web"],
        search: ["Prod-Root", "prod-use1", "prod-web"],
        searchNone: [],
        family6: ["v6", "v6-child"],
      },
      allocations: { counts: [4, 3, 1] },
      summary: { key: "gcp:dev-project", name: "dev", tier: "DEV" },
      idem: [true, undefined],
      table: {
        network: { items: ["prod-use1", "prod-web", "a1"], next: true, prev: false },
        regions: ["Prod-Root", "prod-use1", "a1", "a2"],
        count: [13, 4, 3],
      },
    });
    expect((sqlite.histograms as { perWeek: unknown }).perWeek).toEqual([
      { period: "2026-01-05", n: 2 },
      { period: "2026-01-12", n: 4 },
    ]);
    expect(pg).toEqual(sqlite);
  });

  it("lockPoolRow: a second writer of the same pool waits for the first's commit; another pool does not", async () => {
    const url = await both.newDatabase();
    const [r1, r2] = [await both.pgStore(url), await both.pgStore(url)];
    const [a, b] = await r1.write(async (tx) => {
      const db = asDb(tx);
      return [
        await insert(db, { kind: "pool", scopeId: 1, status: "ACTIVE", name: "a" }, "10.0.0.0/16"),
        await insert(db, { kind: "pool", scopeId: 1, status: "ACTIVE", name: "b" }, "10.1.0.0/16"),
      ];
    });
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const first = r1.write(async (tx) => {
      await lockPoolRow(asDb(tx), a.id);
      locked();
      await held;
      order.push("first commits");
    });
    await isLocked;
    const second = r2.write(async (tx) => {
      await lockPoolRow(asDb(tx), a.id);
      order.push("second has the lock");
    });
    const other = r2.write(async (tx) => {
      await lockPoolRow(asDb(tx), b.id);
      order.push("other pool");
    });
    await other;
    await new Promise((r) => setTimeout(r, 200));
    order.push("released");
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(["other pool", "released", "first commits", "second has the lock"]);
  });
});
