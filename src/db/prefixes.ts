/**
 * Queries on the `prefixes` table (pools, allocations, reservations). Containment is answered with
 * range predicates on the fixed-width hex columns, never string matching:
 * - within X:   range_start >= X.start AND range_end <= X.last   (one index range scan)
 * - contains X: the ancestors of X are X truncated to each shorter length, so `range_start IN (…)`
 *               (at most 33 / 129 index probes) AND range_end >= X.last.
 * Await style on both backends (the same answers: test/postgres/prefixes-db.test.ts); the hot `prefixById` and
 * `insertPrefix` stay prepared per connection on SQLite, plain statements on the PostgreSQL transaction.
 */
import { and, asc, eq, gte, inArray, isNull, lte, or, sql, type SQL } from "drizzle-orm";
import {
  blockSize,
  decodeAddress,
  encodeAddress,
  formatPrefix,
  makePrefix,
  prefixLast,
  type Family,
  type Prefix,
} from "../allocator/index.js";
import { isPg, pgHandle } from "./dialect.js";
import { preparedInsert } from "./prepared.js";
import { prefixes } from "./schema.js";
import type { Db } from "./store.js";

export type PrefixRow = typeof prefixes.$inferSelect;
export type NewPrefixRow = typeof prefixes.$inferInsert;
export type PrefixKind = PrefixRow["kind"];

/** The columns that describe a prefix's range. */
export function rangeColumns(p: Prefix) {
  return {
    family: p.family,
    prefixLen: p.length,
    cidr: formatPrefix(p),
    rangeStart: encodeAddress(p.start),
    rangeEnd: encodeAddress(prefixLast(p)),
  };
}

/** The allocator Prefix of a row. */
export function rowPrefix(row: Pick<PrefixRow, "family" | "rangeStart" | "prefixLen">): Prefix {
  return makePrefix(row.family as Family, decodeAddress(row.rangeStart), row.prefixLen);
}

export const isLive = isNull(prefixes.releasedAt);

/**
 * Inserts one prefix row and returns it. SQLite: the prepared insert of the hot path (per set of columns);
 * PostgreSQL: the query builder on the transaction (`INSERT … RETURNING`, one round trip).
 */
export async function insertPrefix(db: Db, row: NewPrefixRow): Promise<PrefixRow> {
  if (isPg(db)) return (await db.insert(prefixes).values(row).returning())[0]!;
  return preparedInsert(db, prefixes, row);
}

/** Drizzle prepared queries of the hot paths, built once per connection. */
const preparedById = new WeakMap<Db, { get(params: { id: number }): PrefixRow | undefined }>();

/** One row by id (primary key). SQLite: prepared per connection; PostgreSQL: a plain query. */
export async function prefixById(db: Db, id: number): Promise<PrefixRow | undefined> {
  if (isPg(db)) return (await db.select().from(prefixes).where(eq(prefixes.id, id)).limit(1))[0];
  let q = preparedById.get(db);
  if (!q) {
    q = db
      .select()
      .from(prefixes)
      .where(eq(prefixes.id, sql.placeholder("id")))
      .prepare();
    preparedById.set(db, q);
  }
  return q.get({ id });
}

/** Rows by id (any order; missing ids are absent). One primary-key probe per id. */
export async function prefixesByIds(db: Db, ids: readonly number[]): Promise<PrefixRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(prefixes)
    .where(inArray(prefixes.id, [...ids]));
}

/** Starts of every prefix that could contain p (p truncated to lengths 0..p.length). */
export function ancestorStarts(p: Prefix): string[] {
  const starts = new Set<string>();
  for (let len = 0; len <= p.length; len++)
    starts.add(encodeAddress(p.start - (p.start % blockSize(p.family, len))));
  return [...starts];
}

/** Live prefixes of a scope that contain or equal p, shortest first. O(prefix length × log n). */
export async function containingLive(db: Db, scopeId: number, p: Prefix, extra?: SQL): Promise<PrefixRow[]> {
  return db
    .select()
    .from(prefixes)
    .where(
      and(
        eq(prefixes.scopeId, scopeId),
        eq(prefixes.family, p.family),
        inArray(prefixes.rangeStart, ancestorStarts(p)),
        gte(prefixes.rangeEnd, encodeAddress(prefixLast(p))),
        lte(prefixes.prefixLen, p.length),
        isLive,
        extra,
      ),
    )
    .orderBy(asc(prefixes.prefixLen), asc(prefixes.id));
}

/** Live prefixes of a scope inside or equal to p, in address order (then shortest first). O(log n + limit). */
export async function withinLive(
  db: Db,
  scopeId: number,
  p: Prefix,
  limit: number,
  extra?: SQL,
): Promise<PrefixRow[]> {
  return db
    .select()
    .from(prefixes)
    .where(
      and(
        eq(prefixes.scopeId, scopeId),
        eq(prefixes.family, p.family),
        gte(prefixes.rangeStart, encodeAddress(p.start)),
        lte(prefixes.rangeStart, encodeAddress(prefixLast(p))),
        lte(prefixes.rangeEnd, encodeAddress(prefixLast(p))),
        isLive,
        extra,
      ),
    )
    .orderBy(asc(prefixes.rangeStart), asc(prefixes.prefixLen))
    .limit(limit);
}

/** Top-level (parentless) live prefixes of a scope inside or equal to p, in address order. O(log n + limit). */
export function topLevelWithinLive(db: Db, scopeId: number, p: Prefix, limit: number): Promise<PrefixRow[]> {
  return withinLive(db, scopeId, p, limit, isNull(prefixes.parentId));
}

