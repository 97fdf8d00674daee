/**
 * The allocator's free blocks persisted in `free_blocks` (one pool's canonical free blocks), so
 * allocation and release cost O(prefix length × log n) whatever the number of children, and several
 * processes on one database see the same free space. Every statement on that table is here.
 *
 * One API on both backends (async), branching on `isPg(db)`:
 * - `runFreeBlocks(db, poolId, family, program)` runs one of the allocator's programs (`allocateSteps`,
 *   `releaseSteps`, …: the algorithm is written once, src/allocator/free-index.ts "One algorithm, two
 *   drivers"). SQLite: `runSync` over `sqlFreeBlockStore` (prepared statements, answered in the same tick:
 *   the hot path is what it was). PostgreSQL: `runAsync` over `pgFreeBlockStore`, one round trip per
 *   yielded call (an allocation: one read and one batch of writes).
 * - listing, counts and the blocks view's windows: the same statement per backend.
 * PostgreSQL access paths (ranges are 32-hex-digit text COLLATE "C", so text order is address order):
 * primary key (pool_id, range_start) for containing / has / windows / listing, free_blocks_fit_idx
 * (pool_id, prefix_len, range_start) for the fits (drizzle/pg/0000_initial.sql; EXPLAINed in
 * test/postgres/free-blocks-db.test.ts).
 */
import type Database from "better-sqlite3";
import { and, asc, count, eq, gt, lt, sql, type SQL } from "drizzle-orm";
import {
  decodeAddress,
  encodeAddress,
  makePrefix,
  maxLength,
  prefixLast,
  runAsync,
  runSync,
  type AsyncFreeBlockStore,
  type Family,
  type FreeBlockChange,
  type FreeBlockProgram,
  type FreeBlockStore,
  type Prefix,
} from "../allocator/index.js";
import { isPg, pgHandle } from "./dialect.js";
import { freeBlocks } from "./schema.js";
import type { Db } from "./store.js";

interface Statements {
  maxLenAtMost: Database.Statement<[number, number], { len: number | null }>;
  minLen: Database.Statement<[number], { len: number | null }>;
  lowestAt: Database.Statement<[number, number], { range_start: string }>;
  containing: Database.Statement<
    [number, string],
    { prefix_len: number; range_start: string; range_end: string }
  >;
  has: Database.Statement<[number, string, number], { one: number }>;
  insert: Database.Statement<[number, number, string, string]>;
  remove: Database.Statement<[number, string, number]>;
  removeAll: Database.Statement<[number]>;
  all: Database.Statement<[number], { prefix_len: number; range_start: string }>;
  countsByLength: Database.Statement<[number], { prefix_len: number; n: number }>;
  fromStart: Database.Statement<[number, string, number], { prefix_len: number; range_start: string }>;
  reaching: Database.Statement<[WindowParams & { start: string }], FreeRow>;
  before: Database.Statement<[WindowParams & { end: string }], FreeRow>;
  largestFirst: Database.Statement<[number, number], { prefix_len: number; range_start: string }>;
}

interface FreeRow {
  prefix_len: number;
  range_start: string;
}

interface WindowParams {
  pool: number;
  maxLen: number;
  limit: number;
}

const cache = new WeakMap<Database.Database, Statements>();

