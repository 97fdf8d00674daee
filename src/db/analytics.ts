/**
 * The analytics table: allocations and child pools of every pool, with their account, filtered and
 * ordered server-side, plus the aggregates behind the charts. One filter predicate serves the table,
 * the aggregates and the CSV export, so they always agree.
 *
 * CIDR containment is a range predicate on (family, range_start, range_end) (see src/db/prefixes.ts),
 * never string matching. Address counts are summed per (family, prefix length) in SQL and added up as
 * BigInt by the caller: an IPv6 sum overflows SQLite's 64-bit integers.
 *
 * Await style on both backends (test/postgres/pools-db.test.ts); the SQL that differs (JSON arrays, dates,
 * SQLite's `+column` that keeps the planner off an index) branches on `isPg(db)`.
 */
import {
  and,
  count,
  eq,
  gte,
  inArray,
  isNotNull,
  isNull,
  lt,
  or,
  sql,
  type AnyColumn,
  type SQL,
} from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Prefix } from "../allocator/index.js";
import {
  multiKeysetOrder,
  multiKeysetWhere,
  toKeysetPage,
  type Page,
  type ResolvedKeysetPage,
  type SortKey,
} from "./pagination.js";
import { isPg } from "./dialect.js";
import { withinOrEqualWhere, type PrefixRow } from "./prefixes.js";
import { accounts, prefixes, scopes } from "./schema.js";
import type { Db } from "./store.js";

/** Which accounts: every list is optional; values within one list are alternatives (OR). */
export interface AccountColumnsFilter {
  providers?: readonly string[] | null;
  platforms?: readonly string[] | null;
  tiers?: readonly string[] | null;
  environments?: readonly string[] | null;
  /** Accounts that operate in any of these regions. */
  regions?: readonly string[] | null;
}

/** Which prefix rows: every list is optional; values within one list are alternatives (OR). */
export interface PrefixRowFilter extends AccountColumnsFilter {
  kinds?: readonly ("pool" | "allocation")[] | null;
  /** Pools only with a parent (the analytics table lists what was carved from pools). */
  childPoolsOnly?: boolean;
  /**
   * Test the kind without its index (`+kind`), so that a full scan follows the range index in address
   * order instead of sorting every row (CSV export).
   */
  kindUnindexed?: boolean;
  accountIds?: readonly number[] | null;
  /** Direct parent pool. */
  poolIds?: readonly number[] | null;
  scopeIds?: readonly number[] | null;
  statuses?: readonly string[] | null;
  /** Inside or equal to this prefix (range predicate). */
  within?: Prefix | null;
  /** ISO-8601 UTC bounds on created_at: [createdFrom, createdBefore). */
  createdFrom?: string | null;
  createdBefore?: string | null;
}

export const parentPool = alias(prefixes, "parent_pool");

/**
 * What to LEFT JOIN for `parentPool`'s columns: the alias itself on SQLite. Drizzle's pg dialect renders a
 * SQLite-core alias as its bare name (it only expands aliases of its own tables), so on PostgreSQL the join is
 * spelled out: `"prefixes" "parent_pool"`. Columns of `parentPool` render as "parent_pool"."…" on both.
 */
export function parentPoolJoin(db: Db): typeof parentPool {
  return isPg(db) ? (sql`${prefixes} "parent_pool"` as unknown as typeof parentPool) : parentPool;
}

const nonEmpty = <T>(xs: readonly T[] | null | undefined): xs is readonly T[] => !!xs && xs.length > 0;

/** Whether the filter needs the accounts join. */
function needsAccount(f: PrefixRowFilter): boolean {
  return [f.providers, f.platforms, f.tiers, f.environments, f.regions].some(nonEmpty);
}

/** `accounts.regions` (a JSON array of strings) holds any of `regions`. */
function regionsWhere(db: Db, regions: readonly string[]): SQL {
  const list = sql.join(
    regions.map((r) => sql`${r}`),
    sql`, `,
  );
  return isPg(db)
    ? sql`EXISTS (SELECT 1 FROM jsonb_array_elements_text(${accounts.regions}::jsonb) AS region(value) WHERE region.value IN (${list}))`
    : sql`EXISTS (SELECT 1 FROM json_each(${accounts.regions}) WHERE json_each.value IN (${list}))`;
}

/** The predicates on the account's columns (usable on `accounts` alone, or joined). */
export function accountFilterWhere(db: Db, f: AccountColumnsFilter): SQL | undefined {
  return and(
    nonEmpty(f.providers) ? inArray(accounts.provider, [...f.providers]) : undefined,
    nonEmpty(f.platforms) ? inArray(accounts.platform, [...f.platforms]) : undefined,
    nonEmpty(f.tiers) ? inArray(accounts.tier, [...f.tiers]) : undefined,
    nonEmpty(f.environments) ? inArray(accounts.environment, [...f.environments]) : undefined,
    nonEmpty(f.regions) ? regionsWhere(db, f.regions) : undefined,
  );
}

