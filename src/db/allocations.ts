/**
 * Queries for allocations and reservations (rows of `prefixes` with kind "allocation" / "reservation"),
 * their idempotency keys, and the accounts they are made for. Lists are keyset pages in address order
 * on (parent_id | account_id, kind, range_start), so a page costs O(log n + page) at any list size.
 *
 * Await style on both backends; the hot-path lookups keep their SQLite prepared statements (./prepared.ts)
 * and are plain queries on PostgreSQL.
 */
import { and, count, eq, inArray, isNotNull, isNull, type SQL } from "drizzle-orm";
import { isPg } from "./dialect.js";
import { placeholder, preparedInsert, preparedQuery } from "./prepared.js";
import { accounts, idempotencyKeys, prefixes } from "./schema.js";
import { keysetOrder, keysetWhere, toPage, type Page, type ResolvedPage } from "./pagination.js";
import type { PrefixRow } from "./prefixes.js";
import type { Db } from "./store.js";

export type IdempotencyKeyRow = typeof idempotencyKeys.$inferSelect;

/** What an allocation needs to know about its account: who it is and its tier (for pool rules). */
export interface AccountSummary {
  id: number;
  key: string;
  name: string;
  tier: string | null;
}

export async function accountSummary(db: Db, id: number): Promise<AccountSummary | undefined> {
  const columns = { id: accounts.id, key: accounts.key, name: accounts.name, tier: accounts.tier };
  const live = isNull(accounts.deletedAt);
  if (isPg(db))
    return (
      await db
        .select(columns)
        .from(accounts)
        .where(and(eq(accounts.id, id), live))
        .limit(1)
    )[0];
  return preparedQuery<AccountSummary>(db, "accountSummary", (d) =>
    d
      .select(columns)
      .from(accounts)
      .where(and(eq(accounts.id, placeholder("id")), live)),
  ).get({ id });
}

export async function idempotencyKeyRow(db: Db, key: string): Promise<IdempotencyKeyRow | undefined> {
  if (isPg(db))
    return (await db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key)).limit(1))[0];
  return preparedQuery<IdempotencyKeyRow>(db, "idempotencyKeyRow", (d) =>
    d
      .select()
      .from(idempotencyKeys)
      .where(eq(idempotencyKeys.key, placeholder("key"))),
  ).get({ key });
}

export async function insertIdempotencyKey(
  db: Db,
  row: { key: string; requestHash: string; allocationId: number },
): Promise<void> {
  if (isPg(db)) await db.insert(idempotencyKeys).values(row);
  else preparedInsert(db, idempotencyKeys, row, false);
}

/** Changes the given columns of one prefix row; returns the updated row. O(log n). */
export async function updatePrefixRow(db: Db, id: number, patch: Partial<PrefixRow>): Promise<PrefixRow> {
  const [row] = await db
    .update(prefixes)
    .set({ ...patch, updatedAt: new Date().toISOString() })
    .where(eq(prefixes.id, id))
    .returning();
  return row!;
}

export async function deletePrefixRow(db: Db, id: number): Promise<void> {
  await db.delete(prefixes).where(eq(prefixes.id, id));
}

/** Rows of one kind by id (any status; not deleted), for loaders. */
export async function prefixesOfKindByIds(
  db: Db,
  kind: PrefixRow["kind"],
  ids: readonly number[],
): Promise<PrefixRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(prefixes)
    .where(and(eq(prefixes.kind, kind), isNull(prefixes.deletedAt), inArray(prefixes.id, [...ids])));
}
/** Which prefixes a list shows: of one pool or one account, of one kind, optionally live/released only. */
export interface PrefixListFilter {
  kind: "allocation" | "reservation";
  poolId?: number;
  accountId?: number;
  /** true: live only (ALLOCATED); false: released only; undefined: both. */
  live?: boolean;
  /** Deleted rows too (auditors); by default they are left out. */
  includeDeleted?: boolean;
}

function listWhere(f: PrefixListFilter): SQL | undefined {
  return and(
    f.poolId !== undefined ? eq(prefixes.parentId, f.poolId) : undefined,
    f.accountId !== undefined ? eq(prefixes.accountId, f.accountId) : undefined,
    eq(prefixes.kind, f.kind),
    f.includeDeleted ? undefined : isNull(prefixes.deletedAt),
    f.live === undefined
      ? undefined
      : f.includeDeleted
        ? // A deleted row is released too: its status tells what it was.
          eq(prefixes.status, f.live ? "ALLOCATED" : "RELEASED")
        : f.live
          ? isNull(prefixes.releasedAt)
          : isNotNull(prefixes.releasedAt),
  );
}

/** One keyset page in address order (then id: a released and a live allocation may share a CIDR). */
export async function prefixListPage(
  db: Db,
  filter: PrefixListFilter,
  page: ResolvedPage,
): Promise<Page<PrefixRow>> {
  const rows = await db
    .select()
    .from(prefixes)
    .where(and(listWhere(filter), keysetWhere(page, prefixes.rangeStart, prefixes.id)))
    .orderBy(...keysetOrder(page, prefixes.rangeStart, prefixes.id))
    .limit(page.limit + 1);
  return toPage(page, rows, (r) => [r.rangeStart, r.id]);
}

export async function countPrefixList(db: Db, filter: PrefixListFilter): Promise<number> {
  return (await db.select({ n: count() }).from(prefixes).where(listWhere(filter)))[0]?.n ?? 0;
}
