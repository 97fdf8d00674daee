/**
 * An OccupancySource held in memory: what the SQL tables answer with index seeks, answered here with binary
 * searches and a small tree over prefix lengths, so that a query costs O(log n + limit · log n) whatever
 * lengths it filters on (never a walk past prefixes of other lengths, as an index per length ensures in SQL).
 *
 * The source keeps its own copies of the prefixes, laid out in address order: a page then reads neighbouring
 * memory, as it reads neighbouring rows of an index, instead of objects scattered over the heap.
 */
import type { LengthRange, OccupancySource } from "./blocks.js";
import { freeBlocks } from "./free-space.js";
import { maxLength, prefixLast, type Prefix } from "./prefix.js";

/**
 * Disjoint prefixes sorted by start with a segment tree of the minimum and maximum length under each node,
 * so that "the next prefix at or after index i whose length is within [min, max]" skips whole runs of other
 * lengths; O(log n) per prefix found.
 */
class SortedPrefixes {
  readonly items: Prefix[];
  /** Last addresses, sorted like the starts since the prefixes are disjoint. */
  private readonly lasts: bigint[];
  /** Leaves at [leaves, 2·leaves); padding leaves hold an empty range (min 255 > max 0). */
  private readonly minLength: Uint8Array;
  private readonly maxLength: Uint8Array;
  private readonly leaves: number;
  private readonly shortest: number;
  private readonly longest: number;

  constructor(sorted: Prefix[]) {
    this.items = sorted;
    this.lasts = sorted.map(prefixLast);
    let leaves = 1;
    while (leaves < sorted.length) leaves *= 2;
    this.leaves = leaves;
    this.minLength = new Uint8Array(2 * leaves).fill(255);
    this.maxLength = new Uint8Array(2 * leaves);
    sorted.forEach((p, i) => {
      this.minLength[leaves + i] = p.length;
      this.maxLength[leaves + i] = p.length;
    });
    for (let k = leaves - 1; k >= 1; k--) {
      this.minLength[k] = Math.min(this.minLength[2 * k]!, this.minLength[2 * k + 1]!);
      this.maxLength[k] = Math.max(this.maxLength[2 * k]!, this.maxLength[2 * k + 1]!);
    }
    this.shortest = sorted.length ? this.minLength[1]! : 0;
    this.longest = sorted.length ? this.maxLength[1]! : 0;
  }

  /** Where recent queries ended: a batch that follows on from the previous one starts there. */
  private readonly hints = [0, 0, 0, 0];
  private nextHint = 0;

  /** The first index whose last address is >= start; O(1) when a recent query ended there, else O(log n). */
  private lowerBound(start: bigint): number {
    const lasts = this.lasts;
    for (const h of this.hints) {
      if ((h === 0 || lasts[h - 1]! < start) && (h === lasts.length || lasts[h]! >= start)) return h;
    }
    let low = 0;
    let high = this.lasts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.lasts[mid]! < start) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  /** Whether node k's subtree may hold a length within [min, max] (exact at a leaf). */
  private mayHold(k: number, min: number, max: number): boolean {
    return this.maxLength[k]! >= min && this.minLength[k]! <= max;
  }

  /** The first index >= i holding a prefix with length in [min, max], or -1; O(log n) when one is near. */
  private nextWithin(i: number, min: number, max: number): number {
    if (i >= this.items.length) return -1;
    // Matches are usually a few items apart: a short scan of the leaves beats a climb up the tree.
    const scanEnd = Math.min(i + 16, this.items.length);
    for (let j = i; j < scanEnd; j++) {
      const length = this.minLength[this.leaves + j]!;
      if (length >= min && length <= max) return j;
    }
    if (scanEnd === this.items.length) return -1;
    let k = scanEnd + this.leaves;
    for (;;) {
      while (!this.mayHold(k, min, max)) {
        // Climb while k is a right child, then step to the subtree just right of everything seen.
        while (k & 1) {
          k >>= 1;
          if (k === 0) return -1;
        }
        k++;
      }
      if (k >= this.leaves) return k - this.leaves;
      // A subtree whose length range overlaps [min, max] need not hold a match (lengths 20 and 30 for [25, 25]):
      // descend left first, and carry on to the right when the left side holds none.
      k = this.mayHold(2 * k, min, max) ? 2 * k : 2 * k + 1;
    }
  }

