/**
 * Account rows (cloud accounts, GCP projects, Azure subscriptions, on-prem sites).
 * Await style, dialect-neutral (./README.md): the same code runs on SQLite and, through `asDb`, on PostgreSQL;
 * the two filters whose SQL functions differ (JSON array membership, substring) branch on `isPg`.
 * test/postgres/accounts-db.test.ts runs it on both.
 */
import { and, count, eq, inArray, isNull, sql, type AnyColumn, type SQL } from "drizzle-orm";
import { keysetOrder, keysetWhere, toPage, type Page, type ResolvedPage } from "./pagination.js";
import { accounts } from "./schema.js";
import { isPg } from "./dialect.js";
import { placeholder, preparedQuery } from "./prepared.js";
import type { Db } from "./store.js";

export type AccountRow = typeof accounts.$inferSelect;
export type NewAccountRow = typeof accounts.$inferInsert;

export interface AccountRowFilter {
  provider?: string | null;
  tier?: string | null;
  environment?: string | null;
  platform?: string | null;
  /** Accounts whose `regions` include this one. */
  region?: string | null;
  /** Case-insensitive substring of the key or the name. */
  search?: string | null;
  /** Deleted accounts too (auditors); by default they are left out. */
  includeDeleted?: boolean | null;
}

/** Not soft-deleted (issue #18): every lookup but restore's leaves deleted accounts out. */
const notDeleted = isNull(accounts.deletedAt);

export type AccountOrderField = "key" | "name" | "createdAt";

export async function insertAccount(db: Db, row: NewAccountRow): Promise<AccountRow> {
  const [inserted] = await db.insert(accounts).values(row).returning();
  return inserted!;
}

/** O(log n). On SQLite a statement prepared once per connection (the allocate hot path asks). */
export async function accountById(db: Db, id: number): Promise<AccountRow | undefined> {
  if (isPg(db))
    return (
      await db
        .select()
        .from(accounts)
        .where(and(eq(accounts.id, id), notDeleted))
        .limit(1)
    )[0];
  return preparedQuery<AccountRow>(db, "accountById", (d) =>
    d
      .select()
      .from(accounts)
      .where(and(eq(accounts.id, placeholder("id")), notDeleted)),
  ).get({ id });
}

export async function accountByKey(db: Db, key: string): Promise<AccountRow | undefined> {
  return (
    await db
      .select()
      .from(accounts)
      .where(and(eq(accounts.key, key), notDeleted))
      .limit(1)
  )[0];
}

export async function accountsByIds(db: Db, ids: readonly number[]): Promise<AccountRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(accounts)
    .where(and(notDeleted, inArray(accounts.id, [...ids])));
}

function filterWhere(db: Db, f: AccountRowFilter): SQL | undefined {
  const pg = isPg(db);
  // regions is a JSON array in a text column on both backends.
  const inRegions = (region: string) =>
    pg
      ? sql`(${accounts.regions})::jsonb @> jsonb_build_array(${region}::text)`
      : sql`EXISTS (SELECT 1 FROM json_each(${accounts.regions}) WHERE json_each.value = ${region})`;
  const contains = (col: AnyColumn, text: string) =>
    pg ? sql`strpos(lower(${col}), lower(${text})) > 0` : sql`instr(lower(${col}), lower(${text})) > 0`;
  return and(
    f.includeDeleted ? undefined : notDeleted,
    f.provider ? eq(accounts.provider, f.provider) : undefined,
    f.tier ? eq(accounts.tier, f.tier) : undefined,
    f.environment ? eq(accounts.environment, f.environment) : undefined,
    f.platform ? eq(accounts.platform, f.platform) : undefined,
    f.region ? inRegions(f.region) : undefined,
    f.search ? sql`(${contains(accounts.key, f.search)} OR ${contains(accounts.name, f.search)})` : undefined,
  );
}

const ORDER_COLUMNS = { key: accounts.key, name: accounts.name, createdAt: accounts.createdAt } as const;

/** One keyset page of accounts. O(log n + page) when ordered by key or creation time (indexed). */
export async function accountsPage(
  db: Db,
  filter: AccountRowFilter,
  order: AccountOrderField,
  page: ResolvedPage,
): Promise<Page<AccountRow>> {
  const col = ORDER_COLUMNS[order];
  const rows = await db
    .select()
    .from(accounts)
    .where(and(filterWhere(db, filter), keysetWhere(page, col, accounts.id)))
    .orderBy(...keysetOrder(page, col, accounts.id))
    .limit(page.limit + 1);
  return toPage(page, rows, (r) => [r[order], r.id]);
}

/** The first `limit` accounts matching the filter, in key order (plan templates' account levels). O(matches). */
export async function accountsMatching(
  db: Db,
  filter: AccountRowFilter,
  limit: number,
): Promise<AccountRow[]> {
  return db
    .select()
    .from(accounts)
    .where(filterWhere(db, filter))
    .orderBy(accounts.key, accounts.id)
    .limit(limit);
}

export async function countAccounts(db: Db, filter: AccountRowFilter): Promise<number> {
  return (await db.select({ n: count() }).from(accounts).where(filterWhere(db, filter)))[0]?.n ?? 0;
}

export async function updateAccountRow(db: Db, id: number, set: Partial<NewAccountRow>): Promise<AccountRow> {
  const [row] = await db
    .update(accounts)
    .set({ ...set, updatedAt: new Date().toISOString() })
    .where(eq(accounts.id, id))
    .returning();
  return row!;
}
