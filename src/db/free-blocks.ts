/**
 * The allocator's FreeBlockStore persisted in `free_blocks` (one pool's canonical free blocks), so
 * allocation and release cost O(prefix length × log n) whatever the number of children, and several
 * processes on one database see the same free space. Synchronous: runs inside the write transaction.
 */
import type Database from "better-sqlite3";
import {
  decodeAddress,
  encodeAddress,
  makePrefix,
  maxLength,
  prefixLast,
  type Family,
  type FreeBlockStore,
  type Prefix,
} from "../allocator/index.js";
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

/** The FreeBlockStore of one pool; every method is one or a few indexed statements. */
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

/** Replaces a pool's free blocks (seeding a new pool, or rebuilding). O(n). */
export function replaceFreeBlocks(db: Db, poolId: number, blocks: Iterable<Prefix>): void {
  const s = statements(db.$client);
  s.removeAll.run(poolId);
  for (const p of blocks)
    s.insert.run(poolId, p.length, encodeAddress(p.start), encodeAddress(prefixLast(p)));
}

/** All free blocks of a pool in address order. O(n). */
export function listFreeBlocks(db: Db, poolId: number, family: Family): Prefix[] {
  return statements(db.$client)
    .all.all(poolId)
    .map((r) => makePrefix(family, decodeAddress(r.range_start), r.prefix_len));
}

/** The `limit` largest free blocks (shortest length first, lowest address among equals); O(log n + limit). */
export function largestFreeBlocksOf(db: Db, poolId: number, family: Family, limit: number): Prefix[] {
  return statements(db.$client)
    .largestFirst.all(poolId, limit)
    .map((r) => makePrefix(family, decodeAddress(r.range_start), r.prefix_len));
}

/** Free blocks starting at or after `start`, in address order; O(log n + limit). */
export function freeBlocksFrom(
  db: Db,
  poolId: number,
  family: Family,
  start: bigint,
  limit: number,
): Prefix[] {
  return statements(db.$client)
    .fromStart.all(poolId, encodeAddress(start), limit)
    .map((r) => makePrefix(family, decodeAddress(r.range_start), r.prefix_len));
}

/** Number of free blocks per prefix length (fragmentation); O(n) over the pool's free blocks. */
export function freeBlockCounts(db: Db, poolId: number): Map<number, number> {
  return new Map(
    statements(db.$client)
      .countsByLength.all(poolId)
      .map((r) => [r.prefix_len, r.n]),
  );
}

/**
 * Free blocks of at most `maxLen` whose last address is >= `start`, in address order: a seek to the block
 * holding `start` (the greatest range_start <= start), then a scan. O(log n + limit).
 */
export function freeBlocksReaching(
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
export function freeBlocksBefore(
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
export function clipFreeBlocks(db: Db, poolId: number, p: Prefix): void {
  const store = sqlFreeBlockStore(db, poolId, p.family);
  if (store.containing(p)) {
    replaceFreeBlocks(db, poolId, [p]);
    return;
  }
  db.$client
    .prepare("DELETE FROM free_blocks WHERE pool_id = ? AND (range_start < ? OR range_start > ?)")
    .run(poolId, encodeAddress(p.start), encodeAddress(prefixLast(p)));
}