function statements(client: Database.Database): Statements {
  let s = cache.get(client);
  if (!s) {
    s = {
      maxLenAtMost: client.prepare(
        "SELECT max(prefix_len) AS len FROM free_blocks WHERE pool_id = ? AND prefix_len <= ?",
      ),
      minLen: client.prepare("SELECT min(prefix_len) AS len FROM free_blocks WHERE pool_id = ?"),
      lowestAt: client.prepare(
        "SELECT range_start FROM free_blocks WHERE pool_id = ? AND prefix_len = ? ORDER BY range_start LIMIT 1",
      ),
      containing: client.prepare(
        "SELECT prefix_len, range_start, range_end FROM free_blocks WHERE pool_id = ? AND range_start <= ? ORDER BY range_start DESC LIMIT 1",
      ),
      has: client.prepare(
        "SELECT 1 AS one FROM free_blocks WHERE pool_id = ? AND range_start = ? AND prefix_len = ?",
      ),
      insert: client.prepare(
        "INSERT INTO free_blocks (pool_id, prefix_len, range_start, range_end) VALUES (?, ?, ?, ?)",
      ),
      remove: client.prepare(
        "DELETE FROM free_blocks WHERE pool_id = ? AND range_start = ? AND prefix_len = ?",
      ),
      removeAll: client.prepare("DELETE FROM free_blocks WHERE pool_id = ?"),
      all: client.prepare(
        "SELECT prefix_len, range_start FROM free_blocks WHERE pool_id = ? ORDER BY range_start",
      ),
      countsByLength: client.prepare(
        "SELECT prefix_len, count(*) AS n FROM free_blocks WHERE pool_id = ? GROUP BY prefix_len",
      ),
      fromStart: client.prepare(
        "SELECT prefix_len, range_start FROM free_blocks WHERE pool_id = ? AND range_start >= ? ORDER BY range_start LIMIT ?",
      ),
      // Uses the primary key (pool_id, range_start) for both the seek and the scan.
      reaching: client.prepare(
        `SELECT prefix_len, range_start FROM free_blocks
         WHERE pool_id = @pool
           AND range_start >= coalesce(
             (SELECT max(range_start) FROM free_blocks WHERE pool_id = @pool AND range_start <= @start), @start)
           AND range_end >= @start AND prefix_len <= @maxLen
         ORDER BY range_start LIMIT @limit`,
      ),
      // A backward scan of the primary key.
      before: client.prepare(
        `SELECT prefix_len, range_start FROM free_blocks
         WHERE pool_id = @pool AND range_start <= @end AND prefix_len <= @maxLen
         ORDER BY range_start DESC LIMIT @limit`,
      ),
      largestFirst: client.prepare(
        "SELECT prefix_len, range_start FROM free_blocks WHERE pool_id = ? ORDER BY prefix_len, range_start LIMIT ?",
      ),
    };
    cache.set(client, s);
  }
  return s;
}

/** SQLite: the FreeBlockStore of one pool; every method is one or a few indexed prepared statements. */
export function sqlFreeBlockStore(db: Db, poolId: number, family: Family): FreeBlockStore {
  const s = statements(db.$client);
  const at = (len: number, start: string): Prefix => makePrefix(family, decodeAddress(start), len);
  const lowestAt = (len: number): Prefix | undefined => {
    const row = s.lowestAt.get(poolId, len);
    return row ? at(len, row.range_start) : undefined;
  };
  return {
    smallestFit(maxLen) {
      const len = s.maxLenAtMost.get(poolId, maxLen)?.len;
      return len == null ? undefined : lowestAt(len);
    },
    firstFit(maxLen) {
      // One seek per length that has blocks: O(prefix length × log n), never a scan of the pool.
      let best: Prefix | undefined;
      for (let len = 0; len <= Math.min(maxLen, maxLength(family)); len++) {
        const p = lowestAt(len);
        if (p && (!best || p.start < best.start)) best = p;
      }
      return best;
    },
    containing(p) {
      const row = s.containing.get(poolId, encodeAddress(p.start));
      if (!row) return undefined;
      return decodeAddress(row.range_end) >= prefixLast(p) ? at(row.prefix_len, row.range_start) : undefined;
    },
    has(p) {
      return !!s.has.get(poolId, encodeAddress(p.start), p.length);
    },
    add(p) {
      s.insert.run(poolId, p.length, encodeAddress(p.start), encodeAddress(prefixLast(p)));
    },
    remove(p) {
      s.remove.run(poolId, encodeAddress(p.start), p.length);
    },
    largest() {
      const len = s.minLen.get(poolId)?.len;
      return len == null ? undefined : lowestAt(len);
    },
  };
}

/** Runs an allocator program (allocateSteps, releaseSteps, …) on a pool's free blocks, on either backend. */
export async function runFreeBlocks<T>(
  db: Db,
  poolId: number,
  family: Family,
  program: FreeBlockProgram<T>,
): Promise<T> {
  if (isPg(db)) return runAsync(program, pgFreeBlockStore(db, poolId, family));
  return runSync(program, sqlFreeBlockStore(db, poolId, family));
}

// ---- PostgreSQL ------------------------------------------------------------------------------------

interface PgFreeRow extends Record<string, unknown> {
  prefix_len: number;
  range_start: string;
  range_end?: string;
}