/** The WHERE of a filter over `prefixes` LEFT JOIN `accounts` (the join is needed when `needsAccount`). */
export function prefixFilterWhere(db: Db, f: PrefixRowFilter): SQL | undefined {
  const kinds = nonEmpty(f.kinds) ? f.kinds : (["pool", "allocation"] as const);
  // `kindUnindexed` is a SQLite planner hint; PostgreSQL's planner chooses from statistics.
  const kindIs = (k: "pool" | "allocation") =>
    f.kindUnindexed && !isPg(db) ? sql`+${prefixes.kind} = ${k}` : eq(prefixes.kind, k);
  const kindWhere = or(
    ...kinds.map((k) =>
      k === "pool"
        ? and(kindIs("pool"), f.childPoolsOnly ? isNotNull(prefixes.parentId) : undefined)
        : kindIs("allocation"),
    ),
  );
  return and(
    kindWhere,
    // Soft-deleted rows (issue #18) are in no table, aggregate or export.
    isNull(prefixes.deletedAt),
    nonEmpty(f.accountIds) ? inArray(prefixes.accountId, [...f.accountIds]) : undefined,
    accountFilterWhere(db, f),
    nonEmpty(f.poolIds) ? inArray(prefixes.parentId, [...f.poolIds]) : undefined,
    nonEmpty(f.scopeIds) ? inArray(prefixes.scopeId, [...f.scopeIds]) : undefined,
    nonEmpty(f.statuses) ? inArray(prefixes.status, [...f.statuses]) : undefined,
    f.within ? withinOrEqualWhere(f.within) : undefined,
    f.createdFrom ? gte(prefixes.createdAt, f.createdFrom) : undefined,
    f.createdBefore ? lt(prefixes.createdAt, f.createdBefore) : undefined,
  );
}

// ---------------------------------------------------------------------------------------------------
// The table.

export type BlockOrderField =
  | "network"
  | "account"
  | "provider"
  | "platform"
  | "tier"
  | "environment"
  | "pool"
  | "scope"
  | "name"
  | "status"
  | "kind"
  | "createdAt";

export interface BlockOrder {
  field: BlockOrderField;
  descending: boolean;
}

/** An integer-valued sort expression: its cursor value stays a number. */
const int = (expr: SQL) => Object.assign(expr, { integer: true });
const isInteger = (expr: SQL | AnyColumn) => (expr as { integer?: boolean }).integer === true;
/** A key sorted against its field's direction (range_end: the longer range first at equal starts). */
const reversed = (expr: SQL) => Object.assign(expr, { reversed: true });
const isReversed = (expr: SQL | AnyColumn) => (expr as { reversed?: boolean }).reversed === true;

/** The non-null SQL expressions that one order field sorts by (NULLs sort as "" / -1, i.e. first). */
function orderExprs(field: BlockOrderField): SQL[] {
  const text = (c: SQL | AnyColumn) => sql`coalesce(${c}, '')`;
  switch (field) {
    case "network":
      // The (scope_id, family, range_start, range_end) index order: pages walk the index, no full sort.
      return [
        int(sql`${prefixes.scopeId}`),
        int(sql`${prefixes.family}`),
        sql`${prefixes.rangeStart}`,
        reversed(sql`${prefixes.rangeEnd}`),
      ];
    case "account":
      return [text(accounts.key)];
    case "provider":
      return [text(accounts.provider)];
    case "platform":
      return [text(sql`${accounts.platform}`)];
    case "tier":
      return [text(sql`${accounts.tier}`)];
    case "environment":
      return [text(sql`${accounts.environment}`)];
    case "pool":
      return [
        int(sql`${prefixes.family}`),
        text(sql`${parentPool.rangeStart}`),
        int(sql`coalesce(${parentPool.prefixLen}, -1)`),
        int(sql`coalesce(${prefixes.parentId}, 0)`),
      ];
    case "scope":
      return [sql`(SELECT ${scopes.name} FROM ${scopes} WHERE ${scopes.id} = ${prefixes.scopeId})`];
    case "name":
      return [text(sql`${prefixes.name}`)];
    case "status":
      return [sql`${prefixes.status}`];
    case "kind":
      return [sql`${prefixes.kind}`];
    case "createdAt":
      return [sql`${prefixes.createdAt}`];
  }
}

/** The sort keys of an ordering and how many values each row's cursor carries. */
export function sortKeys(order: readonly BlockOrder[]): SortKey[] {
  return order.flatMap((o) =>
    orderExprs(o.field).map((expr) => ({ expr, descending: o.descending !== isReversed(expr) })),
  );
}

/** A stable name of an ordering, stored in cursors so a cursor of another order is refused. */
export function orderSignature(order: readonly BlockOrder[]): string {
  return order.map((o) => `${o.field}:${o.descending ? "desc" : "asc"}`).join(",");
}

