/**
 * The blocks view's OccupancySource over SQL: a pool's live direct children from `prefixes` and its free
 * blocks from `free_blocks` (read through free-blocks.ts, the one module of that table's statements). Each
 * read is a seek to the row that holds `start` (the greatest range_start <= start; children and free blocks
 * are disjoint, so only that one can), then an index range scan in address order; children of a subset of
 * lengths are read per length (one seek each), so a page costs O(lengths × log n + page) rows whatever the
 * size of the space and the number of children.
 *
 * `runBlocks(db, pool, program)` runs one of the allocator's blocks programs (`blocksPageSteps`,
 * `blocksPageBeforeSteps`: the algorithm is written once, src/allocator/blocks.ts) on either backend: SQLite
 * with `runOccupancySync` over `sqlOccupancySource` (prepared per connection, answered in the same tick),
 * PostgreSQL with `runOccupancyAsync` over `pgOccupancySource` (the same seeks as parameterised statements,
 * one round trip per read; the reads of several lengths are one statement, a LATERAL seek per length).
 * Access paths on PostgreSQL: prefixes_parent_live_idx (parent_id, range_start) for every length,
 * prefixes_parent_len_live_idx (parent_id, prefix_len, range_start) per length, free_blocks' primary key
 * (EXPLAINed in test/postgres/blocks-db.test.ts).
 */
import type Database from "better-sqlite3";
import { getTableColumns, sql, type SQL } from "drizzle-orm";
import {
  runOccupancyAsync,
  runOccupancySync,
  type AsyncOccupancySource,
  type BlocksProgram,
  decodeAddress,
  encodeAddress,
  makePrefix,
  maxLength,
  type BlockCounts,
  type Family,
  type LengthRange,
  type OccupancySource,
  type Prefix,
  type UtilizationCounts,
} from "../allocator/index.js";
import {
  freeBlockCounts,
  freeBlocksBefore as freeBlocksBeforeAsync,
  freeBlocksBeforeSqlite as freeBlocksBefore,
  freeBlocksReaching as freeBlocksReachingAsync,
  freeBlocksReachingSqlite as freeBlocksReaching,
} from "./free-blocks.js";
import { isPg, pgHandle } from "./dialect.js";
import { childLengthHistogram, type PrefixRow } from "./prefixes.js";
import { prefixes } from "./schema.js";
import type { Db } from "./store.js";

interface ChildParams {
  pool: number;
  start: string;
  limit: number;
  length?: number;
}
type RawRow = Record<string, unknown>;

const childCache = new WeakMap<
  Database.Database,
  Record<"any" | "ofLength" | "anyBefore" | "ofLengthBefore", Database.Statement<[ChildParams], RawRow>>
>();

/**
 * Prepared once per connection. The child holding `start`, if any, is the one with the greatest
 * range_start <= start (children are disjoint); the scan starts there. `any` reads prefixes_parent_live_idx,
 * `ofLength` reads prefixes_parent_len_live_idx.
 */
function childStatements(client: Database.Database) {
  let s = childCache.get(client);
  if (!s) {
    const query = (len: string) =>
      client.prepare<[ChildParams], RawRow>(
        `SELECT * FROM prefixes
         WHERE parent_id = @pool AND released_at IS NULL${len}
           AND range_start >= coalesce((SELECT max(range_start) FROM prefixes
             WHERE parent_id = @pool AND released_at IS NULL${len} AND range_start <= @start), @start)
           AND range_end >= @start
         ORDER BY range_start LIMIT @limit`,
      );
    // Backwards: the child holding `end` is the one with the greatest range_start <= end, so a plain backward
    // scan from `end` starts with it.
    const before = (len: string) =>
      client.prepare<[ChildParams], RawRow>(
        `SELECT * FROM prefixes
         WHERE parent_id = @pool AND released_at IS NULL${len} AND range_start <= @start
         ORDER BY range_start DESC LIMIT @limit`,
      );
    s = {
      any: query(""),
      ofLength: query(" AND prefix_len = @length"),
      anyBefore: before(""),
      ofLengthBefore: before(" AND prefix_len = @length"),
    };
    childCache.set(client, s);
  }
  return s;
}

const COLUMNS = Object.entries(getTableColumns(prefixes));

/** A raw `SELECT *` row as drizzle's PrefixRow (column names to keys, each value as the column maps it). */
function toPrefixRow(raw: RawRow): PrefixRow {
  const row: RawRow = {};
  for (const [key, column] of COLUMNS) {
    const value = raw[column.name];
    row[key] = value == null ? null : column.mapFromDriverValue(value);
  }
  return row as PrefixRow;
}

/** An OccupancySource that also remembers the rows behind the prefixes it returned (the occupants). */
export interface SqlOccupancySource extends OccupancySource {
  /** The child row returned for this prefix by occupiedFrom. */
  rowOf(p: Prefix): PrefixRow | undefined;
}

const key = (p: Prefix) => `${p.start}/${p.length}`;