/** Live direct children of a pool in address order. O(log n + children). */
export async function liveChildren(db: Db, poolId: number): Promise<PrefixRow[]> {
  return db
    .select()
    .from(prefixes)
    .where(and(eq(prefixes.parentId, poolId), isLive))
    .orderBy(asc(prefixes.rangeStart));
}

/** Number of live direct children of a pool by kind. */
export async function countLiveChildren(
  db: Db,
  poolId: number,
): Promise<{ pools: number; allocations: number; reservations: number }> {
  // count(*) is a bigint (a string through node-postgres) on PostgreSQL: mapped to a number on both.
  const rows = await db
    .select({ kind: prefixes.kind, n: sql<number>`count(*)`.mapWith(Number) })
    .from(prefixes)
    .where(and(eq(prefixes.parentId, poolId), isLive))
    .groupBy(prefixes.kind);
  const by = Object.fromEntries(rows.map((r) => [r.kind, r.n])) as Record<string, number>;
  return { pools: by.pool ?? 0, allocations: by.allocation ?? 0, reservations: by.reservation ?? 0 };
}

/** Live direct children counted by (kind, prefix length): the input of utilisation and block counts. Both backends. */
export async function childLengthHistogram(
  db: Db,
  poolId: number,
): Promise<{ kind: PrefixKind; prefixLen: number; n: number }[]> {
  // count(*) is a bigint (a string through node-postgres) on PostgreSQL: mapped to a number on both.
  return db
    .select({ kind: prefixes.kind, prefixLen: prefixes.prefixLen, n: sql<number>`count(*)`.mapWith(Number) })
    .from(prefixes)
    .where(and(eq(prefixes.parentId, poolId), isLive))
    .groupBy(prefixes.kind, prefixes.prefixLen);
}

/** Predicate: the prefix is inside or equal to p (one index range scan on range_start). */
export function withinOrEqualWhere(p: Prefix): SQL {
  const last = encodeAddress(prefixLast(p));
  return and(
    eq(prefixes.family, p.family),
    gte(prefixes.rangeStart, encodeAddress(p.start)),
    lte(prefixes.rangeStart, last),
    lte(prefixes.rangeEnd, last),
  )!;
}

/** Predicate: the prefix contains or equals p (at most 33 / 129 index probes). */
export function containsOrEqualWhere(p: Prefix): SQL {
  return and(
    eq(prefixes.family, p.family),
    inArray(prefixes.rangeStart, ancestorStarts(p)),
    gte(prefixes.rangeEnd, encodeAddress(prefixLast(p))),
    lte(prefixes.prefixLen, p.length),
  )!;
}

/**
 * Predicate: the prefix shares at least one address with p. CIDR blocks nest or are disjoint, so that is
 * "contains or equals p" (ancestor probes) or "starts inside p" (one range scan).
 */
export function overlapsWhere(p: Prefix): SQL {
  const last = encodeAddress(prefixLast(p));
  return and(
    eq(prefixes.family, p.family),
    or(
      and(inArray(prefixes.rangeStart, ancestorStarts(p)), gte(prefixes.rangeEnd, last)),
      and(gte(prefixes.rangeStart, encodeAddress(p.start)), lte(prefixes.rangeStart, last)),
    ),
  )!;
}

/** Predicate: exactly p. */
export function equalsWhere(p: Prefix): SQL {
  return and(
    eq(prefixes.family, p.family),
    eq(prefixes.rangeStart, encodeAddress(p.start)),
    eq(prefixes.prefixLen, p.length),
  )!;
}

/**
 * Live prefixes of any scope that contain or equal p, by scope then shortest first: the "who owns this
 * address" chain of every scope in one statement (index probes per scope; scopes are few).
 */
export async function containingLiveInAllScopes(db: Db, p: Prefix): Promise<PrefixRow[]> {
  return db
    .select()
    .from(prefixes)
    .where(and(sql`${prefixes.scopeId} IN (SELECT id FROM scopes)`, containsOrEqualWhere(p), isLive))
    .orderBy(asc(prefixes.scopeId), asc(prefixes.prefixLen), asc(prefixes.id));
}

const childRangeStatements = new WeakMap<
  Db["$client"],
  { all(poolId: number): { id: number; family: number; prefix_len: number; range_start: string }[] }
>();

type ChildRangeRow = { id: number; family: number; prefix_len: number; range_start: string };

/**
 * Id and range of every live direct child of a pool, in address order: a lean `liveChildren`, for plan apply
 * and defragmentation advice. O(log n + children): prefixes_parent_live_idx (parent_id, range_start) WHERE
 * released_at IS NULL on both backends. SQLite: a statement prepared per connection; PostgreSQL: the same
 * parameterised statement on the transaction.
 */
export async function liveChildRanges(db: Db, poolId: number): Promise<{ id: number; prefix: Prefix }[]> {
  let rows: ChildRangeRow[];
  if (isPg(db)) {
    rows = (
      await pgHandle(db).execute<ChildRangeRow>(
        sql`SELECT id, family, prefix_len, range_start FROM prefixes
          WHERE parent_id = ${poolId}::int AND released_at IS NULL ORDER BY range_start`,
      )
    ).rows as ChildRangeRow[];
  } else {
    let s = childRangeStatements.get(db.$client);
    if (!s) {
      const stmt = db.$client.prepare<[number], ChildRangeRow>(
        "SELECT id, family, prefix_len, range_start FROM prefixes WHERE parent_id = ? AND released_at IS NULL ORDER BY range_start",
      );
      s = { all: (id) => stmt.all(id) };
      childRangeStatements.set(db.$client, s);
    }
    rows = s.all(poolId);
  }
  return rows.map((r) => ({
    id: r.id,
    prefix: makePrefix(r.family as Family, decodeAddress(r.range_start), r.prefix_len),
  }));
}
