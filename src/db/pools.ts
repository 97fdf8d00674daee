/**
 * Pool queries: filtered keyset pages over the `prefixes` table (kind = 'pool'), and the subtree
 * operations of deletes. Containment filters are range predicates on the indexed columns (see
 * src/db/prefixes.ts); network order is (family, range_start, prefix_len, id), which follows the
 * `(scope_id, family, range_start, …)` index inside one scope.
 *
 * Await style, dialect-neutral (the same calls run on SQLite and, through `asDb`, on PostgreSQL:
 * test/postgres/pools-db.test.ts); the one SQL function that differs (substring search) branches on `isPg`.
 */
import {
  and,
  asc,
  count,
  desc,
  eq,
  gt,
  inArray,
  isNotNull,
  isNull,
  lt,
  lte,
  or,
  sql,
  type SQL,
} from "drizzle-orm";
import { encodeAddress, prefixLast, type Prefix } from "../allocator/index.js";
import { Invalid } from "../errors.js";
import { isPg, pgHandle } from "./dialect.js";
import { encodeCursor, type Page, type ResolvedPage } from "./pagination.js";
import {
  containsOrEqualWhere,
  equalsWhere,
  isLive,
  overlapsWhere,
  rowPrefix,
  withinOrEqualWhere,
  type PrefixRow,
} from "./prefixes.js";
import { prefixes } from "./schema.js";
import type { Db } from "./store.js";
import { lockPool } from "./store.pg.js";

export type PoolOrderField = "network" | "name" | "createdAt";

export interface PoolRowFilter {
  scopeId?: number | null;
  parentId?: number | null;
  /** Only top-level pools (no parent). */
  rootsOnly?: boolean | null;
  accountId?: number | null;
  statuses?: readonly string[] | null;
  family?: 4 | 6 | null;
  /** Case-insensitive substring of the name. */
  search?: string | null;
  within?: Prefix | null;
  withinOrEqual?: Prefix | null;
  contains?: Prefix | null;
  containsOrEqual?: Prefix | null;
  overlaps?: Prefix | null;
  equals?: Prefix | null;
  /** Deleted pools too (auditors); by default they are left out. */
  includeDeleted?: boolean | null;
}

const isPool = eq(prefixes.kind, "pool");
/** Not soft-deleted (issue #18; a deleted row is also released, so live filters need not say it). */
const notDeleted = isNull(prefixes.deletedAt);

/**
 * Locks the rows of these pools until the transaction ends, in ascending id order (so two writers locking
 * overlapping sets never deadlock): every allocation, reservation, release, resize, move and plan apply calls
 * it before it touches a pool's free blocks or children. PostgreSQL: `SELECT … FOR UPDATE` on each pool row,
 * so writes in one pool queue and writes in different pools run in parallel. SQLite: nothing (the write
 * transaction already holds the database's write lock).
 */
export async function lockPoolRows(db: Db, poolIds: Iterable<number | null | undefined>): Promise<void> {
  if (!isPg(db)) return;
  const ids = [...new Set([...poolIds].filter((id): id is number => id != null))].sort((a, b) => a - b);
  const tx = pgHandle(db);
  for (const id of ids) await lockPool(tx, id);
}

/**
 * Locks the rows of these scopes until the transaction ends, in ascending id order: the lock of a scope's top
 * level (no pool row stands above a top-level pool). Taken after any pool rows (the one lock order: pools, then
 * scopes). PostgreSQL: `SELECT … FOR UPDATE` on each scope row; SQLite: nothing (the write lock is held).
 */
export async function lockScopeRows(db: Db, scopeIds: Iterable<number>): Promise<void> {
  if (!isPg(db)) return;
  const tx = pgHandle(db);
  for (const id of [...new Set(scopeIds)].sort((a, b) => a - b))
    await tx.execute(sql`SELECT id FROM scopes WHERE id = ${id} FOR UPDATE`);
}

/** `lockPoolRows` for one pool. */
export function lockPoolRow(db: Db, poolId: number): Promise<void> {
  return lockPoolRows(db, [poolId]);
}

/** Case-insensitive substring test (SQLite `instr`, PostgreSQL `strpos`); no LIKE wildcards to escape. */
function nameContains(db: Db, search: string): SQL {
  return isPg(db)
    ? sql`strpos(lower(${prefixes.name}), lower(${search}::text)) > 0`
    : sql`instr(lower(${prefixes.name}), lower(${search})) > 0`;
}

