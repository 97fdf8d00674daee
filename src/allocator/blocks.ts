/**
 * The blocks view: a parent split at length N, each block FREE, USED, PARTIAL or INSIDE.
 *
 * A page is the merge of up to four lazy streams, one per status, each read from the data that holds only
 * its blocks: FREE from the free blocks of length <= N, USED from children of length N, INSIDE from children
 * shorter than N, PARTIAL from children longer than N (one seek per dense block). So a page costs
 * O(page + log n) source rows whatever the size of the space, and a FREE-only page never walks used blocks.
 */
import { AllocatorError } from "./errors.js";
import { freeBlocks } from "./free-space.js";
import { blockSize, formatPrefix, maxLength, prefixLast, type Prefix } from "./prefix.js";

export type BlockStatus = "FREE" | "USED" | "PARTIAL" | "INSIDE";

export const BLOCK_STATUSES: readonly BlockStatus[] = ["FREE", "USED", "PARTIAL", "INSIDE"];

/** One block of length N with what occupies it. */
export interface Block {
  readonly prefix: Prefix;
  readonly status: BlockStatus;
  /** USED/INSIDE: the one occupying prefix; PARTIAL: the first `occupantLimit` prefixes inside; FREE: none. */
  readonly occupants: readonly Prefix[];
  /** PARTIAL only: true when more occupants exist than are listed. */
  readonly moreOccupants: boolean;
}

/** Inclusive bounds on prefix length; absent means unbounded. */
export interface LengthRange {
  readonly min?: number;
  readonly max?: number;
}

/**
 * Where the blocks view reads a parent's occupancy. Both methods answer one indexed range query
 * (`range_end >= start ORDER BY range_start LIMIT limit`, plus a prefix_len bound).
 */
export interface OccupancySource {
  /**
   * Direct children of the parent (allocations, reservations, child pools; disjoint) whose length is within
   * `lengths` and whose last address is >= start, sorted by start: the first one contains `start` or is the
   * next after it. At most `limit`.
   */
  occupiedFrom(start: bigint, limit: number, lengths?: LengthRange): Prefix[];
  /**
   * Free maximal blocks (as in `freeBlocks` / the free-block table) with length <= maxLength and last address
   * >= start, sorted by start; at most `limit`. Optional: without it FREE blocks are found from the gaps
   * between children, which walks every child in between.
   */
  freeFrom?(start: bigint, maxLength: number, limit: number): Prefix[];
}

export interface BlocksPageOptions {
  /** The start of the last block already seen (the cursor); the page starts at the next block. */
  readonly after?: bigint;
  /** Page size. */
  readonly first: number;
  /** Only blocks with these statuses (default: all). */
  readonly status?: readonly BlockStatus[];
  /** How many occupants a PARTIAL block lists (default 16). */
  readonly occupantLimit?: number;
}

export interface BlocksPage {
  readonly blocks: Block[];
  readonly hasNextPage: boolean;
}

/**
 * Reads a sorted source in batches, following on from the last item, with a seek to skip ahead. Batches start
 * small and double up to `maxBatch`: one large free block or covering child often fills a whole page.
 */
class SortedReader {
  private items: Prefix[] = [];
  private index = 0;
  private exhausted = false;
  private batch: number;

  constructor(
    private readonly fetch: (start: bigint, limit: number) => Prefix[],
    private readonly maxBatch: number,
    start: bigint,
  ) {
    this.batch = Math.min(maxBatch, 8);
    this.load(start);
  }

  private load(start: bigint): void {
    this.items = this.fetch(start, this.batch);
    this.index = 0;
    this.exhausted = this.items.length < this.batch;
    this.batch = Math.min(this.maxBatch, this.batch * 2);
  }

  peek(): Prefix | undefined {
    if (this.index < this.items.length) return this.items[this.index];
    if (this.exhausted) return undefined;
    this.load(prefixLast(this.items[this.items.length - 1]!) + 1n);
    return this.items[this.index];
  }

  advance(): void {
    this.index++;
  }

  /** Skips items that end before `start`, re-querying from `start` rather than reading through a long run. */
  seek(start: bigint): void {
    const current = this.items[this.index];
    if (current && prefixLast(current) >= start) return;
    const lastBuffered = this.items[this.items.length - 1];
    if (lastBuffered && prefixLast(lastBuffered) >= start) {
      while (prefixLast(this.items[this.index]!) < start) this.index++;
    } else if (!this.exhausted) {
      this.load(start);
    } else {
      this.index = this.items.length;
    }
  }
}

interface Geometry {
  readonly parent: Prefix;
  readonly length: number;
  readonly size: bigint;
  /** Clears the offset inside an N-block (the parent is aligned to N, so this gives the block start). */
  readonly mask: bigint;
  readonly last: bigint;
}

function block(
  g: Geometry,
  start: bigint,
  status: BlockStatus,
  occupants: readonly Prefix[],
  more = false,
): Block {
  return {
    prefix: { family: g.parent.family, start, length: g.length },
    status,
    occupants,
    moreOccupants: more,
  };
}

