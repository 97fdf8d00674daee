/**
 * The space of a pool: its blocks at a prefix length (computed lazily, never stored), its utilisation and
 * its reservations. Everything here reads counts and index ranges, so the cost does not grow with the size
 * of the address space: a page of /64s in an IPv6 /32 costs what a page of /24s in a /16 costs.
 */
import {
  AllocatorError,
  blockCount,
  blocksPageBeforeSteps,
  blocksPageSteps,
  adviseCandidate,
  mergeBuddies,
  rankAdviceCandidates,
  relocationFreeBlockLimits,
  relocationTakes,
  formatAddress,
  formatPrefix,
  parseAddress,
  prefixLast,
  utilization,
  type Block,
  type BlockStatus,
  type Prefix,
  type Utilization,
} from "../allocator/index.js";
import { countPrefixList, prefixListPage } from "../db/allocations.js";
import { poolBlockCounts, poolUtilizationCounts, runBlocks } from "../db/occupancy.js";
import { resolvePage, type Page, type PageArgs } from "../db/pagination.js";
import { liveChildLengthGroups, liveChildRowsWithin, longestLiveChildLength } from "../db/defragmentation.js";
import {
  countFreeBlocksOutside,
  freeBlocksAmong,
  largestFreeBlocksOf,
  lowestFreeBlocksOutside,
} from "../db/free-blocks.js";
import { rowPrefix, type PrefixRow } from "../db/prefixes.js";
import type { Store } from "../db/store.js";
import { Invalid } from "./errors.js";
import { largestFreeInPool } from "./placement.js";
import { toAllocationRecord, type AllocationRecord } from "./allocations.js";
import { toPoolRecord, type PoolRecord } from "./pools.js";
import { toReservationRecord, type ReservationRecord } from "./reservations.js";
import { requirePool } from "./validation.js";

/** What occupies a block (or stands in the way of freeing one): a child pool, an allocation or a reservation. */
export type OccupantRecord =
  | { kind: "pool"; record: PoolRecord }
  | { kind: "allocation"; record: AllocationRecord }
  | { kind: "reservation"; record: ReservationRecord };

export function toOccupantRecord(row: PrefixRow): OccupantRecord {
  if (row.kind === "pool") return { kind: "pool", record: toPoolRecord(row) };
  if (row.kind === "allocation") return { kind: "allocation", record: toAllocationRecord(row) };
  return { kind: "reservation", record: toReservationRecord(row) };
}

/** One block with the prefixes that occupy it (USED/INSIDE: one; PARTIAL: the first few inside). */
export interface BlockRecord {
  cidr: string;
  /** The block's first address: its cursor. */
  start: string;
  prefixLength: number;
  status: BlockStatus;
  occupants: OccupantRecord[];
  moreOccupants: boolean;
}

export interface BlocksArgs {
  prefixLength: number;
  status?: readonly BlockStatus[] | null;
  first?: number | null;
  /** The `start` of the last block already seen. */
  after?: string | null;
  /** Page backwards: this many blocks before `before` (or before the end). */
  last?: number | null;
  /** The `start` of the first block already seen (backward paging). */
  before?: string | null;
}

function parseCursor(pool: Prefix, field: "after" | "before", after: string): bigint {
  let value: bigint | undefined;
  try {
    const a = parseAddress(after);
    if (a.family === pool.family) value = a.value;
  } catch {
    /* reported below */
  }
  if (value === undefined || value < pool.start || value > prefixLast(pool)) {
    throw new Invalid(
      field,
      `"${after}" is not a block cursor of ${formatPrefix(pool)}; use a block's cursor`,
    );
  }
  return value;
}

function checkLength(pool: Prefix, length: number): void {
  const longest = pool.family === 4 ? 32 : 128;
  if (!Number.isInteger(length) || length < pool.length || length > longest) {
    throw new Invalid(
      "prefixLength",
      `cannot split ${formatPrefix(pool)} into /${length} blocks (allowed /${pool.length} to /${longest})`,
      { min: pool.length, max: longest },
    );
  }
}

