/**
 * CSV export and import (src/domain/csv.ts over src/db/csv.ts) answer the same on SQLite and PostgreSQL:
 * - the same data written through the domain functions exports byte-for-byte the same files on both, for every
 *   kind and with the analytics filters (provider, pool, within, status, region);
 * - an export is one snapshot: rows committed after it started are not in it (SQLite: the read-only
 *   connection's read transaction; PostgreSQL: REPEATABLE READ READ ONLY with a server-side cursor), and an
 *   export returned early gives its connection back;
 * - import (savepoints of one write transaction: nestedStore) round-trips an export into an empty database of
 *   the other backend, and one bad row rolls the whole import back.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "csv-stringify/sync";
import { postgresAvailability } from "../helpers/postgres.js";
import { bothBackends, type BothBackends } from "../helpers/both-backends.js";
import { openStore, type Store } from "../../src/db/store.js";
import { pgSeam, type PgStore } from "../../src/db/store.pg.js";
import { EXPORT_FETCH_ROWS } from "../../src/db/csv.js";
import { createAccount } from "../../src/domain/accounts.js";
import { allocate, releaseAllocation } from "../../src/domain/allocations.js";
import { exportCsv, importCsv, type CsvKind } from "../../src/domain/csv.js";
import { createPool } from "../../src/domain/pools.js";
import { SYSTEM_ACTOR } from "../../src/domain/roles.js";
import type { AnalyticsFilter } from "../../src/domain/analytics.js";

const availability = postgresAvailability();
const caller = { actor: SYSTEM_ACTOR };

/** Accounts, nested pools and allocations (one released), the same on every store. */
async function populate(store: Store) {
  const aws = await createAccount(store, caller, {
    key: "aws:111111111111",
    name: "Prod",
    tier: "PRD",
    regions: ["us-east-1", "eu-west-1"],
  });
  const gcp = await createAccount(store, caller, { key: "gcp:dev-project", name: "dev", tier: "DEV" });
  const top = await createPool(store, caller, { cidr: "10.0.0.0/8", name: "Top", tags: { team: "=net" } });
  const child = await createPool(store, caller, {
    parentId: top.id,
    cidr: "10.1.0.0/16",
    name: "child",
    accountId: aws.id,
    rules: { defaultChildPrefixLength: 24, allowedTiers: ["PRD", "DEV"] },
  });
  await createPool(store, caller, { cidr: "2001:db8::/32", name: "v6" });
  for (let i = 0; i < 5; i++)
    await allocate(store, caller, { poolId: child.id, accountId: i % 2 ? gcp.id : aws.id, name: `a${i}` });
  const released = await allocate(store, caller, {
    poolId: top.id,
    cidr: "10.200.0.0/24",
    accountId: gcp.id,
  });
  await releaseAllocation(store, caller, released.id);
  return { child: child.id };
}

/** The whole export as CSV text (what the HTTP route writes). */
async function text(store: Store, kind: CsvKind, filter: AnalyticsFilter = {}): Promise<string> {
  const csv = await exportCsv(store, kind, filter);
  const rows: unknown[][] = [csv.header];
  for await (const r of csv.rows) rows.push(r);
  return stringify(rows);
}

/** Times drop out of a comparison across databases written at different moments. */
const timeless = (csv: string) => csv.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, "T");

