/**
 * Pool queries: filtered keyset pages over the `prefixes` table (kind = 'pool'), and the subtree
 * operations of deletes. Containment filters are range predicates on the indexed columns (see
 * src/db/prefixes.ts); network order is (family, range_start, prefix_len, id), which follows the
 * `(scope_id, family, range_start, …)` index inside one scope.
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
}

const isPool = eq(prefixes.kind, "pool");

function filterWhere(f: PoolRowFilter): SQL | undefined {
  return and(
    isPool,
    f.scopeId != null ? eq(prefixes.scopeId, f.scopeId) : undefined,
    f.parentId != null ? eq(prefixes.parentId, f.parentId) : undefined,
    f.rootsOnly ? isNull(prefixes.parentId) : undefined,
    f.accountId != null ? eq(prefixes.accountId, f.accountId) : undefined,
    f.statuses?.length ? inArray(prefixes.status, [...f.statuses]) : undefined,
    f.family != null ? eq(prefixes.family, f.family) : undefined,
    f.search ? sql`instr(lower(${prefixes.name}), lower(${f.search})) > 0` : undefined,
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
export function poolsPage(
  db: Db,
  filter: PoolRowFilter,
  order: PoolOrderField,
  page: ResolvedPage,
  scopeIds: () => number[],
): Page<PrefixRow> {
  const where = filterWhere(filter);
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
        .limit(page.limit + 1)
        .all();
    let rows: PrefixRow[];
    if (filter.scopeId != null || filter.parentId != null) rows = query();
    else {
      const sign = ascendingRead(page) ? 1 : -1;
      rows = scopeIds()
        .flatMap((id) => query(id))
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
  const rows = db
    .select()
    .from(prefixes)
    .where(and(where, keyset))
    .orderBy(dir(col), dir(prefixes.id))
    .limit(page.limit + 1)
    .all();
  return finish(page, rows, (r) => [(order === "name" ? r.name : r.createdAt) ?? "", r.id]);
}

export function countPools(db: Db, filter: PoolRowFilter): number {
  return db.select({ n: count() }).from(prefixes).where(filterWhere(filter)).get()?.n ?? 0;
}

/** Pools by id (other kinds are left out). */
export function poolsByIds(db: Db, ids: readonly number[]): PrefixRow[] {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(prefixes)
    .where(and(isPool, inArray(prefixes.id, [...ids])))
    .all();
}

/** Live ancestor pools of p in one scope including p itself if it is a pool, root first. O(length × log n). */
export function poolPath(db: Db, pool: PrefixRow): PrefixRow[] {
  return db
    .select()
    .from(prefixes)
    .where(and(eq(prefixes.scopeId, pool.scopeId), isPool, isLive, containsOrEqualWhere(rowPrefix(pool))))
    .orderBy(asc(prefixes.prefixLen), asc(prefixes.id))
    .all();
}

export function updatePrefixRow(db: Db, id: number, set: Partial<typeof prefixes.$inferInsert>): PrefixRow {
  return db
    .update(prefixes)
    .set({ ...set, updatedAt: new Date().toISOString() })
    .where(eq(prefixes.id, id))
    .returning()
    .get();
}

/**
 * Everything a pool delete removes: its live subtree (walked through the live-parent index) and the
 * released history of every pool in it (found by range inside the pool, then by parent).
 */
export function poolSubtree(db: Db, pool: PrefixRow): PrefixRow[] {
  const live = db
    .select()
    .from(prefixes)
    .where(
      sql`${prefixes.id} IN (WITH RECURSIVE sub(id) AS (SELECT ${pool.id} UNION ALL SELECT p.id FROM prefixes p JOIN sub ON p.parent_id = sub.id WHERE p.released_at IS NULL) SELECT id FROM sub)`,
    )
    .all();
  const poolIds = new Set(live.filter((r) => r.kind === "pool").map((r) => r.id));
  const released = db
    .select()
    .from(prefixes)
    .where(
      and(
        eq(prefixes.scopeId, pool.scopeId),
        withinOrEqualWhere(rowPrefix(pool)),
        isNotNull(prefixes.releasedAt),
      ),
    )
    .all()
    .filter((r) => r.parentId !== null && poolIds.has(r.parentId));
  return [...live, ...released];
}

