/**
 * The blocks view: a parent split at length N, each block FREE, USED, PARTIAL or INSIDE.
 *
 * A page is a sweep over up to four lanes, one per status, each read from the data that holds only its blocks:
 * FREE from the free blocks of length <= N, USED from children of length N, INSIDE from children shorter than
 * N, PARTIAL from children longer than N (one seek per dense block). So a page costs O(page + log n) source
 * rows whatever the size of the space, and a FREE-only page never walks used blocks. A page backwards is the
 * same sweep over the parent seen in a mirror (address a read as first + last - a).
 *
 * One algorithm, two drivers (as the allocator's free-block programs, ./free-index.ts): the sweep is written
 * once as a generator *program* (`blocksPageSteps`, `blocksPageBeforeSteps`) that yields each source read as an
 * `OccupancyRead` value and receives its rows. `runOccupancySync` answers from a synchronous `OccupancySource`
 * (in memory, SQLite prepared statements: same tick), so `blocksPage` / `blocksPageBefore` stay plain functions;
 * `runOccupancyAsync` awaits an `AsyncOccupancySource` (PostgreSQL: one round trip per read).
 */
import { AllocatorError } from "./errors.js";
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
 * Where the blocks view reads a parent's occupancy. Each method answers one indexed range query
 * (`range_end >= start ORDER BY range_start LIMIT limit`, or `range_start <= end ORDER BY range_start DESC`
 * backwards, plus a prefix_len bound).
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
  /**
   * occupiedFrom backwards: children within `lengths` whose start is <= end, by start descending (the first
   * one contains `end` or is the nearest before it). At most `limit`.
   */
  occupiedBefore(end: bigint, limit: number, lengths?: LengthRange): Prefix[];
  /** freeFrom backwards: free maximal blocks with length <= maxLength and start <= end, by start descending. */
  freeBefore?(end: bigint, maxLength: number, limit: number): Prefix[];
}

/** OccupancySource for a driver that awaits its answers (PostgreSQL): the same reads, as promises. */
export type AsyncOccupancySource = { [K in keyof OccupancySource]: Promisified<OccupancySource[K]> };
type Promisified<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : F;

/** One read of an OccupancySource, as a value: what the blocks programs yield (`at` is start or end). */
export type OccupancyRead =
  | {
      readonly op: "occupiedFrom" | "occupiedBefore";
      readonly at: bigint;
      readonly limit: number;
      readonly lengths: LengthRange;
    }
  | {
      readonly op: "freeFrom" | "freeBefore";
      readonly at: bigint;
      readonly maxLength: number;
      readonly limit: number;
    };

/** The blocks view's algorithm: yields source reads, receives their rows, returns T. */
export type BlocksProgram<T> = Generator<OccupancyRead, T, Prefix[]>;

/** One read against a source of either kind (R = Prefix[] or Promise<Prefix[]>). */
function read<R>(
  source: {
    occupiedFrom(start: bigint, limit: number, lengths?: LengthRange): R;
    occupiedBefore(end: bigint, limit: number, lengths?: LengthRange): R;
    freeFrom?(start: bigint, maxLength: number, limit: number): R;
    freeBefore?(end: bigint, maxLength: number, limit: number): R;
  },
  r: OccupancyRead,
): R {
  switch (r.op) {
    case "occupiedFrom":
      return source.occupiedFrom(r.at, r.limit, r.lengths);
    case "occupiedBefore":
      return source.occupiedBefore(r.at, r.limit, r.lengths);
    case "freeFrom":
      return source.freeFrom!(r.at, r.maxLength, r.limit);
    case "freeBefore":
      return source.freeBefore!(r.at, r.maxLength, r.limit);
  }
}

/** Runs a blocks program against a synchronous source; O(1) per read on top of the source's own cost. */
export function runOccupancySync<T>(program: BlocksProgram<T>, source: OccupancySource): T {
  let step = program.next();
  while (!step.done) step = program.next(read(source, step.value));
  return step.value;
}