/** The greatest address of either family (encodeAddress refuses anything above it). */
const LAST_ADDRESS = (1n << 128n) - 1n;

export function sqlOccupancySource(db: Db, pool: PrefixRow): SqlOccupancySource {
  const family = pool.family as Family;
  const longest = maxLength(family);
  const rows = new Map<string, PrefixRow>();
  let present: number[] | undefined;

  /** The lengths the pool's live children have: one index probe per length (at most 33 / 129). */
  const lengthsPresent = (): number[] => {
    if (present) return present;
    const probe = db.$client.prepare<[{ pool: number; after: number }], { len: number | null }>(
      `SELECT min(prefix_len) AS len FROM prefixes
       WHERE parent_id = @pool AND released_at IS NULL AND prefix_len > @after`,
    );
    present = [];
    for (let len = probe.get({ pool: pool.id, after: -1 })?.len; len != null;) {
      present.push(len);
      len = probe.get({ pool: pool.id, after: len })?.len;
    }
    return present;
  };

  const children = childStatements(db.$client);
  /**
   * Children within the lengths whose last address is >= at, by start (forwards), or whose start is <= at, by
   * start descending (backwards). Every length wanted: one scan of prefixes_parent_live_idx. Else one seek per
   * wanted length on prefixes_parent_len_live_idx, merged, so children of other lengths are never walked.
   */
  const occupied = (at: bigint, limit: number, lengths: LengthRange, backwards: boolean): Prefix[] => {
    // A reader that has read to an end of the address space asks for one address beyond it.
    if (at < 0n || at > LAST_ADDRESS) return [];
    const all = lengthsPresent();
    const wanted = all.filter((l) => l >= (lengths.min ?? 0) && l <= (lengths.max ?? longest));
    const start = encodeAddress(at);
    const read = (length?: number): PrefixRow[] => {
      const statement =
        length === undefined
          ? backwards
            ? children.anyBefore
            : children.any
          : backwards
            ? children.ofLengthBefore
            : children.ofLength;
      return statement.all({ pool: pool.id, start, limit, length }).map(toPrefixRow);
    };
    let found: PrefixRow[];
    if (wanted.length === all.length) found = read();
    else if (wanted.length === 1) found = read(wanted[0]);
    else {
      const order = backwards ? -1 : 1;
      found = wanted
        .flatMap((l) => read(l))
        .sort((a, b) => (a.rangeStart < b.rangeStart ? -order : a.rangeStart > b.rangeStart ? order : 0))
        .slice(0, limit);
    }
    return found.map((r) => {
      const p = makePrefix(family, decodeAddress(r.rangeStart), r.prefixLen);
      rows.set(key(p), r);
      return p;
    });
  };

  return {
    occupiedFrom: (start, limit, lengths = {}) => occupied(start, limit, lengths, false),
    occupiedBefore: (end, limit, lengths = {}) => occupied(end, limit, lengths, true),
    freeFrom(start: bigint, maxLen: number, limit: number): Prefix[] {
      if (start > LAST_ADDRESS) return [];
      return freeBlocksReaching(db, pool.id, family, start, maxLen, limit);
    },
    freeBefore(end: bigint, maxLen: number, limit: number): Prefix[] {
      if (end < 0n) return [];
      return freeBlocksBefore(db, pool.id, family, end, maxLen, limit);
    },
    rowOf: (p) => rows.get(key(p)),
  };
}

// ---- PostgreSQL ------------------------------------------------------------------------------------