/** Prefixes (live or released) that belong to an account, by the account index. */
export function prefixesOfAccount(db: Db, accountId: number): PrefixRow[] {
  return db.select().from(prefixes).where(eq(prefixes.accountId, accountId)).all();
}

/** Deletes rows leaves first (non-pools, then pools longest prefix first), in chunks under SQLite's variable limit. */
export function deletePrefixRows(db: Db, rows: readonly PrefixRow[]): void {
  const ordered = [...rows].sort(
    (a, b) => Number(a.kind === "pool") - Number(b.kind === "pool") || b.prefixLen - a.prefixLen,
  );
  for (let i = 0; i < ordered.length; i += 5000) {
    const ids = ordered.slice(i, i + 5000).map((r) => r.id);
    db.delete(prefixes).where(inArray(prefixes.id, ids)).run();
  }
}

/**
 * Live direct children of `parentId` (top-level prefixes of the scope when null) inside or equal to any of
 * `blocks`: what stands in the way of a pool growing over them (the grown blocks are disjoint from the pool,
 * so a range scan of each never reads the pool's own subtree). Address order; O(blocks × log n + limit).
 */
export function directChildrenWithin(
  db: Db,
  scopeId: number,
  parentId: number | null,
  blocks: readonly Prefix[],
  limit: number,
): PrefixRow[] {
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
    .limit(limit)
    .all();
}

/**
 * Live direct children of a pool that would not fit in p (a pool shrinking to p): not inside p, or not
 * strictly smaller than it. Address order, at most `limit`, with the total count. O(log n + children outside p).
 */
export function childrenNotFitting(
  db: Db,
  poolId: number,
  p: Prefix,
  limit: number,
): { rows: PrefixRow[]; count: number } {
  // Children are disjoint and aligned, so "not strictly inside p" is: starting before p, after its end, or at
  // its start with a length of at most p's. Three seeks on (parent_id, range_start), run apart so SQLite never
  // falls back to scanning the children inside p.
  const start = encodeAddress(p.start);
  const parts = [
    lt(prefixes.rangeStart, start),
    gt(prefixes.rangeStart, encodeAddress(prefixLast(p))),
    and(eq(prefixes.rangeStart, start), lte(prefixes.prefixLen, p.length)),
  ].map((part) => and(eq(prefixes.parentId, poolId), isLive, part));
  const rows = parts
    .flatMap((where) =>
      db.select().from(prefixes).where(where).orderBy(asc(prefixes.rangeStart)).limit(limit).all(),
    )
    .sort((x, y) => (x.rangeStart < y.rangeStart ? -1 : x.rangeStart > y.rangeStart ? 1 : 0))
    .slice(0, limit);
  const total =
    rows.length < limit
      ? rows.length
      : parts.reduce((n, where) => n + db.select({ n: count() }).from(prefixes).where(where).get()!.n, 0);
  return { rows, count: total };
}

/**
 * Moves a pool and everything under it (every row reached through parent_id, live or released) to another
 * scope: one UPDATE over a recursive walk of the parent index. O(subtree).
 */
export function setScopeOfSubtree(db: Db, poolId: number, scopeId: number): void {
  db.update(prefixes)
    .set({ scopeId, updatedAt: new Date().toISOString() })
    .where(
      sql`${prefixes.id} IN (WITH RECURSIVE sub(id) AS (SELECT ${poolId} UNION ALL SELECT p.id FROM prefixes p JOIN sub ON p.parent_id = sub.id) SELECT id FROM sub)`,
    )
    .run();
}