function filterWhere(db: Db, f: PoolRowFilter): SQL | undefined {
  return and(
    isPool,
    f.includeDeleted ? undefined : notDeleted,
    f.scopeId != null ? eq(prefixes.scopeId, f.scopeId) : undefined,
    f.parentId != null ? eq(prefixes.parentId, f.parentId) : undefined,
    f.rootsOnly ? isNull(prefixes.parentId) : undefined,
    f.accountId != null ? eq(prefixes.accountId, f.accountId) : undefined,
    f.statuses?.length ? inArray(prefixes.status, [...f.statuses]) : undefined,
    f.family != null ? eq(prefixes.family, f.family) : undefined,
    f.search ? nameContains(db, f.search) : undefined,
    f.withinOrEqual ? withinOrEqualWhere(f.withinOrEqual) : undefined,
    f.within ? and(withinOrEqualWhere(f.within), gt(prefixes.prefixLen, f.within.length)) : undefined,
    f.containsOrEqual ? containsOrEqualWhere(f.containsOrEqual) : undefined,
    f.contains ? and(containsOrEqualWhere(f.contains), lt(prefixes.prefixLen, f.contains.length)) : undefined,
    f.overlaps ? overlapsWhere(f.overlaps) : undefined,
    f.equals ? equalsWhere(f.equals) : undefined,
  );
}

type NetworkKey = [family: number, rangeStart: string, prefixLen: number, id: number];

function networkKey(r: PrefixRow): NetworkKey {
  return [r.family, r.rangeStart, r.prefixLen, r.id];
}

function compareNetwork(a: NetworkKey, b: NetworkKey): number {
  return a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0) || a[2] - b[2] || a[3] - b[3];
}

function decodeNetworkCursor(page: ResolvedPage): NetworkKey | null {
  if (!page.cursor) return null;
  const [k, id] = page.cursor;
  const m = typeof k === "string" ? /^([46]):([0-9a-f]{32}):(\d{1,3})$/.exec(k) : null;
  if (!m) {
    const field = page.backward ? "before" : "after";
    throw new Invalid(field, `${field} is not a cursor of a pool list in network order`);
  }
  return [Number(m[1]), m[2]!, Number(m[3]), id];
}

/** Whether rows are read in ascending order for this page. */
const ascendingRead = (page: ResolvedPage) => page.backward === page.descending;

/**
 * `withFamily` false when every row has one family (children of one pool): the order then starts at
 * range_start, which the (parent_id, kind, range_start) index delivers without a sort.
 */
function networkWhere(page: ResolvedPage, withFamily: boolean): SQL | undefined {
  const key = decodeNetworkCursor(page);
  if (!key) return undefined;
  const row = withFamily
    ? sql`(${prefixes.family}, ${prefixes.rangeStart}, ${prefixes.prefixLen}, ${prefixes.id})`
    : sql`(${prefixes.rangeStart}, ${prefixes.prefixLen}, ${prefixes.id})`;
  const at = withFamily
    ? sql`(${key[0]}, ${key[1]}, ${key[2]}, ${key[3]})`
    : sql`(${key[1]}, ${key[2]}, ${key[3]})`;
  return ascendingRead(page) ? sql`${row} > ${at}` : sql`${row} < ${at}`;
}

function networkOrder(page: ResolvedPage, withFamily: boolean): SQL[] {
  const dir = ascendingRead(page) ? asc : desc;
  const rest = [dir(prefixes.rangeStart), dir(prefixes.prefixLen), dir(prefixes.id)];
  return withFamily ? [dir(prefixes.family), ...rest] : rest;
}

function finish(page: ResolvedPage, rows: PrefixRow[], keyOf: (r: PrefixRow) => [string | number, number]) {
  const more = rows.length > page.limit;
  const items = more ? rows.slice(0, page.limit) : rows;
  if (page.backward) items.reverse();
  const result: Page<PrefixRow> = {
    items,
    cursors: items.map((r) => encodeCursor(keyOf(r))),
    hasNextPage: page.backward ? page.hadCursor : more,
    hasPreviousPage: page.backward ? more : page.hadCursor,
  };
  return result;
}

const networkCursorKey = (r: PrefixRow): [string, number] => [
  `${r.family}:${r.rangeStart}:${r.prefixLen}`,
  r.id,
];