async function pgRows(db: Db, query: SQL): Promise<PgFreeRow[]> {
  return (await pgHandle(db).execute<PgFreeRow>(query)).rows as PgFreeRow[];
}

/** PostgreSQL: a pool's free blocks as the allocator's AsyncFreeBlockStore; one statement per call. */
export function pgFreeBlockStore(db: Db, poolId: number, family: Family): AsyncFreeBlockStore {
  const at = (r: PgFreeRow | undefined): Prefix | undefined =>
    r && makePrefix(family, decodeAddress(r.range_start), r.prefix_len);
  return {
    // The greatest length that fits, then its lowest start: two probes of free_blocks_fit_idx.
    async smallestFit(maxLen) {
      return at(
        (
          await pgRows(
            db,
            sql`SELECT prefix_len, range_start FROM free_blocks WHERE pool_id = ${poolId}::int
              AND prefix_len = (SELECT max(prefix_len) FROM free_blocks WHERE pool_id = ${poolId}::int AND prefix_len <= ${maxLen}::int)
              ORDER BY range_start LIMIT 1`,
          )
        )[0],
      );
    },
    // The lowest start of each length (one probe each, as on SQLite), the lowest of those: one round trip.
    async firstFit(maxLen) {
      const top = Math.min(maxLen, maxLength(family));
      return at(
        (
          await pgRows(
            db,
            sql`SELECT f.prefix_len, f.range_start FROM generate_series(0, ${top}::int) AS l(len)
              CROSS JOIN LATERAL (SELECT prefix_len, range_start FROM free_blocks
                WHERE pool_id = ${poolId}::int AND prefix_len = l.len ORDER BY range_start LIMIT 1) f
              ORDER BY f.range_start LIMIT 1`,
          )
        )[0],
      );
    },
    async containing(p) {
      const [row] = await pgRows(
        db,
        sql`SELECT prefix_len, range_start, range_end FROM free_blocks
          WHERE pool_id = ${poolId}::int AND range_start <= ${encodeAddress(p.start)}
          ORDER BY range_start DESC LIMIT 1`,
      );
      return row && decodeAddress(row.range_end!) >= prefixLast(p) ? at(row) : undefined;
    },
    async largest() {
      return at(
        (
          await pgRows(
            db,
            sql`SELECT prefix_len, range_start FROM free_blocks WHERE pool_id = ${poolId}::int
              AND prefix_len = (SELECT min(prefix_len) FROM free_blocks WHERE pool_id = ${poolId}::int)
              ORDER BY range_start LIMIT 1`,
          )
        )[0],
      );
    },
    async takeIfFree(p) {
      const rows = await pgRows(
        db,
        sql`DELETE FROM free_blocks WHERE pool_id = ${poolId}::int AND range_start = ${encodeAddress(p.start)}
          AND prefix_len = ${p.length}::int RETURNING prefix_len, range_start`,
      );
      return rows.length === 1;
    },
    async apply(changes) {
      const q = pgApplyStatement(poolId, changes);
      if (q) await pgHandle(db).execute(q);
    },
  };
}

/**
 * One statement for a batch of adds and removes. The primary key is (pool_id, range_start) and a batch may
 * remove a block and add another at the same start (a split keeps the low half, a merge grows the low
 * buddy), so the batch is first reduced to its net effect per start: a row deleted, updated in place (new
 * length and end) or inserted; then the three touch distinct keys and run as one data-modifying CTE.
 */