/** Runs a blocks program against an asynchronous source: one await per read. */
export async function runOccupancyAsync<T>(
  program: BlocksProgram<T>,
  source: AsyncOccupancySource,
): Promise<T> {
  let step = program.next();
  while (!step.done) step = program.next(await read(source, step.value));
  return step.value;
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

export interface BlocksPageBeforeOptions {
  /** The start of the first block already seen (the cursor); the page ends at the block before. Default: the end. */
  readonly before?: bigint;
  /** Page size. */
  readonly last: number;
  /** Only blocks with these statuses (default: all). */
  readonly status?: readonly BlockStatus[];
  /** How many occupants a PARTIAL block lists (default 16): the first ones in address order, as forwards. */
  readonly occupantLimit?: number;
}

export interface BlocksPageBefore {
  /** In address order, like a forward page. */
  readonly blocks: Block[];
  readonly hasPreviousPage: boolean;
}

/**
 * Reads a sorted source in batches, following on from the last item, with a seek to skip ahead. Batches start at
 * `initial` and double up to `max` (one large free block or covering child often fills a whole page); a seek
 * that has to query again starts over at `initial`, since a skip means the rows just read were not wanted.
 * A read is yielded (`query` builds it); `head()` answers without one when the current item is buffered.
 */
class SortedReader {
  private items: Prefix[] = [];
  private index = 0;
  private exhausted = false;
  private loaded = false;
  private batch: number;

  constructor(
    private readonly query: (start: bigint, limit: number) => OccupancyRead,
    private readonly initial: number,
    private readonly max: number,
    private readonly start: bigint,
  ) {
    this.batch = Math.min(initial, max);
  }

  private *load(start: bigint): BlocksProgram<void> {
    this.loaded = true;
    this.items = yield this.query(start, this.batch);
    this.index = 0;
    this.exhausted = this.items.length < this.batch;
    this.batch = Math.min(this.max, this.batch * 2);
  }

  /** The current item if it is buffered; undefined when a read may be needed (then `peek`). */
  head(): Prefix | undefined {
    return this.items[this.index];
  }

  /** The current item, reading the next batch when the buffer is used up; undefined at the end. */
  *peek(): BlocksProgram<Prefix | undefined> {
    if (this.index < this.items.length) return this.items[this.index];
    if (!this.loaded) yield* this.load(this.start);
    else if (this.exhausted) return undefined;
    else yield* this.load(prefixLast(this.items[this.items.length - 1]!) + 1n);
    return this.items[this.index];
  }

  advance(): void {
    this.index++;
  }

  /** Skips items that end before `start`, re-querying from `start` rather than reading through a long run. */
  *seek(start: bigint): BlocksProgram<void> {
    const current = this.items[this.index];
    if (current && prefixLast(current) >= start) return;
    const lastBuffered = this.items[this.items.length - 1];
    if (lastBuffered && prefixLast(lastBuffered) >= start) {
      while (prefixLast(this.items[this.index]!) < start) this.index++;
    } else if (!this.exhausted) {
      this.batch = Math.min(this.initial, this.max);
      yield* this.load(start);
    } else {
      this.index = this.items.length;
    }
  }
}

const NO_OCCUPANTS: readonly Prefix[] = Object.freeze([]);

/** The split: N, the size of an N-block and the mask that clears the offset inside one. */
interface Geometry {
  readonly family: Prefix["family"];
  readonly length: number;
  readonly size: bigint;
  readonly mask: bigint;
}

/** How a lane turns what it reads into blocks. */
const enum LaneKind {
  /** FREE, USED, INSIDE: prefixes of length <= N, each yielding every N-block inside it. */
  Covering,
  /** Children longer than N, grouped by the N-block that holds them. */
  Partial,
  /** FREE blocks found in the gaps between all children, for sources without freeFrom. */
  Gap,
}

/**
 * The blocks of one status, read from the one sorted source that holds them. All lanes share one shape (one
 * hidden class), so the sweep stays monomorphic.
 */
interface Lane {
  readonly kind: LaneKind;
  readonly status: BlockStatus;
  readonly reader: SortedReader;
  /** The start of the next block this lane yields; undefined when it has no more. */
  next: bigint | undefined;
  /**
   * Covering: the blocks of the current item still to yield, counted (no bigint per block); -1 when the item
   * holds 2^31 blocks or more, which no page exhausts.
   */
  left: number;
  /** Covering: the occupant list shared by the current item's blocks. */
  occupants: readonly Prefix[];
  /** Gap: where the next gap may start (the end of the children walked, or of the last gap block). */
  position: bigint;
  /** Gap: the parent's last address. */
  readonly last: bigint;
}

function makeLane(
  kind: LaneKind,
  status: BlockStatus,
  reader: SortedReader,
  from: bigint,
  last: bigint,
): Lane {
  return { kind, status, reader, next: undefined, left: 0, occupants: NO_OCCUPANTS, position: from, last };
}

/** Points a covering lane at its reader's current item; `pos` is where the page stands (the item ends at or after it). */
function* coverHead(g: Geometry, l: Lane, pos: bigint): BlocksProgram<void> {
  const o = yield* l.reader.peek();
  if (!o) {
    l.next = undefined;
    return;
  }
  const shift = g.length - o.length;
  l.left = shift > 30 ? -1 : 1 << shift;
  l.occupants = l.status === "FREE" ? NO_OCCUPANTS : [o];
  if (o.start >= pos) l.next = o.start;
  else {
    // The page starts inside the item: skip the blocks before it.
    l.next = pos;
    if (l.left > 0) l.left -= Number((pos - o.start) / g.size);
  }
}

/** Points a PARTIAL lane at the block holding its reader's current item. */
function* partialHead(g: Geometry, l: Lane): BlocksProgram<void> {
  const o = l.reader.head() ?? (yield* l.reader.peek());
  l.next = o ? o.start & g.mask : undefined;
}

/** Points a gap lane at the first N-block wholly inside a gap between children, at or after its position. */
function* gapHead(parent: Prefix, g: Geometry, l: Lane): BlocksProgram<void> {
  for (;;) {
    const o = l.reader.head() ?? (yield* l.reader.peek());
    const gapEnd = o ? o.start - 1n : l.last;
    const rest = (l.position - parent.start) % g.size;
    const start = rest === 0n ? l.position : l.position + (g.size - rest);
    if (start + g.size - 1n <= gapEnd) {
      l.next = start;
      return;
    }
    if (!o) {
      l.next = undefined;
      return;
    }
    const after = prefixLast(o) + 1n;
    if (after > l.position) l.position = after;
    l.reader.advance();
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
  return { family: parent.family, length, size, mask: ~(size - 1n) };
}

/** Refuses a cursor outside the parent (it may be any address inside, not only a block start). */
function checkCursor(parent: Prefix, last: bigint, name: "after" | "before", cursor: bigint): void {
  if (cursor < parent.start || cursor > last) {
    throw new AllocatorError("OUTSIDE_PARENT", `the cursor is outside ${formatPrefix(parent)}`, {
      [name]: cursor.toString(),
      parent: formatPrefix(parent),
    });
  }
}

function block(
  g: Geometry,
  start: bigint,
  status: BlockStatus,
  occupants: readonly Prefix[],
  more: boolean,
): Block {
  return { prefix: { family: g.family, start, length: g.length }, status, occupants, moreOccupants: more };
}

/**
 * One page of parent's N-blocks in address order, optionally filtered by status; O(page + log n) source rows.
 *
 * A sweep over up to four lanes, one per wanted status, kept in order of their next block: the first lane
 * yields a block and moves back into place, so a run of blocks from one lane costs one comparison each. The
 * lanes never yield the same block, since children and free blocks are disjoint.
 */
export function blocksPage(
  parent: Prefix,
  length: number,
  source: OccupancySource,
  options: BlocksPageOptions,
): BlocksPage {
  return runOccupancySync(blocksPageSteps(parent, length, options, !!source.freeFrom), source);
}

/**
 * Program: blocksPage (yields the source reads). `withFree`: the source answers freeFrom; without it FREE
 * blocks come from the gaps between children.
 */
export function* blocksPageSteps(
  parent: Prefix,
  length: number,
  options: BlocksPageOptions,
  withFree = true,
): BlocksProgram<BlocksPage> {
  const g = checkGeometry(parent, length);
  const last = prefixLast(parent);
  const first = Math.max(0, Math.floor(options.first));
  const occupantLimit = Math.max(0, options.occupantLimit ?? 16);
  const wanted = new Set(options.status ?? BLOCK_STATUSES);
  let from = parent.start;
  if (options.after !== undefined) {
    checkCursor(parent, last, "after", options.after);
    from = (options.after & g.mask) + g.size;
  }
  if (from > last || wanted.size === 0) return { blocks: [], hasNextPage: false };

  const batch = first + 1;
  const occupied = (lengths: LengthRange, initial = 8, max = batch) =>
    new SortedReader(
      (at, limit): OccupancyRead => ({ op: "occupiedFrom", at, limit, lengths }),
      initial,
      max,
      from,
    );
  const lanes: Lane[] = [];
  const covering = (status: BlockStatus, reader: SortedReader) => {
    const l = makeLane(LaneKind.Covering, status, reader, from, last);
    lanes.push(l);
    return l;
  };
  if (wanted.has("FREE")) {
    if (withFree) {
      const free = new SortedReader(
        (at, limit): OccupancyRead => ({ op: "freeFrom", at, maxLength: length, limit }),
        8,
        batch,
        from,
      );
      yield* coverHead(g, covering("FREE", free), from);
    } else {
      const l = makeLane(LaneKind.Gap, "FREE", occupied({}), from, last);
      yield* gapHead(parent, g, l);
      lanes.push(l);
    }
  }
  if (wanted.has("USED")) yield* coverHead(g, covering("USED", occupied({ min: length, max: length })), from);
  if (wanted.has("INSIDE") && length > parent.length)
    yield* coverHead(g, covering("INSIDE", occupied({ max: length - 1 })), from);
  if (wanted.has("PARTIAL") && length < maxLength(parent.family)) {
    // A PARTIAL block reads at most occupantLimit + 1 rows before it skips ahead, so batches start there.
    const perBlock = Math.max(2, occupantLimit + 1);
    const l = makeLane(LaneKind.Partial, "PARTIAL", occupied({ min: length + 1 }, perBlock), from, last);
    yield* partialHead(g, l);
    lanes.push(l);
  }

  const active = lanes.filter((l) => l.next !== undefined).sort((a, b) => (a.next! < b.next! ? -1 : 1));
  const blocks: Block[] = [];
  while (active.length > 0) {
    if (blocks.length === first) return { blocks, hasNextPage: true };
    const l = active[0]!;
    const start = l.next!;
    const pos = start + g.size;
    if (l.kind === LaneKind.Covering) {
      blocks.push(block(g, start, l.status, l.occupants, false));
      if (l.left < 0 || --l.left > 0) l.next = pos;
      else {
        // The next item starts after this one ends, so at or after pos.
        l.reader.advance();
        const o = l.reader.head() ?? (yield* l.reader.peek());
        if (o) {
          const shift = g.length - o.length;
          l.left = shift > 30 ? -1 : 1 << shift;
          l.occupants = l.status === "FREE" ? NO_OCCUPANTS : [o];
          l.next = o.start;
        } else l.next = undefined;
      }
    } else if (l.kind === LaneKind.Partial) {
      const occupants: Prefix[] = [];
      const reader = l.reader;
      let o = reader.head() ?? (yield* reader.peek());
      let more = false;
      while (o && o.start < pos) {
        if (occupants.length === occupantLimit) {
          more = true;
          break;
        }
        occupants.push(o);
        reader.advance();
        o = reader.head() ?? (yield* reader.peek());
      }
      blocks.push(block(g, start, "PARTIAL", occupants, more));
      if (more) {
        // The page's last block needs no seek past its occupants when another lane shows that more follow.
        if (blocks.length === first && active.length > 1) return { blocks, hasNextPage: true };
        yield* reader.seek(pos);
        yield* partialHead(g, l);
      } else l.next = o ? o.start & g.mask : undefined;
    } else {
      blocks.push(block(g, start, "FREE", NO_OCCUPANTS, false));
      l.position = pos;
      yield* gapHead(parent, g, l);
    }
    // Move the lane back into order (or out, when it has no more blocks).
    const next = l.next;
    if (next === undefined) active.shift();
    else {
      let i = 0;
      while (i + 1 < active.length && active[i + 1]!.next! < next) {
        active[i] = active[i + 1]!;
        i++;
      }
      active[i] = l;
    }
  }
  return { blocks, hasNextPage: false };
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

/**
 * The page of parent's N-blocks that ends just before a cursor, in address order; O(page + log n) source rows.
 *
 * The forward sweep over the mirrored parent (address a seen as first + last - a: a prefix stays an aligned
 * prefix of the same length, and address order reverses), then mirrored back. A PARTIAL block cut at the
 * occupant limit saw its last occupants first, so its first ones are read again forwards: one query per such
 * block.
 */
export function blocksPageBefore(
  parent: Prefix,
  length: number,
  source: OccupancySource,
  options: BlocksPageBeforeOptions,
): BlocksPageBefore {
  return runOccupancySync(blocksPageBeforeSteps(parent, length, options, !!source.freeBefore), source);
}

/** The read of the mirrored parent that answers `r` (address a seen as turn - a; from and before swap). */
function mirrorRead(r: OccupancyRead, turn: bigint): OccupancyRead {
  const at = turn - r.at;
  switch (r.op) {
    case "occupiedFrom":
      return { op: "occupiedBefore", at, limit: r.limit, lengths: r.lengths };
    case "occupiedBefore":
      return { op: "occupiedFrom", at, limit: r.limit, lengths: r.lengths };
    case "freeFrom":
      return { op: "freeBefore", at, maxLength: r.maxLength, limit: r.limit };
    case "freeBefore":
      return { op: "freeFrom", at, maxLength: r.maxLength, limit: r.limit };
  }
}

/** Program: blocksPageBefore. `withFree`: the source answers freeBefore. */
export function* blocksPageBeforeSteps(
  parent: Prefix,
  length: number,
  options: BlocksPageBeforeOptions,
  withFree = true,
): BlocksProgram<BlocksPageBefore> {
  const g = checkGeometry(parent, length);
  const last = prefixLast(parent);
  const turn = parent.start + last;
  const mirror = (p: Prefix): Prefix => ({ family: p.family, start: turn - prefixLast(p), length: p.length });
  let after: bigint | undefined;
  if (options.before !== undefined) {
    checkCursor(parent, last, "before", options.before);
    // The mirror of the cursor's block starts at the mirror of its last address.
    after = turn - ((options.before & g.mask) + g.size - 1n);
  }
  const occupantLimit = Math.max(0, options.occupantLimit ?? 16);
  // The forward sweep over the mirrored parent: each of its reads is answered by the mirrored read.
  const forward = blocksPageSteps(
    parent,
    length,
    { after, first: options.last, status: options.status, occupantLimit },
    withFree,
  );
  let step = forward.next();
  while (!step.done) step = forward.next((yield mirrorRead(step.value, turn)).map(mirror));
  const page = step.value;
  const blocks: Block[] = [];
  for (const b of page.blocks.reverse()) {
    const prefix = mirror(b.prefix);
    let occupants: readonly Prefix[] = b.occupants.map(mirror).reverse();
    if (b.moreOccupants)
      occupants = yield {
        op: "occupiedFrom",
        at: prefix.start,
        limit: occupantLimit,
        lengths: { min: length + 1 },
      };
    blocks.push({ prefix, status: b.status, occupants, moreOccupants: b.moreOccupants });
  }
  return { blocks, hasPreviousPage: page.hasNextPage };
}
