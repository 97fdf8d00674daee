/**
 * The reads of defragmentation advice over `prefixes` (the free-block reads are in free-blocks.ts): what it takes
 * to rank and explain candidates without loading every child of the pool. Dialect-neutral query builders (the
 * ranges are 32-hex-digit text on both backends, so a hex prefix of range_start is a block of the address space).
 */
import { and, asc, count, eq, gte, isNull, lte, max, sql } from "drizzle-orm";
import { decodeAddress, encodeAddress, prefixLast, type Family, type Prefix } from "../allocator/index.js";
import type { PrefixRow } from "./prefixes.js";
import { prefixes } from "./schema.js";
import type { Db } from "./store.js";

const live = isNull(prefixes.releasedAt);

/**
 * The pool's live direct children of length >= `length`, counted per length and per hex prefix of their start
 * fine enough that no group spans two aligned blocks of `length` (at most 3 bits finer: up to 8 groups a block).
 * One index scan of prefixes_parent_len_live_idx (parent_id, prefix_len, range_start), aggregated in the
 * database: O(children) there, O(groups) rows out.
 */
export async function liveChildLengthGroups(
  db: Db,
  poolId: number,
  family: Family,
  length: number,
): Promise<{ start: bigint; length: number; count: number }[]> {
  // range_start is 128 bits; an IPv4 address is its low 32.
  const digits = Math.ceil((128 - (family === 4 ? 32 : 128) + length) / 4);
  const group = sql<string>`substr(${prefixes.rangeStart}, 1, ${sql.raw(String(digits))})`;
  const rows = await db
    .select({ g: group, len: prefixes.prefixLen, n: count() })
    .from(prefixes)
    .where(and(eq(prefixes.parentId, poolId), live, gte(prefixes.prefixLen, length)))
    .groupBy(group, prefixes.prefixLen);
  return rows.map((r) => ({
    start: decodeAddress(r.g.padEnd(32, "0")),
    length: r.len,
    count: Number(r.n),
  }));
}

/** The pool's live direct children inside `block` (whole rows), in address order; O(log n + found). */
export async function liveChildRowsWithin(db: Db, poolId: number, block: Prefix): Promise<PrefixRow[]> {
  return db
    .select()
    .from(prefixes)
    .where(
      and(
        eq(prefixes.parentId, poolId),
        live,
        gte(prefixes.rangeStart, encodeAddress(block.start)),
        lte(prefixes.rangeStart, encodeAddress(prefixLast(block))),
      ),
    )
    .orderBy(asc(prefixes.rangeStart));
}

/** The longest prefix length among the pool's live direct children (its smallest child); O(log n). */
export async function longestLiveChildLength(db: Db, poolId: number): Promise<number | undefined> {
  const [row] = await db
    .select({ len: max(prefixes.prefixLen) })
    .from(prefixes)
    .where(and(eq(prefixes.parentId, poolId), live));
  return row?.len ?? undefined;
}