function pgApplyStatement(poolId: number, changes: readonly FreeBlockChange[]): SQL | undefined {
  const net = new Map<bigint, { removed?: number; final?: Prefix | null }>();
  for (const c of changes) {
    let e = net.get(c.prefix.start);
    if (!e) net.set(c.prefix.start, (e = {}));
    if (c.op === "add") e.final = c.prefix;
    else if (e.final)
      e.final = null; // removes what this batch added
    else {
      e.removed = c.prefix.length;
      e.final = null;
    }
  }
  const deletes: SQL[] = [];
  const updates: SQL[] = [];
  const inserts: SQL[] = [];
  for (const [start, e] of net) {
    const s = encodeAddress(start);
    if (e.removed !== undefined && e.final)
      updates.push(
        sql`(${s}::text, ${e.removed}::int, ${e.final.length}::int, ${encodeAddress(prefixLast(e.final))}::text)`,
      );
    else if (e.removed !== undefined) deletes.push(sql`(${s}::text, ${e.removed}::int)`);
    else if (e.final)
      inserts.push(
        sql`(${poolId}::int, ${e.final.length}::int, ${s}::text, ${encodeAddress(prefixLast(e.final))}::text)`,
      );
  }
  const parts: SQL[] = [];
  if (deletes.length > 0)
    parts.push(
      sql`d AS (DELETE FROM free_blocks WHERE pool_id = ${poolId}::int AND (range_start, prefix_len) IN (VALUES ${sql.join(deletes, sql`, `)}))`,
    );
  if (updates.length > 0)
    parts.push(
      sql`u AS (UPDATE free_blocks f SET prefix_len = v.len, range_end = v.e
        FROM (VALUES ${sql.join(updates, sql`, `)}) AS v(s, old, len, e)
        WHERE f.pool_id = ${poolId}::int AND f.range_start = v.s AND f.prefix_len = v.old)`,
    );
  const insert =
    inserts.length > 0
      ? sql`INSERT INTO free_blocks (pool_id, prefix_len, range_start, range_end) VALUES ${sql.join(inserts, sql`, `)}`
      : undefined;
  if (parts.length === 0) return insert;
  return sql`WITH ${sql.join(parts, sql`, `)} ${insert ?? sql`SELECT 1`}`;
}

const toPrefixes = (family: Family, rows: PgFreeRow[]) =>
  rows.map((r) => makePrefix(family, decodeAddress(r.range_start), r.prefix_len));

// ---- Both backends ---------------------------------------------------------------------------------

/** Replaces a pool's free blocks (seeding a new pool, or rebuilding). O(n). */
export async function replaceFreeBlocks(db: Db, poolId: number, blocks: Iterable<Prefix>): Promise<void> {
  if (!isPg(db)) return replaceFreeBlocksSqlite(db, poolId, blocks);
  const tx = pgHandle(db);
  await tx.execute(sql`DELETE FROM free_blocks WHERE pool_id = ${poolId}::int`);
  const rows = [...blocks];
  for (let i = 0; i < rows.length; i += 1000) {
    const values = rows
      .slice(i, i + 1000)
      .map(
        (p) =>
          sql`(${poolId}::int, ${p.length}::int, ${encodeAddress(p.start)}::text, ${encodeAddress(prefixLast(p))}::text)`,
      );
    await tx.execute(
      sql`INSERT INTO free_blocks (pool_id, prefix_len, range_start, range_end) VALUES ${sql.join(values, sql`, `)}`,
    );
  }
}

function replaceFreeBlocksSqlite(db: Db, poolId: number, blocks: Iterable<Prefix>): void {
  const s = statements(db.$client);
  s.removeAll.run(poolId);
  for (const p of blocks)
    s.insert.run(poolId, p.length, encodeAddress(p.start), encodeAddress(prefixLast(p)));
}

/** All free blocks of a pool in address order. O(n). */
export async function listFreeBlocks(db: Db, poolId: number, family: Family): Promise<Prefix[]> {
  if (isPg(db))
    return toPrefixes(
      family,
      await pgRows(
        db,
        sql`SELECT prefix_len, range_start FROM free_blocks WHERE pool_id = ${poolId}::int ORDER BY range_start`,
      ),
    );
  return statements(db.$client)
    .all.all(poolId)
    .map((r) => makePrefix(family, decodeAddress(r.range_start), r.prefix_len));
}

/** The `limit` largest free blocks (shortest length first, lowest address among equals); O(log n + limit). */
export async function largestFreeBlocksOf(
  db: Db,
  poolId: number,
  family: Family,
  limit: number,
): Promise<Prefix[]> {
  if (isPg(db))
    return toPrefixes(
      family,
      await pgRows(
        db,
        sql`SELECT prefix_len, range_start FROM free_blocks WHERE pool_id = ${poolId}::int
          ORDER BY prefix_len, range_start LIMIT ${limit}::int`,
      ),
    );
  return statements(db.$client)
    .largestFirst.all(poolId, limit)
    .map((r) => makePrefix(family, decodeAddress(r.range_start), r.prefix_len));
}