describe.skipIf(!availability.available)("CSV export and import on both backends", () => {
  let both: BothBackends;
  let dir: string;
  let sqlite: Store;
  let pgStore: PgStore;
  let pg: Store;
  let child: number;
  beforeAll(async () => {
    both = await bothBackends(availability.bin!);
    dir = mkdtempSync(join(tmpdir(), "cloudpam-csv-db-"));
    sqlite = openStore({ dsn: join(dir, "a.db") });
    pgStore = await both.pgStore();
    pg = pgSeam(pgStore);
    child = (await populate(sqlite)).child;
    expect((await populate(pg)).child).toBe(child);
  }, 120_000);
  afterAll(async () => {
    await sqlite?.close();
    await both?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const FILTERS: [string, AnalyticsFilter][] = [
    ["everything", {}],
    ["AWS only", { providers: ["AWS"] }],
    ["one pool", { poolIds: [2] }],
    ["within 10.1.0.0/16", { within: "10.1.0.0/16" }],
    ["released", { statuses: ["RELEASED"] }],
    ["region eu-west-1", { regions: ["eu-west-1"] }],
  ];
  for (const kind of ["accounts", "pools", "allocations"] as const)
    for (const [name, filter] of FILTERS)
      it(`${kind}, ${name}: the same file on SQLite and PostgreSQL`, async () => {
        const a = await text(sqlite, kind, filter);
        const b = await text(pg, kind, filter);
        expect(timeless(b)).toBe(timeless(a));
        if (name === "everything") expect(a.split("\n").length).toBeGreaterThan(3);
      });

  it("an export is one snapshot: rows committed after it started are not in it", async () => {
    for (const store of [sqlite, pg]) {
      const csv = await exportCsv(store, "allocations", { statuses: ["ALLOCATED"] });
      const rows = csv.rows;
      const iterator: AsyncIterator<unknown[]> | Iterator<unknown[]> =
        Symbol.asyncIterator in rows ? rows[Symbol.asyncIterator]() : rows[Symbol.iterator]();
      const first = await iterator.next(); // the cursor is open (its snapshot taken)
      expect(first.done).toBe(false);
      const added = await allocate(store, caller, { poolId: child, accountId: 1, name: "after-start" });
      const rest: unknown[][] = [];
      for (let r = await iterator.next(); !r.done; r = await iterator.next()) rest.push(r.value);
      expect(rest.flat()).not.toContain("after-start");
      expect((await text(store, "allocations")).includes("after-start")).toBe(true);
      await releaseAllocation(store, caller, added.id);
    }
  });

  it("an export returned early gives its PostgreSQL connection back; a long one is read in FETCH pages", async () => {
    const idle = pgStore.pool.idleCount + pgStore.pool.waitingCount;
    for (let i = 0; i < 12; i++) {
      // More than the pool's 10 connections: each must be returned for the next to start.
      const csv = await exportCsv(pg, "pools", {});
      const it = (csv.rows as AsyncGenerator<unknown[]>)[Symbol.asyncIterator]();
      expect((await it.next()).done).toBe(false);
      await csv.rows.return();
    }
    expect(pgStore.pool.totalCount).toBeLessThanOrEqual(10);
    expect(pgStore.pool.waitingCount).toBe(0);
    expect(idle).toBeGreaterThanOrEqual(0);
    // More rows than one FETCH: every one arrives, in order.
    await pgStore.pool.query(
      `INSERT INTO accounts (key, provider, name) SELECT 'aws:' || lpad(i::text, 12, '0'), 'AWS', 'bulk ' || i
       FROM generate_series(100000, ${100000 + EXPORT_FETCH_ROWS * 2 + 6}) i`,
    );
    const csv = await text(pg, "accounts", { providers: ["AWS"] });
    const keys = csv
      .split("\n")
      .slice(1)
      .filter(Boolean)
      .map((l) => l.split(",")[0]);
    expect(keys).toHaveLength(EXPORT_FETCH_ROWS * 2 + 8);
    expect([...keys].sort()).toEqual(keys);
    await pgStore.pool.query("DELETE FROM accounts WHERE name LIKE 'bulk %'");
  });

  it("imports an export of one backend into an empty database of the other, and exports the same again", async () => {
    const url = await both.newDatabase();
    const target = pgSeam(await both.pgStore(url));
    const back = openStore({ dsn: join(dir, "b.db") });
    try {
      for (const [from, to] of [
        [sqlite, target],
        [pg, back],
      ] as const)
        for (const kind of ["accounts", "pools", "allocations"] as const) {
          const original = await text(from, kind);
          const r = await importCsv(to, caller, { kind, csv: original, dryRun: false });
          expect(r.errors).toEqual([]);
          expect(r.committed).toBe(true);
          expect(timeless(await text(to, kind))).toBe(timeless(original));
        }
    } finally {
      await back.close();
    }
  });

  it("one bad row rolls the whole import back on PostgreSQL (savepoints of one transaction)", async () => {
    const before = await text(pg, "pools");
    const csv = "cidr,name,parent\n10.2.0.0/16,ok,10.0.0.0/8\n10.3.0.0/16,bad,10.99.0.0/16\n";
    const r = await importCsv(pg, caller, { kind: "pools", csv, dryRun: false });
    expect(r.committed).toBe(false);
    expect(r.errors).toMatchObject([{ row: 3, field: "parent" }]);
    expect(await text(pg, "pools")).toBe(before);
    const dry = await importCsv(pg, caller, {
      kind: "pools",
      csv: csv.split("\n").slice(0, 2).join("\n"),
      dryRun: true,
    });
    expect(dry).toMatchObject({ errors: [], committed: false, created: 1 });
    expect(await text(pg, "pools")).toBe(before);
  });
});