  /** The last index <= i holding a prefix with length in [min, max], or -1: nextWithin in a mirror. */
  private prevWithin(i: number, min: number, max: number): number {
    if (i < 0) return -1;
    const scanEnd = Math.max(i - 15, 0);
    for (let j = i; j >= scanEnd; j--) {
      const length = this.minLength[this.leaves + j]!;
      if (length >= min && length <= max) return j;
    }
    if (scanEnd === 0) return -1;
    let k = scanEnd - 1 + this.leaves;
    for (;;) {
      while (!this.mayHold(k, min, max)) {
        // Climb while k is a left child, then step to the subtree just left of everything seen.
        while (!(k & 1)) k >>= 1;
        if (k === 1) return -1;
        k--;
      }
      if (k >= this.leaves) return k - this.leaves;
      k = this.mayHold(2 * k + 1, min, max) ? 2 * k + 1 : 2 * k;
    }
  }

  /** Prefixes within the length bounds whose start is <= end, by start descending; at most limit. */
  before(end: bigint, limit: number, min: number, max: number): Prefix[] {
    // The last index whose start is <= end.
    let low = 0;
    let high = this.items.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.items[mid]!.start <= end) low = mid + 1;
      else high = mid;
    }
    const out: Prefix[] = [];
    const all = min <= this.shortest && max >= this.longest;
    for (let i = all ? low - 1 : this.prevWithin(low - 1, min, max); i >= 0 && out.length < limit;) {
      out.push(this.items[i]!);
      i = all ? i - 1 : this.prevWithin(i - 1, min, max);
    }
    return out;
  }

  /** Prefixes within the length bounds whose last address is >= start, by start; at most limit. */
  from(start: bigint, limit: number, min: number, max: number): Prefix[] {
    const first = this.lowerBound(start);
    let out: Prefix[];
    let end: number;
    if (min <= this.shortest && max >= this.longest) {
      out = this.items.slice(first, first + limit);
      end = first + out.length;
    } else {
      out = [];
      end = first;
      for (let i = this.nextWithin(first, min, max); i >= 0 && out.length < limit;) {
        out.push(this.items[i]!);
        end = i + 1;
        i = this.nextWithin(end, min, max);
      }
    }
    this.hints[this.nextHint] = end;
    this.nextHint = (this.nextHint + 1) % this.hints.length;
    return out;
  }
}

/**
 * Fresh copies (objects and bigints) allocated one after another in address order, so that neighbours in the
 * list are neighbours in memory: a page then reads memory in sequence, not objects scattered over the heap.
 */
function compact(prefixes: readonly Prefix[]): Prefix[] {
  return prefixes.map((p) => ({ family: p.family, start: p.start + 0n, length: p.length }));
}

/** An OccupancySource over disjoint children; O(n log n) to build, O(log n + limit · log n) a query. */
export function memoryOccupancySource(parent: Prefix, occupied: Iterable<Prefix>): OccupancySource {
  const sorted = [...occupied].sort((a, b) =>
    a.start < b.start ? -1 : a.start > b.start ? 1 : a.length - b.length,
  );
  const children = new SortedPrefixes(compact(sorted));
  const free = new SortedPrefixes(compact([...freeBlocks(parent, sorted)]));
  const longest = maxLength(parent.family);
  return {
    occupiedFrom: (start: bigint, limit: number, lengths: LengthRange = {}) =>
      children.from(start, limit, lengths.min ?? 0, lengths.max ?? longest),
    freeFrom: (start: bigint, maxLengthIncluded: number, limit: number) =>
      free.from(start, limit, 0, maxLengthIncluded),
    occupiedBefore: (end: bigint, limit: number, lengths: LengthRange = {}) =>
      children.before(end, limit, lengths.min ?? 0, lengths.max ?? longest),
    freeBefore: (end: bigint, maxLengthIncluded: number, limit: number) =>
      free.before(end, limit, 0, maxLengthIncluded),
  };
}