/**
 * One page of a pool's blocks of `prefixLength`, optionally only some statuses; O(page + log n) rows.
 * Forwards with first/after, backwards with last/before (the page is in address order either way).
 * `count` (a bigint: an IPv6 pool holds more than 2^53 blocks) comes from per-length counts.
 */
export async function poolBlocks(
  store: Store,
  poolId: number,
  args: BlocksArgs,
  maxPageSize: number,
): Promise<{
  blocks: BlockRecord[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  count: () => Promise<bigint>;
}> {
  // The same page-size rules as every connection; block cursors are addresses, so they are parsed below.
  const { limit: size } = resolvePage({ first: args.first, last: args.last }, maxPageSize);
  const backward = args.last != null || (args.before != null && args.first == null);
  const status = args.status?.length ? [...new Set(args.status)] : undefined;
  return store.read(async (db) => {
    const pool = await requirePool(db, poolId, "poolId");
    const parent = rowPrefix(pool);
    checkLength(parent, args.prefixLength);
    const after = args.after ? parseCursor(parent, "after", args.after) : undefined;
    const before = args.before ? parseCursor(parent, "before", args.before) : undefined;
    let page: { blocks: Block[]; hasNextPage: boolean; hasPreviousPage: boolean };
    let rowOf: (p: Prefix) => PrefixRow | undefined;
    try {
      if (backward) {
        const run = await runBlocks(
          db,
          pool,
          blocksPageBeforeSteps(parent, args.prefixLength, { last: size, before, status }),
        );
        const p = run.result;
        rowOf = run.rowOf;
        page = { blocks: p.blocks, hasPreviousPage: p.hasPreviousPage, hasNextPage: before !== undefined };
      } else {
        const run = await runBlocks(
          db,
          pool,
          blocksPageSteps(parent, args.prefixLength, { first: size, after, status }),
        );
        const p = run.result;
        rowOf = run.rowOf;
        page = { blocks: p.blocks, hasNextPage: p.hasNextPage, hasPreviousPage: after !== undefined };
      }
    } catch (e) {
      if (e instanceof AllocatorError) throw new Invalid(backward ? "before" : "after", e.message);
      throw e;
    }
    const blocks = page.blocks.map((b): BlockRecord => ({
      cidr: formatPrefix(b.prefix),
      start: formatAddress(b.prefix.family, b.prefix.start),
      prefixLength: b.prefix.length,
      status: b.status,
      occupants: b.occupants
        .map((o) => rowOf(o)!)
        .filter(Boolean)
        .map(toOccupantRecord),
      moreOccupants: b.moreOccupants,
    }));
    return {
      blocks,
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      count: () =>
        store.read(async (db2) =>
          blockCount(parent, args.prefixLength, await poolBlockCounts(db2, pool.id), status),
        ),
    };
  });
}

/** How full a pool is, from per-length counts (never enumerating); O(distinct lengths + log n). */
export async function poolUtilization(store: Store, poolId: number): Promise<Utilization> {
  return store.read(async (db) => {
    const pool = await requirePool(db, poolId, "poolId");
    return utilization(rowPrefix(pool), {
      ...(await poolUtilizationCounts(db, pool.id)),
      largestFree: await largestFreeInPool(db, pool),
    });
  });
}

/** One keyset page of a pool's reservations in address order; the count runs on demand. */
export async function listReservations(
  store: Store,
  poolId: number,
  args: PageArgs,
  maxPageSize: number,
  includeDeleted = false,
): Promise<{ page: Page<ReservationRecord>; count: () => Promise<number> }> {
  const resolved = resolvePage(args, maxPageSize);
  const f = { kind: "reservation" as const, poolId, includeDeleted };
  const page = await store.read((db) => prefixListPage(db, f, resolved));
  return {
    page: { ...page, items: page.items.map(toReservationRecord) },
    count: () => store.read((db) => countPrefixList(db, f)),
  };
}

function checkFirst(first: number | null | undefined, maxPageSize: number, fallback: number): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 0 || n > maxPageSize) {
    throw new Invalid("first", `first must be an integer from 0 to ${maxPageSize}`, {
      min: 0,
      max: maxPageSize,
    });
  }
  return n;
}

