/**
 * The blocks view's OccupancySource over SQL: a pool's live direct children from `prefixes` and its free
 * blocks from `free_blocks`. Each read is a seek to the row that holds `start` (the greatest range_start
 * <= start; children and free blocks are disjoint, so only that one can), then an index range scan in
 * address order; children of a subset of lengths are read per length (one seek each), so a page costs
 * O(lengths × log n + page) rows whatever the size of the space and the number of children.
 */
import type Database from "better-sqlite3";
import {
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
import { freeBlockCounts } from "./free-blocks.js";
import { childLengthHistogram, type PrefixRow } from "./prefixes.js";
import { prefixes } from "./schema.js";
import type { Db } from "./store.js";
import { getTableColumns } from "drizzle-orm";

interface FreeRow {
  prefix_len: number;
  range_start: string;
}

interface FreeParams {
  pool: number;
  start: string;
  maxLen: number;
  limit: number;
}

const freeStatements = new WeakMap<Database.Database, Database.Statement<[FreeParams], FreeRow>>();

function freeFromStatement(client: Database.Database) {
  let s = freeStatements.get(client);
  if (!s) {
    // Uses the primary key (pool_id, range_start) for both the seek and the scan.
    s = client.prepare<[FreeParams], FreeRow>(
      `SELECT prefix_len, range_start FROM free_blocks
       WHERE pool_id = @pool
         AND range_start >= coalesce(
           (SELECT max(range_start) FROM free_blocks WHERE pool_id = @pool AND range_start <= @start), @start)
         AND range_end >= @start AND prefix_len <= @maxLen
       ORDER BY range_start LIMIT @limit`,
    );
    freeStatements.set(client, s);
  }
  return s;
}

interface ChildParams {
  pool: number;
  start: string;
  limit: number;
  length?: number;
}
type RawRow = Record<string, unknown>;

const childCache = new WeakMap<
  Database.Database,
  { any: Database.Statement<[ChildParams], RawRow>; ofLength: Database.Statement<[ChildParams], RawRow> }
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
    s = { any: query(""), ofLength: query(" AND prefix_len = @length") };
    childCache.set(client, s);
  }
  return s;
}

const COLUMNS = Object.entries(getTableColumns(prefixes));

/** A raw `SELECT *` row as drizzle's PrefixRow (column names to keys). */
function toPrefixRow(raw: RawRow): PrefixRow {
  const row: RawRow = {};
  for (const [key, column] of COLUMNS) row[key] = raw[column.name];
  return row as PrefixRow;
}

/** An OccupancySource that also remembers the rows behind the prefixes it returned (the occupants). */
export interface SqlOccupancySource extends OccupancySource {
  /** The child row returned for this prefix by occupiedFrom. */
  rowOf(p: Prefix): PrefixRow | undefined;
}

const key = (p: Prefix) => `${p.start}/${p.length}`;

export function sqlOccupancySource(db: Db, pool: PrefixRow): SqlOccupancySource {
  const family = pool.family as Family;
  const longest = maxLength(family);
  const rows = new Map<string, PrefixRow>();
  const free = freeFromStatement(db.$client);
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
  /** Children (of one length, or of any) whose last address is >= start, by start: a seek, then a range scan. */
  const from = (start: string, limit: number, length?: number): PrefixRow[] =>
    (length === undefined
      ? children.any.all({ pool: pool.id, start, limit })
      : children.ofLength.all({ pool: pool.id, start, limit, length })
    ).map(toPrefixRow);

  return {
    occupiedFrom(start: bigint, limit: number, lengths: LengthRange = {}): Prefix[] {
      const all = lengthsPresent();
      const wanted = all.filter((l) => l >= (lengths.min ?? 0) && l <= (lengths.max ?? longest));
      const encoded = encodeAddress(start);
      let found: PrefixRow[];
      // Every length wanted: one scan of prefixes_parent_live_idx. Else one seek per wanted length on
      // prefixes_parent_len_live_idx, merged, so children of other lengths are never walked.
      if (wanted.length === all.length) found = from(encoded, limit);
      else if (wanted.length === 1) found = from(encoded, limit, wanted[0]);
      else {
        found = wanted
          .flatMap((l) => from(encoded, limit, l))
          .sort((a, b) => (a.rangeStart < b.rangeStart ? -1 : a.rangeStart > b.rangeStart ? 1 : 0))
          .slice(0, limit);
      }
      return found.map((r) => {
        const p = makePrefix(family, decodeAddress(r.rangeStart), r.prefixLen);
        rows.set(key(p), r);
        return p;
      });
    },
    freeFrom(start: bigint, maxLen: number, limit: number): Prefix[] {
      return free
        .all({ pool: pool.id, start: encodeAddress(start), maxLen, limit })
        .map((r) => makePrefix(family, decodeAddress(r.range_start), r.prefix_len));
    },
    rowOf: (p) => rows.get(key(p)),
  };
}

/** Live children (every kind) and free blocks of a pool counted by length: the input of blockCount. */
export function poolBlockCounts(db: Db, poolId: number): BlockCounts {
  const occupied = new Map<number, number>();
  for (const h of childLengthHistogram(db, poolId))
    occupied.set(h.prefixLen, (occupied.get(h.prefixLen) ?? 0) + h.n);
  return { occupied, free: freeBlockCounts(db, poolId) };
}

/** Used (allocations + child pools), reserved and free counts by length: the input of utilization. */
export function poolUtilizationCounts(db: Db, poolId: number): Omit<UtilizationCounts, "largestFree"> {
  const used = new Map<number, number>();
  const reserved = new Map<number, number>();
  for (const h of childLengthHistogram(db, poolId)) {
    const target = h.kind === "reservation" ? reserved : used;
    target.set(h.prefixLen, (target.get(h.prefixLen) ?? 0) + h.n);
  }
  return { used, reserved, free: freeBlockCounts(db, poolId) };
}