function alignUp(g: Geometry, address: bigint): bigint {
  const offset = address - g.parent.start;
  const rest = offset % g.size;
  return rest === 0n ? address : address + (g.size - rest);
}

/** Every N-block inside `covering` (an occupied or free prefix of length <= N) from `from` on. */
function* blocksWithin(
  g: Geometry,
  covering: Prefix,
  from: bigint,
  status: BlockStatus,
  occupants: Prefix[],
) {
  const end = prefixLast(covering);
  for (let start = covering.start > from ? covering.start : from; start <= end; start += g.size) {
    yield block(g, start, status, occupants);
  }
}

function* coveringStream(g: Geometry, reader: SortedReader, from: bigint, status: BlockStatus) {
  for (let o = reader.peek(); o; reader.advance(), o = reader.peek()) {
    yield* blocksWithin(g, o, from, status, status === "FREE" ? [] : [o]);
  }
}

function* partialStream(g: Geometry, reader: SortedReader, occupantLimit: number) {
  let skipTo: bigint | undefined;
  for (;;) {
    // Seek only when the next block is pulled, so the page's last block costs no extra query.
    if (skipTo !== undefined) reader.seek(skipTo);
    let o = reader.peek();
    if (!o) return;
    const start = o.start & g.mask;
    const end = start + g.size - 1n;
    const occupants: Prefix[] = [];
    skipTo = undefined;
    while (o && o.start <= end) {
      if (occupants.length === occupantLimit) {
        skipTo = end + 1n;
        break;
      }
      occupants.push(o);
      reader.advance();
      o = reader.peek();
    }
    yield block(g, start, "PARTIAL", occupants, skipTo !== undefined);
  }
}

/** FREE blocks from the gaps between children, for sources without freeFrom. */
function* gapStream(g: Geometry, reader: SortedReader, from: bigint) {
  let position = from;
  for (;;) {
    const o = reader.peek();
    const gapEnd = o ? o.start - 1n : g.last;
    for (let start = alignUp(g, position); start + g.size - 1n <= gapEnd; start += g.size) {
      yield block(g, start, "FREE", []);
    }
    if (!o) return;
    const after = prefixLast(o) + 1n;
    if (after > position) position = after;
    reader.advance();
  }
}

function checkGeometry(parent: Prefix, length: number): Geometry {
  if (!Number.isInteger(length) || length < parent.length || length > maxLength(parent.family)) {
    throw new AllocatorError(
      "LENGTH_OUT_OF_RANGE",
      `cannot split ${formatPrefix(parent)} into /${length} blocks (allowed /${parent.length} to /${maxLength(parent.family)})`,
      { length, min: parent.length, max: maxLength(parent.family), parent: formatPrefix(parent) },
    );
  }
  const size = blockSize(parent.family, length);
  return { parent, length, size, mask: ~(size - 1n), last: prefixLast(parent) };
}

/** One page of parent's N-blocks in address order, optionally filtered by status; O(page + log n) source rows. */
export function blocksPage(
  parent: Prefix,
  length: number,
  source: OccupancySource,
  options: BlocksPageOptions,
): BlocksPage {
  const g = checkGeometry(parent, length);
  const first = Math.max(0, Math.floor(options.first));
  const occupantLimit = Math.max(0, options.occupantLimit ?? 16);
  const wanted = new Set(options.status ?? BLOCK_STATUSES);
  let from = parent.start;
  if (options.after !== undefined) {
    if (options.after < parent.start || options.after > g.last) {
      throw new AllocatorError("OUTSIDE_PARENT", `the cursor is outside ${formatPrefix(parent)}`, {
        after: options.after.toString(),
        parent: formatPrefix(parent),
      });
    }
    from = (options.after & g.mask) + g.size;
  }
  if (from > g.last || wanted.size === 0) return { blocks: [], hasNextPage: false };

  const batch = first + 1;
  const occupied = (lengths: LengthRange, size: number) =>
    new SortedReader((start, limit) => source.occupiedFrom(start, limit, lengths), size, from);
  const streams: Iterator<Block>[] = [];
  if (wanted.has("FREE")) {
    const freeFrom = source.freeFrom?.bind(source);
    streams.push(
      freeFrom
        ? coveringStream(g, new SortedReader((s, l) => freeFrom(s, length, l), batch, from), from, "FREE")
        : gapStream(g, occupied({}, batch), from),
    );
  }
  if (wanted.has("USED"))
    streams.push(coveringStream(g, occupied({ min: length, max: length }, batch), from, "USED"));
  if (wanted.has("INSIDE") && length > parent.length) {
    streams.push(coveringStream(g, occupied({ max: length - 1 }, batch), from, "INSIDE"));
  }
  if (wanted.has("PARTIAL") && length < maxLength(parent.family)) {
    streams.push(
      partialStream(g, occupied({ min: length + 1 }, Math.max(2, occupantLimit + 1)), occupantLimit),
    );
  }

  // k-way merge by start; the streams never yield the same block, since a block has one status.
  const heads = streams.map((s) => s.next());
  const blocks: Block[] = [];
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i]!;
      if (head.done) continue;
      const current = heads[best];
      if (!current || head.value.prefix.start < (current.value as Block).prefix.start) best = i;
    }
    if (best < 0) return { blocks, hasNextPage: false };
    if (blocks.length === first) return { blocks, hasNextPage: true };
    blocks.push(heads[best]!.value as Block);
    heads[best] = streams[best]!.next();
  }
}