/** The pool's `first` largest free blocks (shortest length first, lowest address among equals); O(log n + first). */
export async function poolLargestFreeBlocks(
  store: Store,
  poolId: number,
  first: number | null | undefined,
  maxPageSize: number,
): Promise<Prefix[]> {
  const limit = checkFirst(first, maxPageSize, 10);
  return store.read(async (db) => {
    const pool = await requirePool(db, poolId, "poolId");
    return largestFreeBlocksOf(db, pool.id, rowPrefix(pool).family, limit);
  });
}

/** One way to obtain a free block: the children in its way and where they could go. */
export interface DefragmentationAdviceRecord {
  block: Prefix;
  blockers: OccupantRecord[];
  addressesToMove: bigint;
  /** Per blocker (same order): its new place in the pool, or all undefined when they must be released. */
  moves: Prefix[] | undefined;
  freed: Prefix;
}

/**
 * The `first` cheapest ways to free an aligned block of `prefixLength` in the pool (default: one step larger than
 * its largest free block), ranked by how few children must move. Reads what the answer needs, not the pool: one
 * grouped count of the children per block, then per piece of advice its blockers, the few free blocks their
 * relocation can use (`relocationFreeBlockLimits`: per length at most one per blocker) and the buddies it merges
 * with. O(children) inside the database for the ranking, O(first × (b + L) × L) reads after it.
 */
export async function poolDefragmentationAdvice(
  store: Store,
  poolId: number,
  args: { first?: number | null; prefixLength?: number | null },
  maxPageSize: number,
): Promise<{ prefixLength: number | null; advice: DefragmentationAdviceRecord[] }> {
  const first = checkFirst(args.first, maxPageSize, 10);
  return store.read(async (db) => {
    const pool = await requirePool(db, poolId, "poolId");
    const parent = rowPrefix(pool);
    if (args.prefixLength != null) checkLength(parent, args.prefixLength);
    let length = args.prefixLength ?? undefined;
    if (length === undefined) {
      // One step larger than the largest free block; when nothing is free, the smallest child's length.
      const [largest] = await largestFreeBlocksOf(db, pool.id, parent.family, 1);
      length = largest
        ? largest.length > parent.length
          ? largest.length - 1
          : undefined
        : await longestLiveChildLength(db, pool.id);
    }
    if (length === undefined) return { prefixLength: null, advice: [] };
    const candidates = rankAdviceCandidates(
      parent,
      length,
      await liveChildLengthGroups(db, pool.id, parent.family, length),
      first,
    );
    const advice: DefragmentationAdviceRecord[] = [];
    for (const c of candidates) {
      const blockers = await liveChildRowsWithin(db, pool.id, c.block);
      const lengths = blockers.map((b) => b.prefixLen);
      const limits = relocationFreeBlockLimits(parent, lengths);
      // Count (capped) what lies outside the block per length, replay packMany's choices on the counts, then read
      // only the lowest blocks of the lengths it takes from.
      const available = new Map<number, number>();
      for (const [l, limit] of limits)
        available.set(l, await countFreeBlocksOutside(db, pool.id, l, c.block, limit));
      const nearby: Prefix[] = [];
      for (const [l, n] of relocationTakes(parent, lengths, available))
        for (const f of await lowestFreeBlocksOutside(
          db,
          pool.id,
          parent.family,
          l,
          c.block,
          Math.min(n, limits.get(l)!),
        ))
          nearby.push(f);
      for (const f of await freeBlocksAmong(db, pool.id, mergeBuddies(parent, c.block))) nearby.push(f);
      const a = adviseCandidate(parent, c, blockers, rowPrefix, nearby);
      advice.push({ ...a, blockers: a.blockers.map(toOccupantRecord), moves: a.moves && [...a.moves] });
    }
    return { prefixLength: length, advice };
  });
}
