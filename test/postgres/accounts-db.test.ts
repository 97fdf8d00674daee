/**
 * src/db/accounts.ts in await style answers the same on SQLite and PostgreSQL: filters (provider, tier,
 * environment, region membership in the JSON regions, case-insensitive search in key or name), keyset pages
 * by key / name / creation time both ways, counts, updates and deletes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresAvailability } from "../helpers/postgres.js";
import { bothBackends, type BothBackends } from "../helpers/both-backends.js";
import type { Db } from "../../src/db/store.js";
import { resolvePage } from "../../src/db/pagination.js";
import {
  accountById,
  accountByKey,
  accountsByIds,
  accountsPage,
  countAccounts,
  insertAccount,
  updateAccountRow,
  type AccountOrderField,
  type AccountRowFilter,
} from "../../src/db/accounts.js";
import { insertDeletion, markAccountDeleted } from "../../src/db/deletions.js";

const availability = postgresAvailability();
const T = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

const ACCOUNTS = [
  {
    key: "aws:000000000003",
    name: "Payments Prod",
    tier: "PRD",
    env: "prod",
    regions: ["us-east-1", "eu-west-1"],
  },
  { key: "aws:000000000001", name: "payments dev", tier: "DEV", env: "dev", regions: ["us-east-1"] },
  { key: "gcp:analytics-42", name: "Analytics", tier: "PRD", env: "prod", regions: ["europe-west4"] },
  { key: "onprem:dc-east", name: "DC East", tier: null, env: null, regions: [] },
  { key: "aws:000000000002", name: "Shared PAYMENTS", tier: "STG", env: "stage", regions: ["eu-west-1"] },
];

async function exercise(db: Db) {
  const ids: number[] = [];
  for (const [i, a] of ACCOUNTS.entries()) {
    const row = await insertAccount(db, {
      key: a.key,
      provider: a.key.split(":")[0]!.toUpperCase(),
      name: a.name,
      tier: a.tier,
      environment: a.env,
      regions: JSON.stringify(a.regions),
      createdAt: T(10 - i),
      updatedAt: T(10 - i),
    });
    ids.push(row.id);
  }
  const keys = (rows: { key: string }[]) => rows.map((r) => r.key);
  const page = async (
    filter: AccountRowFilter,
    order: AccountOrderField,
    first: number,
    descending = false,
  ) => {
    const p1 = await accountsPage(db, filter, order, resolvePage({ first }, 100, descending));
    const p2 = p1.hasNextPage
      ? await accountsPage(
          db,
          filter,
          order,
          resolvePage({ first: 100, after: p1.cursors.at(-1)! }, 100, descending),
        )
      : null;
    const back = await accountsPage(db, filter, order, resolvePage({ last: 2 }, 100, descending));
    return {
      first: keys(p1.items),
      next: p1.hasNextPage,
      rest: p2 ? keys(p2.items) : null,
      restPrev: p2?.hasPreviousPage ?? null,
      last2: keys(back.items),
      lastPrev: back.hasPreviousPage,
    };
  };
  const out = {
    byKey: await page({}, "key", 2),
    byNameDesc: await page({}, "name", 3, true),
    byCreated: await page({}, "createdAt", 2),
    aws: await page({ provider: "AWS" }, "key", 10),
    prd: keys((await accountsPage(db, { tier: "PRD" }, "key", resolvePage({ first: 10 }, 100))).items),
    prod: keys(
      (await accountsPage(db, { environment: "prod" }, "key", resolvePage({ first: 10 }, 100))).items,
    ),
    euWest1: keys(
      (await accountsPage(db, { region: "eu-west-1" }, "key", resolvePage({ first: 10 }, 100))).items,
    ),
    // A region that is a substring of another must not match.
    euWest: keys(
      (await accountsPage(db, { region: "eu-west" }, "key", resolvePage({ first: 10 }, 100))).items,
    ),
    search: keys(
      (await accountsPage(db, { search: "PayMents" }, "name", resolvePage({ first: 10 }, 100))).items,
    ),
    searchKey: keys(
      (await accountsPage(db, { search: "00002" }, "key", resolvePage({ first: 10 }, 100))).items,
    ),
    // LIKE wildcards are plain characters in a search.
    searchWildcard: await countAccounts(db, { search: "%" }),
    combined: await countAccounts(db, { provider: "AWS", region: "us-east-1", search: "prod" }),
    counts: [
      await countAccounts(db, {}),
      await countAccounts(db, { provider: "AWS" }),
      await countAccounts(db, { region: "nowhere" }),
    ],
    byId: (await accountById(db, ids[2]!))?.key,
    missing: (await accountById(db, 99_999)) ?? null,
    byKeyRow: (await accountByKey(db, "onprem:dc-east"))?.name,
    byIds: keys(await accountsByIds(db, [ids[4]!, ids[0]!, 99_999])).sort(),
    noIds: await accountsByIds(db, []),
  };
  const updated = await updateAccountRow(db, ids[3]!, { name: "DC East 2", tier: "PRD" });
  // A soft delete (issue #18): the row stays, every lookup and count leaves it out, and its key is free again.
  const deletion = await insertDeletion(db, {
    subjectType: "Account",
    subjectId: ids[1]!,
    deletedBy: "test",
    deletedAt: T(20),
  });
  await markAccountDeleted(db, ids[1]!, deletion);
  return {
    ...out,
    updated: { name: updated.name, tier: updated.tier, changed: updated.updatedAt > T(10) },
    afterDelete: await countAccounts(db, {}),
    deleted: (await accountById(db, ids[1]!)) ?? null,
    deletedByIds: (await accountsByIds(db, [ids[1]!])).length,
    withDeleted: await countAccounts(db, { includeDeleted: true }),
    keyFree: (await insertAccount(db, { key: ACCOUNTS[1]!.key, provider: "AWS", name: "again" })).name,
  };
}

describe.skipIf(!availability.available)("account rows on both backends", () => {
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
      byKey: {
        first: ["aws:000000000001", "aws:000000000002"],
        next: true,
        rest: ["aws:000000000003", "gcp:analytics-42", "onprem:dc-east"],
        restPrev: true,
        last2: ["gcp:analytics-42", "onprem:dc-east"],
        lastPrev: true,
      },
      // Names sort bytewise (upper case first) on both.
      // ("payments dev", "Shared PAYMENTS", "Payments Prod")
      byNameDesc: { first: ["aws:000000000001", "aws:000000000002", "aws:000000000003"], next: true },
      byCreated: { first: ["aws:000000000002", "onprem:dc-east"] },
      aws: { first: ["aws:000000000001", "aws:000000000002", "aws:000000000003"], next: false },
      prd: ["aws:000000000003", "gcp:analytics-42"],
      prod: ["aws:000000000003", "gcp:analytics-42"],
      euWest1: ["aws:000000000002", "aws:000000000003"],
      euWest: [],
      search: ["Payments Prod", "Shared PAYMENTS", "payments dev"].map(
        (n) => ACCOUNTS.find((a) => a.name === n)!.key,
      ),
      searchKey: ["aws:000000000002"],
      searchWildcard: 0,
      combined: 1,
      counts: [5, 3, 0],
      byId: "gcp:analytics-42",
      missing: null,
      byKeyRow: "DC East",
      byIds: ["aws:000000000002", "aws:000000000003"],
      noIds: [],
      updated: { name: "DC East 2", tier: "PRD", changed: true },
      afterDelete: 4,
      deleted: null,
      deletedByIds: 0,
      withDeleted: 5,
      keyFree: "again",
    });
    expect(pg).toEqual(sqlite);
  });
});
