/**
 * src/db/prefixes.ts in await style answers the same on SQLite and PostgreSQL (through asDb): insertPrefix (the
 * prepared insert on SQLite, INSERT … RETURNING on PostgreSQL: SQL defaults filled the same), prefixById and
 * prefixesByIds, the containment queries (containingLive, withinLive with its limit and extra predicate,
 * topLevelWithinLive, containingLiveInAllScopes), liveChildren, countLiveChildren, childLengthHistogram and
 * liveChildRanges, with released rows, another scope and IPv6 in the data.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inArray } from "drizzle-orm";
import { postgresAvailability } from "../helpers/postgres.js";
import { bothBackends, type BothBackends } from "../helpers/both-backends.js";
import { formatPrefix, parsePrefix, type Prefix } from "../../src/allocator/index.js";
import {
  childLengthHistogram,
  containingLive,
  containingLiveInAllScopes,
  countLiveChildren,
  insertPrefix,
  liveChildRanges,
  liveChildren,
  prefixById,
  prefixesByIds,
  rangeColumns,
  topLevelWithinLive,
  withinLive,
  type NewPrefixRow,
  type PrefixRow,
} from "../../src/db/prefixes.js";
import { prefixes } from "../../src/db/schema.js";
import { insertScope } from "../../src/db/scopes.js";
import type { Db } from "../../src/db/store.js";

const availability = postgresAvailability();
const P = (cidr: string): Prefix => parsePrefix(cidr);
const names = (rows: readonly PrefixRow[]) => rows.map((r) => r.name ?? r.cidr);

async function exercise(db: Db) {
  const blue = await insertScope(db, { name: "blue" });
  const add = (
    row: Omit<NewPrefixRow, "family" | "prefixLen" | "cidr" | "rangeStart" | "rangeEnd" | "status"> & {
      status?: string;
    },
    cidr: string,
  ) =>
    insertPrefix(db, {
      status: row.kind === "allocation" ? "ALLOCATED" : "ACTIVE",
      ...row,
      ...rangeColumns(P(cidr)),
    } as NewPrefixRow);
  const root = await add({ kind: "pool", scopeId: 1, name: "root" }, "10.0.0.0/8");
  const mid = await add({ kind: "pool", scopeId: 1, parentId: root.id, name: "mid" }, "10.1.0.0/16");
  const other = await add({ kind: "pool", scopeId: 1, parentId: root.id, name: "other" }, "10.2.0.0/16");
  const web = await add({ kind: "pool", scopeId: 1, parentId: mid.id, name: "web" }, "10.1.2.0/24");
  const a1 = await add({ kind: "allocation", scopeId: 1, parentId: web.id, name: "a1" }, "10.1.2.0/28");
  await add({ kind: "allocation", scopeId: 1, parentId: web.id, name: "a2" }, "10.1.2.16/28");
  await add(
    {
      kind: "allocation",
      scopeId: 1,
      parentId: web.id,
      name: "gone",
      status: "RELEASED",
      releasedAt: "2026-01-02T00:00:00.000Z",
    },
    "10.1.2.32/27",
  );
  await add({ kind: "reservation", scopeId: 1, parentId: web.id }, "10.1.2.128/25");
  await add({ kind: "allocation", scopeId: 1, parentId: mid.id, name: "a3" }, "10.1.3.0/24");
  await add({ kind: "pool", scopeId: 1, name: "top2" }, "172.16.0.0/12");
  const v6 = await add({ kind: "pool", scopeId: 1, name: "v6" }, "2001:db8::/32");
  await add({ kind: "allocation", scopeId: 1, parentId: v6.id, name: "v6a" }, "2001:db8:1::/64");
  const blueRoot = await add({ kind: "pool", scopeId: blue.id, name: "blue-root" }, "10.0.0.0/8");
  await add({ kind: "allocation", scopeId: blue.id, parentId: blueRoot.id, name: "blue-a" }, "10.1.2.0/24");

  const out: Record<string, unknown> = {};
  // What an insert fills in: SQL defaults for the omitted columns on both backends.
  out.defaults = {
    tags: root.tags,
    description: root.description,
    accountId: root.accountId,
    releasedAt: root.releasedAt,
    createdAt: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(root.createdAt),
    cidr: a1.cidr,
  };
  const byId = await prefixById(db, web.id);
  out.byId = { name: byId?.name, parent: byId?.parentId === mid.id, kind: byId?.kind };
  out.byIdMissing = await prefixById(db, 999_999);
  out.byIds = names(await prefixesByIds(db, [a1.id, v6.id, 999_999, root.id])).sort();
  out.byIdsNone = await prefixesByIds(db, []);
  out.containing = names(await containingLive(db, 1, P("10.1.2.5/32")));
  out.containingEqual = names(await containingLive(db, 1, P("10.1.2.0/24")));
  out.containingReleased = names(await containingLive(db, 1, P("10.1.2.33/32")));
  out.containingPools = names(
    await containingLive(db, 1, P("10.1.2.5/32"), inArray(prefixes.kind, ["pool"])),
  );
  out.containingBlue = names(await containingLive(db, blue.id, P("10.1.2.5/32")));
  out.containingV6 = names(await containingLive(db, 1, P("2001:db8:1::1/128")));
  out.containingNone = names(await containingLive(db, 1, P("192.168.0.0/16")));
  out.within = names(await withinLive(db, 1, P("10.0.0.0/8"), 100));
  out.withinLimit = names(await withinLive(db, 1, P("10.0.0.0/8"), 3));
  out.withinWeb = names(await withinLive(db, 1, P("10.1.2.0/24"), 100));
  out.withinAllocations = names(
    await withinLive(db, 1, P("10.0.0.0/8"), 100, inArray(prefixes.kind, ["allocation"])),
  );
  out.withinV6 = names(await withinLive(db, 1, P("2000::/3"), 100));
  out.topLevel = names(await topLevelWithinLive(db, 1, P("0.0.0.0/0"), 100));
  out.topLevelLimit = names(await topLevelWithinLive(db, 1, P("0.0.0.0/0"), 1));
  out.children = names(await liveChildren(db, web.id));
  out.childrenRoot = names(await liveChildren(db, root.id));
  out.childrenNone = names(await liveChildren(db, a1.id));
  out.count = await countLiveChildren(db, web.id);
  out.countMid = await countLiveChildren(db, mid.id);
  out.countNone = await countLiveChildren(db, other.id);
  out.histogram = (await childLengthHistogram(db, web.id)).sort(
    (a, b) => a.kind.localeCompare(b.kind) || a.prefixLen - b.prefixLen,
  );
  out.ranges = (await liveChildRanges(db, web.id)).map((r) => formatPrefix(r.prefix));
  out.allScopes = (await containingLiveInAllScopes(db, P("10.1.2.7/32"))).map((r) => [
    r.scopeId === 1 ? "default" : "blue",
    r.name ?? r.cidr,
  ]);
  out.allScopesV6 = names(await containingLiveInAllScopes(db, P("2001:db8:1::/64")));
  return out;
}

describe.skipIf(!availability.available)("prefix rows on both backends", () => {
  let both: BothBackends;
  beforeAll(async () => {
    both = await bothBackends(availability.bin!);
  }, 60_000);
  afterAll(async () => {
    await both?.stop();
  });

  it("answer the same on SQLite and PostgreSQL", async () => {
    const { sqlite, pg } = await both.run(exercise);
    expect(sqlite).toEqual({
      defaults: {
        tags: "{}",
        description: null,
        accountId: null,
        releasedAt: null,
        createdAt: true,
        cidr: "10.1.2.0/28",
      },
      byId: { name: "web", parent: true, kind: "pool" },
      byIdMissing: undefined,
      byIds: ["a1", "root", "v6"],
      byIdsNone: [],
      containing: ["root", "mid", "web", "a1"],
      containingEqual: ["root", "mid", "web"],
      containingReleased: ["root", "mid", "web"],
      containingPools: ["root", "mid", "web"],
      containingBlue: ["blue-root", "blue-a"],
      containingV6: ["v6", "v6a"],
      containingNone: [],
      within: ["root", "mid", "web", "a1", "a2", "10.1.2.128/25", "a3", "other"],
      withinLimit: ["root", "mid", "web"],
      withinWeb: ["web", "a1", "a2", "10.1.2.128/25"],
      withinAllocations: ["a1", "a2", "a3"],
      withinV6: ["v6", "v6a"],
      topLevel: ["root", "top2"],
      topLevelLimit: ["root"],
      children: ["a1", "a2", "10.1.2.128/25"],
      childrenRoot: ["mid", "other"],
      childrenNone: [],
      count: { pools: 0, allocations: 2, reservations: 1 },
      countMid: { pools: 1, allocations: 1, reservations: 0 },
      countNone: { pools: 0, allocations: 0, reservations: 0 },
      histogram: [
        { kind: "allocation", prefixLen: 28, n: 2 },
        { kind: "reservation", prefixLen: 25, n: 1 },
      ],
      ranges: ["10.1.2.0/28", "10.1.2.16/28", "10.1.2.128/25"],
      allScopes: [
        ["default", "root"],
        ["default", "mid"],
        ["default", "web"],
        ["default", "a1"],
        ["blue", "blue-root"],
        ["blue", "blue-a"],
      ],
      allScopesV6: ["v6", "v6a"],
    });
    expect(pg).toEqual(sqlite);
  });
});
