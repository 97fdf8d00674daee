/**
 * Queries for allocations and reservations (rows of `prefixes` with kind "allocation" / "reservation"),
 * their idempotency keys, and the accounts they are made for. Lists are keyset pages in address order
 * on (parent_id | account_id, kind, range_start), so a page costs O(log n + page) at any list size.
 */
import { and, count, eq, inArray, isNotNull, isNull, type SQL } from "drizzle-orm";
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

export function accountSummary(db: Db, id: number): AccountSummary | undefined {
  return preparedQuery<AccountSummary>(db, "accountSummary", (d) =>
    d
      .select({ id: accounts.id, key: accounts.key, name: accounts.name, tier: accounts.tier })
      .from(accounts)
      .where(eq(accounts.id, placeholder("id"))),
  ).get({ id });
}

export function idempotencyKeyRow(db: Db, key: string): IdempotencyKeyRow | undefined {
  return preparedQuery<IdempotencyKeyRow>(db, "idempotencyKeyRow", (d) =>
    d
      .select()
      .from(idempotencyKeys)
      .where(eq(idempotencyKeys.key, placeholder("key"))),
  ).get({ key });
}

export function insertIdempotencyKey(
  db: Db,
  row: { key: string; requestHash: string; allocationId: number },
): void {
  preparedInsert(db, idempotencyKeys, row, false);
}

/** Changes the given columns of one prefix row; returns the updated row. O(log n). */
export function updatePrefixRow(db: Db, id: number, patch: Partial<PrefixRow>): PrefixRow {
  return db
    .update(prefixes)
    .set({ ...patch, updatedAt: new Date().toISOString() })
    .where(eq(prefixes.id, id))
    .returning()
    .get()!;
}

export function deletePrefixRow(db: Db, id: number): void {
  db.delete(prefixes).where(eq(prefixes.id, id)).run();
}

/** Rows of one kind by id (any status), for loaders. */
export function prefixesOfKindByIds(db: Db, kind: PrefixRow["kind"], ids: readonly number[]): PrefixRow[] {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(prefixes)
    .where(and(eq(prefixes.kind, kind), inArray(prefixes.id, [...ids])))
    .all();
}

/** Which prefixes a list shows: of one pool or one account, of one kind, optionally live/released only. */
export interface PrefixListFilter {
  kind: "allocation" | "reservation";
  poolId?: number;
  accountId?: number;
  /** true: live only (ALLOCATED); false: released only; undefined: both. */
  live?: boolean;
}

function listWhere(f: PrefixListFilter): SQL | undefined {
  return and(
    f.poolId !== undefined ? eq(prefixes.parentId, f.poolId) : undefined,
    f.accountId !== undefined ? eq(prefixes.accountId, f.accountId) : undefined,
    eq(prefixes.kind, f.kind),
    f.live === undefined ? undefined : f.live ? isNull(prefixes.releasedAt) : isNotNull(prefixes.releasedAt),
  );
}

/** One keyset page in address order (then id: a released and a live allocation may share a CIDR). */
export function prefixListPage(db: Db, filter: PrefixListFilter, page: ResolvedPage): Page<PrefixRow> {
  const rows = db
    .select()
    .from(prefixes)
    .where(and(listWhere(filter), keysetWhere(page, prefixes.rangeStart, prefixes.id)))
    .orderBy(...keysetOrder(page, prefixes.rangeStart, prefixes.id))
    .limit(page.limit + 1)
    .all();
  return toPage(page, rows, (r) => [r.rangeStart, r.id]);
}

export function countPrefixList(db: Db, filter: PrefixListFilter): number {
  return db.select({ n: count() }).from(prefixes).where(listWhere(filter)).get()?.n ?? 0;
}