/** Free blocks starting at or after `start`, in address order; O(log n + limit). */
export async function freeBlocksFrom(
  db: Db,
  poolId: number,
  family: Family,
  start: bigint,
  limit: number,
): Promise<Prefix[]> {
  if (isPg(db))
    return toPrefixes(
      family,
      await pgRows(
        db,
        sql`SELECT prefix_len, range_start FROM free_blocks WHERE pool_id = ${poolId}::int
          AND range_start >= ${encodeAddress(start)} ORDER BY range_start LIMIT ${limit}::int`,
      ),
    );
  return statements(db.$client)
    .fromStart.all(poolId, encodeAddress(start), limit)
    .map((r) => makePrefix(family, decodeAddress(r.range_start), r.prefix_len));
}

/** Number of free blocks per prefix length (fragmentation); O(n) over the pool's free blocks. */
export async function freeBlockCounts(db: Db, poolId: number): Promise<Map<number, number>> {
  const rows = isPg(db)
    ? ((
        await pgHandle(db).execute<{ prefix_len: number; n: number }>(
          sql`SELECT prefix_len, count(*)::int AS n FROM free_blocks WHERE pool_id = ${poolId}::int GROUP BY prefix_len`,
        )
      ).rows as { prefix_len: number; n: number }[])
    : statements(db.$client).countsByLength.all(poolId);
  return new Map(rows.map((r) => [r.prefix_len, r.n]));
}

/**
 * Free blocks of at most `maxLen` whose last address is >= `start`, in address order: a seek to the block
 * holding `start` (the greatest range_start <= start), then a scan. O(log n + limit).
 */
export async function freeBlocksReaching(
  db: Db,
  poolId: number,
  family: Family,
  start: bigint,
  maxLen: number,
  limit: number,
): Promise<Prefix[]> {
  if (isPg(db)) {
    const s = encodeAddress(start);
    return toPrefixes(
      family,
      await pgRows(
        db,
        sql`SELECT prefix_len, range_start FROM free_blocks
          WHERE pool_id = ${poolId}::int
            AND range_start >= coalesce(
              (SELECT max(range_start) FROM free_blocks WHERE pool_id = ${poolId}::int AND range_start <= ${s}), ${s})
            AND range_end >= ${s} AND prefix_len <= ${maxLen}::int
          ORDER BY range_start LIMIT ${limit}::int`,
      ),
    );
  }
  return freeBlocksReachingSqlite(db, poolId, family, start, maxLen, limit);
}

/** SQLite, synchronous: freeBlocksReaching (the blocks view's sweep reads it inside its loop). */
export function freeBlocksReachingSqlite(
  db: Db,
  poolId: number,
  family: Family,
  start: bigint,
  maxLen: number,
  limit: number,
): Prefix[] {
  return statements(db.$client)
    .reaching.all({ pool: poolId, start: encodeAddress(start), maxLen, limit })
    .map((r) => makePrefix(family, decodeAddress(r.range_start), r.prefix_len));
}

/** Free blocks of at most `maxLen` starting at or before `end`, nearest first. O(log n + limit). */
export async function freeBlocksBefore(
  db: Db,
  poolId: number,
  family: Family,
  end: bigint,
  maxLen: number,
  limit: number,
): Promise<Prefix[]> {
  if (isPg(db))
    return toPrefixes(
      family,
      await pgRows(
        db,
        sql`SELECT prefix_len, range_start FROM free_blocks
          WHERE pool_id = ${poolId}::int AND range_start <= ${encodeAddress(end)} AND prefix_len <= ${maxLen}::int
          ORDER BY range_start DESC LIMIT ${limit}::int`,
      ),
    );
  return freeBlocksBeforeSqlite(db, poolId, family, end, maxLen, limit);
}

/** SQLite, synchronous: freeBlocksBefore. */
export function freeBlocksBeforeSqlite(
  db: Db,
  poolId: number,
  family: Family,
  end: bigint,
  maxLen: number,
  limit: number,
): Prefix[] {
  return statements(db.$client)
    .before.all({ pool: poolId, end: encodeAddress(end), maxLen, limit })
    .map((r) => makePrefix(family, decodeAddress(r.range_start), r.prefix_len));
}

/**
 * Shrinks a pool's free blocks to p (allocator shrunkFreeBlocks): the block holding all of p becomes p;
 * otherwise blocks outside p are deleted (blocks nest or are disjoint, so "outside" is a range test).
 * O(log n + blocks removed).
 */