/**
 * One keyset page of the table. Cost: the filter's index scan (or a scan of the prefix table when the
 * filter is selective only on account columns) plus a sort when the order does not follow an index.
 */
export async function blocksPage(
  db: Db,
  filter: PrefixRowFilter,
  order: readonly BlockOrder[],
  page: ResolvedKeysetPage,
): Promise<Page<PrefixRow>> {
  const keys = sortKeys(order);
  const signature = orderSignature(order);
  const keyFields = Object.fromEntries(keys.map((k, i) => [`k${i}`, sql`${k.expr}`]));
  const rows = (await db
    .select({ row: prefixes, ...keyFields })
    .from(prefixes)
    .leftJoin(accounts, eq(accounts.id, prefixes.accountId))
    .leftJoin(parentPoolJoin(db), eq(parentPool.id, prefixes.parentId))
    // In network order the range index gives the order: keep the planner off the kind index.
    .where(
      and(
        prefixFilterWhere(db, { ...filter, kindUnindexed: order[0]?.field === "network" }),
        multiKeysetWhere(page, keys, prefixes.id),
      ),
    )
    .orderBy(...multiKeysetOrder(page, keys, prefixes.id))
    .limit(page.limit + 1)) as ({ row: PrefixRow } & Record<string, unknown>)[];
  const integer = keys.map((k) => isInteger(k.expr));
  const result = toKeysetPage(page, signature, rows, (r) => [
    ...keys.map((_, i) => (integer[i] ? Number(r[`k${i}`]) : String(r[`k${i}`]))),
    r.row.id,
  ]);
  return { ...result, items: result.items.map((r) => r.row) };
}

export async function countBlocks(db: Db, filter: PrefixRowFilter): Promise<number> {
  const q = db.select({ n: count() }).from(prefixes);
  const joined = needsAccount(filter) ? q.leftJoin(accounts, eq(accounts.id, prefixes.accountId)) : q;
  return (await joined.where(prefixFilterWhere(db, filter)))[0]?.n ?? 0;
}

// ---------------------------------------------------------------------------------------------------
// Aggregates (allocations only: pools hold allocations, so summing both would count space twice).

/** Allocation count per (group, family, prefix length): the caller sums address counts as BigInt. */
export interface LengthHistogramRow {
  groupId: number | null;
  family: number;
  prefixLen: number;
  n: number;
}

function allocationFilter(f: PrefixRowFilter): PrefixRowFilter {
  return { ...f, kinds: ["allocation"] };
}

async function histogram(
  db: Db,
  filter: PrefixRowFilter,
  group: typeof prefixes.parentId | typeof prefixes.accountId,
): Promise<LengthHistogramRow[]> {
  const q = db
    .select({ groupId: group, family: prefixes.family, prefixLen: prefixes.prefixLen, n: count() })
    .from(prefixes);
  const f = allocationFilter(filter);
  const joined = needsAccount(f) ? q.leftJoin(accounts, eq(accounts.id, prefixes.accountId)) : q;
  return joined.where(prefixFilterWhere(db, f)).groupBy(group, prefixes.family, prefixes.prefixLen);
}

/** Allocations per parent pool. One grouped scan. */
export function allocationsByPoolHistogram(db: Db, filter: PrefixRowFilter): Promise<LengthHistogramRow[]> {
  return histogram(db, filter, prefixes.parentId);
}

/** Allocations per account (null = no account). One grouped scan. */
export function allocationsByAccountHistogram(
  db: Db,
  filter: PrefixRowFilter,
): Promise<LengthHistogramRow[]> {
  return histogram(db, filter, prefixes.accountId);
}

export type Interval = "day" | "week";

/**
 * Allocations created per UTC day, or per ISO week (labelled by its Monday), oldest first.
 * One grouped scan.
 */
export async function allocationsCreatedPer(
  db: Db,
  filter: PrefixRowFilter,
  interval: Interval,
): Promise<{ period: string; n: number }[]> {
  // created_at is ISO-8601 UTC text: its first 10 characters are the UTC day. The week is labelled by its
  // Monday (SQLite: the Monday on or before the day; PostgreSQL: date_trunc('week'), ISO weeks).
  const period =
    interval === "day"
      ? sql<string>`substr(${prefixes.createdAt}, 1, 10)`
      : isPg(db)
        ? sql<string>`to_char(date_trunc('week', CAST(substr(${prefixes.createdAt}, 1, 10) AS date)), 'YYYY-MM-DD')`
        : sql<string>`date(substr(${prefixes.createdAt}, 1, 10), '-6 days', 'weekday 1')`;
  const f = allocationFilter(filter);
  const q = db.select({ period, n: count() }).from(prefixes);
  const joined = needsAccount(f) ? q.leftJoin(accounts, eq(accounts.id, prefixes.accountId)) : q;
  return joined.where(prefixFilterWhere(db, f)).groupBy(period).orderBy(period);
}