/** PostgreSQL: the blocks view's reads of one pool as an AsyncOccupancySource; one statement per read. */
export function pgOccupancySource(
  db: Db,
  pool: PrefixRow,
): AsyncOccupancySource & Pick<SqlOccupancySource, "rowOf"> {
  const family = pool.family as Family;
  const longest = maxLength(family);
  const poolId = pool.id;
  const rows = new Map<string, PrefixRow>();
  let present: Promise<number[]> | undefined;
  const execute = async (q: SQL): Promise<PrefixRow[]> =>
    ((await pgHandle(db).execute<RawRow>(q)).rows as RawRow[]).map(toPrefixRow);

  /** The lengths the pool's live children have: a loose index scan of prefixes_parent_len_live_idx, one statement. */
  const lengthsPresent = (): Promise<number[]> =>
    (present ??= pgHandle(db)
      .execute<{ len: number }>(
        sql`WITH RECURSIVE l(len) AS (
            SELECT min(prefix_len) FROM prefixes WHERE parent_id = ${poolId}::int AND released_at IS NULL
            UNION ALL
            SELECT (SELECT min(prefix_len) FROM prefixes
              WHERE parent_id = ${poolId}::int AND released_at IS NULL AND prefix_len > l.len)
            FROM l WHERE l.len IS NOT NULL)
          SELECT len FROM l WHERE len IS NOT NULL`,
      )
      .then((r) => (r.rows as { len: number }[]).map((x) => x.len)));

  /** The children of one length (or any, `len` undefined) reaching `start`: the seek, then the scan. */
  const forward = (len: SQL | undefined, start: string, limit: number): SQL => {
    const ofLength = len ? sql` AND prefix_len = ${len}` : sql``;
    return sql`SELECT * FROM prefixes
      WHERE parent_id = ${poolId}::int AND released_at IS NULL${ofLength}
        AND range_start >= coalesce((SELECT max(range_start) FROM prefixes
          WHERE parent_id = ${poolId}::int AND released_at IS NULL${ofLength} AND range_start <= ${start}), ${start})
        AND range_end >= ${start}
      ORDER BY range_start LIMIT ${limit}::int`;
  };
  const backward = (len: SQL | undefined, start: string, limit: number): SQL => {
    const ofLength = len ? sql` AND prefix_len = ${len}` : sql``;
    return sql`SELECT * FROM prefixes
      WHERE parent_id = ${poolId}::int AND released_at IS NULL${ofLength} AND range_start <= ${start}
      ORDER BY range_start DESC LIMIT ${limit}::int`;
  };

  const occupied = async (
    at: bigint,
    limit: number,
    lengths: LengthRange,
    backwards: boolean,
  ): Promise<Prefix[]> => {
    if (at < 0n || at > LAST_ADDRESS) return [];
    const all = await lengthsPresent();
    const wanted = all.filter((l) => l >= (lengths.min ?? 0) && l <= (lengths.max ?? longest));
    const start = encodeAddress(at);
    const one = backwards ? backward : forward;
    let found: PrefixRow[];
    if (wanted.length === all.length) found = await execute(one(undefined, start, limit));
    else if (wanted.length === 0) found = [];
    else if (wanted.length === 1) found = await execute(one(sql`${wanted[0]}::int`, start, limit));
    else {
      // One seek per wanted length (LATERAL), merged in the statement: one round trip.
      const values = sql.join(
        wanted.map((l) => sql`(${l}::int)`),
        sql`, `,
      );
      const inner = one(sql`w.len`, start, limit);
      found = await execute(
        sql`SELECT c.* FROM (VALUES ${values}) AS w(len) CROSS JOIN LATERAL (${inner}) c
          ORDER BY c.range_start ${backwards ? sql`DESC` : sql`ASC`} LIMIT ${limit}::int`,
      );
    }
    return found.map((r) => {
      const p = makePrefix(family, decodeAddress(r.rangeStart), r.prefixLen);
      rows.set(key(p), r);
      return p;
    });
  };

  return {
    occupiedFrom: (start, limit, lengths = {}) => occupied(start, limit, lengths, false),
    occupiedBefore: (end, limit, lengths = {}) => occupied(end, limit, lengths, true),
    async freeFrom(start, maxLen, limit) {
      if (start > LAST_ADDRESS) return [];
      return freeBlocksReachingAsync(db, poolId, family, start, maxLen, limit);
    },
    async freeBefore(end, maxLen, limit) {
      if (end < 0n) return [];
      return freeBlocksBeforeAsync(db, poolId, family, end, maxLen, limit);
    },
    rowOf: (p) => rows.get(key(p)),
  };
}

/**
 * Runs a blocks program (allocator blocksPageSteps / blocksPageBeforeSteps, with free blocks) over a pool on
 * either backend; answers its result and the rows of the occupants it read.
 */
export async function runBlocks<T>(
  db: Db,
  pool: PrefixRow,
  program: BlocksProgram<T>,
): Promise<{ result: T; rowOf: (p: Prefix) => PrefixRow | undefined }> {
  if (isPg(db)) {
    const source = pgOccupancySource(db, pool);
    return { result: await runOccupancyAsync(program, source), rowOf: source.rowOf };
  }
  const source = sqlOccupancySource(db, pool);
  return { result: runOccupancySync(program, source), rowOf: source.rowOf };
}

/** Live children (every kind) and free blocks of a pool counted by length: the input of blockCount. */
export async function poolBlockCounts(db: Db, poolId: number): Promise<BlockCounts> {
  const occupied = new Map<number, number>();
  for (const h of await childLengthHistogram(db, poolId))
    occupied.set(h.prefixLen, (occupied.get(h.prefixLen) ?? 0) + h.n);
  return { occupied, free: await freeBlockCounts(db, poolId) };
}

/** Used (allocations + child pools), reserved and free counts by length: the input of utilization. */
export async function poolUtilizationCounts(
  db: Db,
  poolId: number,
): Promise<Omit<UtilizationCounts, "largestFree">> {
  const used = new Map<number, number>();
  const reserved = new Map<number, number>();
  for (const h of await childLengthHistogram(db, poolId)) {
    const target = h.kind === "reservation" ? reserved : used;
    target.set(h.prefixLen, (target.get(h.prefixLen) ?? 0) + h.n);
  }
  return { used, reserved, free: await freeBlockCounts(db, poolId) };
}