/** Counts of prefixes by length, e.g. from `SELECT prefix_len, count(*) ... GROUP BY prefix_len`. */
export type LengthHistogram = ReadonlyMap<number, number>;

/** What blockCount needs: occupied children and free maximal blocks, counted by length. */
export interface BlockCounts {
  readonly occupied: LengthHistogram;
  readonly free: LengthHistogram;
}

function blocksOf(histogram: LengthHistogram, length: number, accept: (l: number) => boolean): bigint {
  let total = 0n;
  for (const [l, count] of histogram) if (accept(l)) total += BigInt(count) << BigInt(length - l);
  return total;
}

/** The number of N-blocks of parent (with one of the statuses, default all) from per-length counts; O(lengths). */
export function blockCount(
  parent: Prefix,
  length: number,
  counts: BlockCounts,
  status: readonly BlockStatus[] = BLOCK_STATUSES,
): bigint {
  checkGeometry(parent, length);
  const total = 1n << BigInt(length - parent.length);
  const used = blocksOf(counts.occupied, length, (l) => l === length);
  const inside = blocksOf(counts.occupied, length, (l) => l < length);
  const free = blocksOf(counts.free, length, (l) => l <= length);
  const byStatus: Record<BlockStatus, bigint> = {
    FREE: free,
    USED: used,
    INSIDE: inside,
    PARTIAL: total - used - inside - free,
  };
  let sum = 0n;
  for (const s of new Set(status)) sum += byStatus[s];
  return sum;
}

/** Prefixes of one length sorted by start; within a length, last addresses are sorted too. */
function sortedByLength(prefixes: Iterable<Prefix>): Map<number, Prefix[]> {
  const byLength = new Map<number, Prefix[]>();
  for (const p of prefixes) {
    let list = byLength.get(p.length);
    if (!list) byLength.set(p.length, (list = []));
    list.push(p);
  }
  for (const list of byLength.values())
    list.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  return byLength;
}

/** The first index whose last address is >= start. */
function lowerBound(list: SortedList, start: bigint): number {
  let low = 0;
  let high = list.lasts.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (list.lasts[mid]! < start) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Disjoint prefixes sorted by start, with their last addresses (sorted too) for allocation-free searches. */
interface SortedList {
  readonly items: Prefix[];
  readonly lasts: bigint[];
}

/** Prefixes sorted by start, all of them and per length. */
interface SortedIndex {
  readonly all: SortedList;
  readonly byLength: Map<number, SortedList>;
}

function sortedList(items: Prefix[]): SortedList {
  return { items, lasts: items.map(prefixLast) };
}

function sortedIndex(sorted: Prefix[]): SortedIndex {
  const byLength = new Map<number, SortedList>();
  for (const [length, items] of sortedByLength(sorted)) byLength.set(length, sortedList(items));
  return { all: sortedList(sorted), byLength };
}

/**
 * Items within the length bounds from start on: one binary search when the bounds cover every stored length,
 * else a merge of the per-length lists; O(log n + limit), or O(lengths * (log n + limit)).
 */
function rangeQuery(index: SortedIndex, start: bigint, limit: number, min: number, max: number): Prefix[] {
  const lengths = [...index.byLength.keys()];
  if (lengths.every((l) => l >= min && l <= max)) {
    const from = lowerBound(index.all, start);
    return index.all.items.slice(from, from + limit);
  }
  const cursors: { items: Prefix[]; at: number }[] = [];
  for (const [length, list] of index.byLength) {
    if (length < min || length > max) continue;
    const at = lowerBound(list, start);
    if (at < list.items.length) cursors.push({ items: list.items, at });
  }
  const out: Prefix[] = [];
  while (out.length < limit) {
    let best: { items: Prefix[]; at: number } | undefined;
    for (const c of cursors) {
      if (c.at < c.items.length && (!best || c.items[c.at]!.start < best.items[best.at]!.start)) best = c;
    }
    if (!best) break;
    out.push(best.items[best.at]!);
    best.at++;
  }
  return out;
}

/** An OccupancySource over arrays of disjoint children; O(n log n) to build, O(lengths·(log n + limit)) a query. */
export function memoryOccupancySource(parent: Prefix, occupied: Iterable<Prefix>): OccupancySource {
  const sorted = [...occupied].sort((a, b) =>
    a.start < b.start ? -1 : a.start > b.start ? 1 : a.length - b.length,
  );
  const occupiedByLength = sortedIndex(sorted);
  const freeByLength = sortedIndex([...freeBlocks(parent, sorted)]);
  const longest = maxLength(parent.family);
  return {
    occupiedFrom: (start, limit, lengths = {}) =>
      rangeQuery(occupiedByLength, start, limit, lengths.min ?? 0, lengths.max ?? longest),
    freeFrom: (start, maxLengthIncluded, limit) =>
      rangeQuery(freeByLength, start, limit, 0, maxLengthIncluded),
  };
}