export async function clipFreeBlocks(db: Db, poolId: number, p: Prefix): Promise<void> {
  if (isPg(db)) {
    if (await pgFreeBlockStore(db, poolId, p.family).containing(p)) return replaceFreeBlocks(db, poolId, [p]);
    await pgHandle(db).execute(
      sql`DELETE FROM free_blocks WHERE pool_id = ${poolId}::int
        AND (range_start < ${encodeAddress(p.start)} OR range_start > ${encodeAddress(prefixLast(p))})`,
    );
    return;
  }
  clipFreeBlocksSqlite(db, poolId, p);
}

function clipFreeBlocksSqlite(db: Db, poolId: number, p: Prefix): void {
  const store = sqlFreeBlockStore(db, poolId, p.family);
  if (store.containing(p)) {
    replaceFreeBlocksSqlite(db, poolId, [p]);
    return;
  }
  db.$client
    .prepare("DELETE FROM free_blocks WHERE pool_id = ? AND (range_start < ? OR range_start > ?)")
    .run(poolId, encodeAddress(p.start), encodeAddress(prefixLast(p)));
}

/**
 * The `limit` lowest free blocks of exactly `length` that do not lie in `outside` (defragmentation advice's bounded
 * free space): two seeks on free_blocks_fit_idx (pool_id, prefix_len, range_start), below and above it.
 * O(log n + limit).
 */
export async function lowestFreeBlocksOutside(
  db: Db,
  poolId: number,
  family: Family,
  length: number,
  outside: Prefix,
  limit: number,
): Promise<Prefix[]> {
  if (limit <= 0) return [];
  const page = async (where: SQL, n: number) =>
    (
      await db
        .select({ start: freeBlocks.rangeStart })
        .from(freeBlocks)
        .where(and(eq(freeBlocks.poolId, poolId), eq(freeBlocks.prefixLen, length), where))
        .orderBy(asc(freeBlocks.rangeStart))
        .limit(n)
    ).map((r) => makePrefix(family, decodeAddress(r.start), length));
  const below = await page(lt(freeBlocks.rangeStart, encodeAddress(outside.start)), limit);
  if (below.length === limit) return below;
  return below.concat(
    await page(gt(freeBlocks.rangeStart, encodeAddress(prefixLast(outside))), limit - below.length),
  );
}

/**
 * How many free blocks of exactly `length` lie outside `outside`, counting at most `cap`: two index range counts
 * on free_blocks_fit_idx below and above it, each stopped at `cap`. O(log n + cap), nothing transferred.
 */
export async function countFreeBlocksOutside(
  db: Db,
  poolId: number,
  length: number,
  outside: Prefix,
  cap: number,
): Promise<number> {
  if (cap <= 0) return 0;
  const countUpTo = async (where: SQL, n: number) => {
    const sub = db
      .select({ s: freeBlocks.rangeStart })
      .from(freeBlocks)
      .where(and(eq(freeBlocks.poolId, poolId), eq(freeBlocks.prefixLen, length), where))
      .limit(n)
      .as("capped");
    const [row] = await db.select({ n: count() }).from(sub);
    return Number(row?.n ?? 0);
  };
  const below = await countUpTo(lt(freeBlocks.rangeStart, encodeAddress(outside.start)), cap);
  if (below >= cap) return cap;
  return (
    below + (await countUpTo(gt(freeBlocks.rangeStart, encodeAddress(prefixLast(outside))), cap - below))
  );
}

/**
 * Which of `blocks` are free blocks of the pool (exactly, start and length): one point lookup each on
 * free_blocks_fit_idx (pool_id, prefix_len, range_start) (an IN list on range_start alone lets SQLite pick that
 * index and scan the pool's free blocks). O(blocks × log n).
 */
export async function freeBlocksAmong(db: Db, poolId: number, blocks: readonly Prefix[]): Promise<Prefix[]> {
  const out: Prefix[] = [];
  for (const b of blocks) {
    const [row] = await db
      .select({ start: freeBlocks.rangeStart })
      .from(freeBlocks)
      .where(
        and(
          eq(freeBlocks.poolId, poolId),
          eq(freeBlocks.prefixLen, b.length),
          eq(freeBlocks.rangeStart, encodeAddress(b.start)),
        ),
      )
      .limit(1);
    if (row) out.push(b);
  }
  return out;
}