/**
 * One keyset page of pools. Network order in one scope (or under one parent) is an index walk,
 * O(log n + page); without a scope, each scope is walked and the pages merged (scopes are few).
 * Name order sorts the filtered rows (no name index on prefixes).
 */
export async function poolsPage(
  db: Db,
  filter: PoolRowFilter,
  order: PoolOrderField,
  page: ResolvedPage,
  scopeIds: () => number[] | Promise<number[]>,
): Promise<Page<PrefixRow>> {
  const where = filterWhere(db, filter);
  if (order === "network") {
    const withFamily = filter.parentId == null;
    const query = (scopeId?: number) =>
      db
        .select()
        .from(prefixes)
        .where(
          and(
            where,
            scopeId === undefined ? undefined : eq(prefixes.scopeId, scopeId),
            networkWhere(page, withFamily),
          ),
        )
        .orderBy(...networkOrder(page, withFamily))
        .limit(page.limit + 1);
    let rows: PrefixRow[];
    if (filter.scopeId != null || filter.parentId != null) rows = await query();
    else {
      const sign = ascendingRead(page) ? 1 : -1;
      const perScope: PrefixRow[][] = [];
      for (const id of await scopeIds()) perScope.push(await query(id));
      rows = perScope
        .flat()
        .sort((a, b) => sign * compareNetwork(networkKey(a), networkKey(b)))
        .slice(0, page.limit + 1);
    }
    return finish(page, rows, networkCursorKey);
  }
  const col = order === "name" ? prefixes.name : prefixes.createdAt;
  const cursor = page.cursor;
  const dir = ascendingRead(page) ? asc : desc;
  const keyset = cursor
    ? ascendingRead(page)
      ? sql`(${col}, ${prefixes.id}) > (${cursor[0]}, ${cursor[1]})`
      : sql`(${col}, ${prefixes.id}) < (${cursor[0]}, ${cursor[1]})`
    : undefined;
  const rows = await db
    .select()
    .from(prefixes)
    .where(and(where, keyset))
    .orderBy(dir(col), dir(prefixes.id))
    .limit(page.limit + 1);
  return finish(page, rows, (r) => [(order === "name" ? r.name : r.createdAt) ?? "", r.id]);
}

export async function countPools(db: Db, filter: PoolRowFilter): Promise<number> {
  return (await db.select({ n: count() }).from(prefixes).where(filterWhere(db, filter)))[0]?.n ?? 0;
}

/** Pools by id (other kinds are left out). */
export async function poolsByIds(db: Db, ids: readonly number[]): Promise<PrefixRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(prefixes)
    .where(and(isPool, notDeleted, inArray(prefixes.id, [...ids])));
}

/** Live ancestor pools of p in one scope including p itself if it is a pool, root first. O(length × log n). */
export async function poolPath(db: Db, pool: PrefixRow): Promise<PrefixRow[]> {
  return db
    .select()
    .from(prefixes)
    .where(and(eq(prefixes.scopeId, pool.scopeId), isPool, isLive, containsOrEqualWhere(rowPrefix(pool))))
    .orderBy(asc(prefixes.prefixLen), asc(prefixes.id));
}

export async function updatePrefixRow(
  db: Db,
  id: number,
  set: Partial<typeof prefixes.$inferInsert>,
): Promise<PrefixRow> {
  const [row] = await db
    .update(prefixes)
    .set({ ...set, updatedAt: new Date().toISOString() })
    .where(eq(prefixes.id, id))
    .returning();
  return row!;
}

/**
 * `id` and every row reached from it through parent_id (`liveOnly`: only through live rows), as a subquery of
 * ids. The seed is cast so that PostgreSQL types the recursive column as an integer (an untyped parameter
 * would make it text).
 */
function subtreeIds(id: number, liveOnly: boolean): SQL {
  const live = liveOnly ? sql` WHERE p.released_at IS NULL` : sql``;
  return sql`${prefixes.id} IN (WITH RECURSIVE sub(id) AS (SELECT CAST(${id} AS INTEGER) UNION ALL SELECT p.id FROM prefixes p JOIN sub ON p.parent_id = sub.id${live}) SELECT id FROM sub)`;
}

/**
 * Everything a pool delete removes: its live subtree (walked through the live-parent index) and the
 * released history of every pool in it (found by range inside the pool, then by parent), leaving out rows an
 * earlier delete already took.
 */
