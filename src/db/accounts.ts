/** Account rows (cloud accounts, GCP projects, Azure subscriptions, on-prem sites). */
import { and, count, eq, inArray, sql, type SQL } from "drizzle-orm";
import { keysetOrder, keysetWhere, toPage, type Page, type ResolvedPage } from "./pagination.js";
import { accounts } from "./schema.js";
import { placeholder, preparedQuery } from "./prepared.js";
import type { Db } from "./store.js";

export type AccountRow = typeof accounts.$inferSelect;
export type NewAccountRow = typeof accounts.$inferInsert;

export interface AccountRowFilter {
  provider?: string | null;
  tier?: string | null;
  environment?: string | null;
  /** Accounts whose `regions` include this one. */
  region?: string | null;
  /** Case-insensitive substring of the key or the name. */
  search?: string | null;
}

export type AccountOrderField = "key" | "name" | "createdAt";

export function insertAccount(db: Db, row: NewAccountRow): AccountRow {
  return db.insert(accounts).values(row).returning().get();
}

export function accountById(db: Db, id: number): AccountRow | undefined {
  return preparedQuery<AccountRow>(db, "accountById", (d) =>
    d
      .select()
      .from(accounts)
      .where(eq(accounts.id, placeholder("id"))),
  ).get({ id });
}

export function accountByKey(db: Db, key: string): AccountRow | undefined {
  return db.select().from(accounts).where(eq(accounts.key, key)).get();
}

export function accountsByIds(db: Db, ids: readonly number[]): AccountRow[] {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(accounts)
    .where(inArray(accounts.id, [...ids]))
    .all();
}

function filterWhere(f: AccountRowFilter): SQL | undefined {
  return and(
    f.provider ? eq(accounts.provider, f.provider) : undefined,
    f.tier ? eq(accounts.tier, f.tier) : undefined,
    f.environment ? eq(accounts.environment, f.environment) : undefined,
    f.region
      ? sql`EXISTS (SELECT 1 FROM json_each(${accounts.regions}) WHERE json_each.value = ${f.region})`
      : undefined,
    f.search
      ? sql`(instr(lower(${accounts.key}), lower(${f.search})) > 0 OR instr(lower(${accounts.name}), lower(${f.search})) > 0)`
      : undefined,
  );
}

const ORDER_COLUMNS = { key: accounts.key, name: accounts.name, createdAt: accounts.createdAt } as const;

/** One keyset page of accounts. O(log n + page) when ordered by key or creation time (indexed). */
export function accountsPage(
  db: Db,
  filter: AccountRowFilter,
  order: AccountOrderField,
  page: ResolvedPage,
): Page<AccountRow> {
  const col = ORDER_COLUMNS[order];
  const rows = db
    .select()
    .from(accounts)
    .where(and(filterWhere(filter), keysetWhere(page, col, accounts.id)))
    .orderBy(...keysetOrder(page, col, accounts.id))
    .limit(page.limit + 1)
    .all();
  return toPage(page, rows, (r) => [r[order], r.id]);
}

export function countAccounts(db: Db, filter: AccountRowFilter): number {
  return db.select({ n: count() }).from(accounts).where(filterWhere(filter)).get()?.n ?? 0;
}

export function updateAccountRow(db: Db, id: number, set: Partial<NewAccountRow>): AccountRow {
  return db
    .update(accounts)
    .set({ ...set, updatedAt: new Date().toISOString() })
    .where(eq(accounts.id, id))
    .returning()
    .get();
}

export function deleteAccountRow(db: Db, id: number): void {
  db.delete(accounts).where(eq(accounts.id, id)).run();
}
