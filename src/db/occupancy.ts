/**
 * The blocks view's OccupancySource over SQL: a pool's live direct children from `prefixes` and its free
 * blocks from `free_blocks`. Each method is one statement: a seek to the row that holds `start` (the
 * greatest range_start <= start; children and free blocks are disjoint, so only that one can), then an
 * index range scan in address order. So a page costs O(log n + page) rows whatever the size of the space.
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
import { and, asc, eq, gte, isNull, lte, sql } from "drizzle-orm";

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
  return {
    occupiedFrom(start: bigint, limit: number, lengths: LengthRange = {}): Prefix[] {
      const from = encodeAddress(start);
      // The partial index prefixes_parent_live_idx (parent_id, range_start) WHERE released_at IS NULL.
      const holderStart = sql`coalesce((SELECT max(h.range_start) FROM prefixes h
        WHERE h.parent_id = ${pool.id} AND h.released_at IS NULL AND h.range_start <= ${from}), ${from})`;
      const found = db
        .select()
        .from(prefixes)
        .where(
          and(
            eq(prefixes.parentId, pool.id),
            isNull(prefixes.releasedAt),
            gte(prefixes.rangeStart, holderStart),
            gte(prefixes.rangeEnd, from),
            lengths.min !== undefined ? gte(prefixes.prefixLen, lengths.min) : undefined,
            lengths.max !== undefined && lengths.max < longest
              ? lte(prefixes.prefixLen, lengths.max)
              : undefined,
          ),
        )
        .orderBy(asc(prefixes.rangeStart))
        .limit(limit)
        .all();
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