export async function poolSubtree(db: Db, pool: PrefixRow): Promise<PrefixRow[]> {
  const live = await db.select().from(prefixes).where(subtreeIds(pool.id, true));
  const poolIds = new Set(live.filter((r) => r.kind === "pool").map((r) => r.id));
  const released = (
    await db
      .select()
      .from(prefixes)
      .where(
        and(
          eq(prefixes.scopeId, pool.scopeId),
          withinOrEqualWhere(rowPrefix(pool)),
          isNotNull(prefixes.releasedAt),
          notDeleted,
        ),
      )
  ).filter((r) => r.parentId !== null && poolIds.has(r.parentId));
  return [...live, ...released];
}

/** Prefixes (live or released, not deleted) that belong to an account, by the account index. */
export async function prefixesOfAccount(db: Db, accountId: number): Promise<PrefixRow[]> {
  return db
    .select()
    .from(prefixes)
    .where(and(eq(prefixes.accountId, accountId), notDeleted));
}

/** Deletes rows leaves first (non-pools, then pools longest prefix first), in chunks under SQLite's variable limit. */
export async function deletePrefixRows(db: Db, rows: readonly PrefixRow[]): Promise<void> {
  const ordered = [...rows].sort(
    (a, b) => Number(a.kind === "pool") - Number(b.kind === "pool") || b.prefixLen - a.prefixLen,
  );
  for (let i = 0; i < ordered.length; i += 5000) {
    const ids = ordered.slice(i, i + 5000).map((r) => r.id);
    await db.delete(prefixes).where(inArray(prefixes.id, ids));
  }
}

/**
 * Live direct children of `parentId` (top-level prefixes of the scope when null) inside or equal to any of
 * `blocks`: what stands in the way of a pool growing over them (the grown blocks are disjoint from the pool,
 * so a range scan of each never reads the pool's own subtree). Address order; O(blocks × log n + limit).
 */
export async function directChildrenWithin(
  db: Db,
  scopeId: number,
  parentId: number | null,
  blocks: readonly Prefix[],
  limit: number,
): Promise<PrefixRow[]> {
  if (blocks.length === 0) return [];
  return db
    .select()
    .from(prefixes)
    .where(
      and(
        eq(prefixes.scopeId, scopeId),
        parentId === null ? isNull(prefixes.parentId) : eq(prefixes.parentId, parentId),
        isLive,
        or(...blocks.map(withinOrEqualWhere)),
      ),
    )
    .orderBy(asc(prefixes.rangeStart))
    .limit(limit);
}

/**
 * Live direct children of a pool that would not fit in p (a pool shrinking to p): not inside p, or not
 * strictly smaller than it. Address order, at most `limit`, with the total count. O(log n + children outside p).
 */
export async function childrenNotFitting(
  db: Db,
  poolId: number,
  p: Prefix,
  limit: number,
): Promise<{ rows: PrefixRow[]; count: number }> {
  // Children are disjoint and aligned, so "not strictly inside p" is: starting before p, after its end, or at
  // its start with a length of at most p's. Three seeks on (parent_id, range_start), run apart so SQLite never
  // falls back to scanning the children inside p.
  const start = encodeAddress(p.start);
  const parts = [
    lt(prefixes.rangeStart, start),
    gt(prefixes.rangeStart, encodeAddress(prefixLast(p))),
    and(eq(prefixes.rangeStart, start), lte(prefixes.prefixLen, p.length)),
  ].map((part) => and(eq(prefixes.parentId, poolId), isLive, part));
  const found: PrefixRow[] = [];
  for (const where of parts)
    found.push(
      ...(await db.select().from(prefixes).where(where).orderBy(asc(prefixes.rangeStart)).limit(limit)),
    );
  const rows = found
    .sort((x, y) => (x.rangeStart < y.rangeStart ? -1 : x.rangeStart > y.rangeStart ? 1 : 0))
    .slice(0, limit);
  let total = rows.length;
  if (rows.length >= limit) {
    total = 0;
    for (const where of parts) total += (await db.select({ n: count() }).from(prefixes).where(where))[0]!.n;
  }
  return { rows, count: total };
}

/**
 * Moves a pool and everything under it (every row reached through parent_id, live or released) to another
 * scope: one UPDATE over a recursive walk of the parent index. O(subtree).
 */
export async function setScopeOfSubtree(db: Db, poolId: number, scopeId: number): Promise<void> {
  await db
    .update(prefixes)
    .set({ scopeId, updatedAt: new Date().toISOString() })
    .where(subtreeIds(poolId, false));
}
