/**
 * One query code, two dialects: the SQLite-typed query builders of src/db (tables of schema.ts, range
 * predicates of prefixes.ts) written in `await` style give the same rows on SQLite and, through `asDb`, on
 * PostgreSQL (tables created by drizzle/pg/). This is what lets the query modules move to PostgreSQL by
 * awaiting their queries instead of being written twice; a drizzle upgrade that breaks it fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, asc, count, eq, gt, isNull, max } from "drizzle-orm";
import { postgresAvailability, startPostgres, type PgCluster } from "../helpers/postgres.js";
import { openStore, type Db, type Store } from "../../src/db/store.js";
import { asDb, lockPool, openPgStore, type PgStore } from "../../src/db/store.pg.js";
import { prefixes, scopes, webhooks } from "../../src/db/schema.js";
import {
  containsOrEqualWhere,
  overlapsWhere,
  rangeColumns,
  withinOrEqualWhere,
} from "../../src/db/prefixes.js";
import { parsePrefix } from "../../src/allocator/index.js";

const availability = postgresAvailability();

const POOLS = [
  "10.0.0.0/8",
  "10.1.0.0/16",
  "10.1.2.0/24",
  "10.2.0.0/16",
  "192.168.0.0/16",
  "2001:db8::/32",
  "2001:db8:1::/48",
];

/** The same async query code, run on either backend. */
async function exercise(db: Db) {
  const out: Record<string, unknown> = {};
  const [scope] = await db.select().from(scopes).where(eq(scopes.isDefault, true));
  out.scope = { name: scope!.name, isDefault: scope!.isDefault };
  const ids: number[] = [];
  for (const cidr of POOLS) {
    const [row] = await db
      .insert(prefixes)
      .values({
        kind: "pool",
        scopeId: scope!.id,
        status: "ACTIVE",
        name: cidr,
        ...rangeColumns(parsePrefix(cidr)),
      })
      .returning();
    ids.push(row!.id);
  }
  const names = (rows: { name: string | null }[]) => rows.map((r) => r.name);
  const order = [asc(prefixes.family), asc(prefixes.rangeStart), asc(prefixes.prefixLen)];
  out.within10 = names(
    await db
      .select()
      .from(prefixes)
      .where(withinOrEqualWhere(parsePrefix("10.0.0.0/8")))
      .orderBy(...order),
  );
  out.contains = names(
    await db
      .select()
      .from(prefixes)
      .where(containsOrEqualWhere(parsePrefix("10.1.2.3/32")))
      .orderBy(...order),
  );
  out.overlaps = names(
    await db
      .select()
      .from(prefixes)
      .where(overlapsWhere(parsePrefix("10.0.0.0/15")))
      .orderBy(...order),
  );
  out.withinV6 = names(
    await db
      .select()
      .from(prefixes)
      .where(and(withinOrEqualWhere(parsePrefix("2001:db8::/32")), gt(prefixes.prefixLen, 32)))
      .orderBy(...order),
  );
  const [agg] = await db
    .select({ n: count(), top: max(prefixes.prefixLen) })
    .from(prefixes)
    .where(isNull(prefixes.releasedAt));
  out.agg = agg;
  const [updated] = await db
    .update(prefixes)
    .set({ releasedAt: "2026-01-01T00:00:00.000Z" })
    .where(eq(prefixes.id, ids[2]!))
    .returning();
  out.updated = { name: updated!.name, releasedAt: updated!.releasedAt };
  await db.insert(webhooks).values({ url: "http://127.0.0.1/h", secret: "s", active: false });
  const [hook] = await db
    .select({ active: webhooks.active, cursor: webhooks.cursor, types: webhooks.eventTypes })
    .from(webhooks);
  out.hook = hook;
  await db
    .insert(scopes)
    .values({ name: "blue" })
    .onConflictDoUpdate({ target: scopes.name, set: { description: "again" } });
  await db
    .insert(scopes)
    .values({ name: "blue" })
    .onConflictDoUpdate({ target: scopes.name, set: { description: "again" } });
  out.upsert = await db
    .select({ name: scopes.name, description: scopes.description })
    .from(scopes)
    .where(eq(scopes.name, "blue"));
  const [created] = await db.select({ at: prefixes.createdAt }).from(prefixes).limit(1);
  out.createdAtShape = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(created!.at);
  return out;
}

describe.skipIf(!availability.available)("dialect-neutral query code", () => {
  let cluster: PgCluster;
  let pgStore: PgStore;
  let sqlite: Store;
  let dir: string;
  beforeAll(async () => {
    cluster = await startPostgres({ bin: availability.bin! });
    pgStore = await openPgStore({ url: await cluster.createDatabase() });
    dir = mkdtempSync(join(tmpdir(), "cloudpam-neutral-"));
    sqlite = openStore({ dsn: join(dir, "a.db") });
  }, 60_000);
  afterAll(async () => {
    sqlite?.close();
    await pgStore?.close();
    await cluster?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives the same answers on SQLite and PostgreSQL", async () => {
    const onSqlite = await sqlite.write((db) => exercise(db));
    const onPg = await pgStore.write((tx) => exercise(asDb(tx)));
    expect(onSqlite.within10).toEqual(["10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24", "10.2.0.0/16"]);
    expect(onSqlite.contains).toEqual(["10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24"]);
    expect(onSqlite.createdAtShape).toBe(true);
    expect(onPg).toEqual(onSqlite);
  });

  it("lockPool takes the pool row in a PostgreSQL write", async () => {
    const id = await pgStore.write(async (tx) => {
      const [row] = await asDb(tx)
        .select({ id: prefixes.id })
        .from(prefixes)
        .where(eq(prefixes.kind, "pool"))
        .limit(1);
      return row!.id;
    });
    expect(await pgStore.write((tx) => lockPool(tx, id))).toBe(true);
    expect(await pgStore.write((tx) => lockPool(tx, 999_999))).toBe(false);
  });
});
