import type { LengthHistogram } from "./blocks.js";
import { freeBlocks } from "./free-space.js";
import { addressCount, comparePrefixes, formatPrefix, type Prefix } from "./prefix.js";

/** How full a parent is; address counts are bigint because an IPv6 pool can exceed 2^53. */
export interface Utilization {
  readonly total: bigint;
  readonly used: bigint;
  readonly reserved: bigint;
  readonly free: bigint;
  /** (used + reserved) / total * 100, rounded to 4 decimals. */
  readonly percent: number;
  /** The free block with the smallest length (lowest start), when known. */
  readonly largestFree: Prefix | undefined;
  /** Free maximal blocks per prefix length, ascending by length (fragmentation). */
  readonly freeBlocksByLength: ReadonlyMap<number, number>;
}

/** The per-length counts a database can answer with GROUP BY prefix_len. */
export interface UtilizationCounts {
  /** Direct children that are allocations or child pools, by length. */
  readonly used: LengthHistogram;
  /** Direct children that are reservations, by length. */
  readonly reserved: LengthHistogram;
  /** Free maximal blocks (the free-block table), by length. */
  readonly free: LengthHistogram;
  /** FreeBlockStore.largest(), if the caller has it. */
  readonly largestFree?: Prefix;
}

function addresses(parent: Prefix, histogram: LengthHistogram): bigint {
  const bits = parent.family === 4 ? 32 : 128;
  let total = 0n;
  for (const [length, count] of histogram) total += BigInt(count) << BigInt(bits - length);
  return total;
}

/** Utilisation of parent from per-length counts, without enumerating anything; O(distinct lengths). */
export function utilization(parent: Prefix, counts: UtilizationCounts): Utilization {
  const total = addressCount(parent);
  const used = addresses(parent, counts.used);
  const reserved = addresses(parent, counts.reserved);
  const free = total - used - reserved;
  const taken = used + reserved;
  const percent = Number((taken * 1_000_000n) / total) / 10_000;
  const freeBlocksByLength = new Map([...counts.free].filter(([, n]) => n > 0).sort(([a], [b]) => a - b));
  return { total, used, reserved, free, percent, largestFree: counts.largestFree, freeBlocksByLength };
}

/** An occupied direct child and whether it is a reservation (held back) rather than a use. */
export interface OccupiedChild {
  readonly prefix: Prefix;
  readonly reserved?: boolean;
}

/** Utilisation of parent from its direct children (disjoint), computing the free blocks; O(n log n). */
export function utilizationOf(parent: Prefix, children: Iterable<OccupiedChild>): Utilization {
  const used = new Map<number, number>();
  const reserved = new Map<number, number>();
  const prefixes: Prefix[] = [];
  for (const child of children) {
    const histogram = child.reserved ? reserved : used;
    histogram.set(child.prefix.length, (histogram.get(child.prefix.length) ?? 0) + 1);
    prefixes.push(child.prefix);
  }
  prefixes.sort(comparePrefixes);
  const free = new Map<number, number>();
  let largestFree: Prefix | undefined;
  for (const block of freeBlocks(parent, prefixes)) {
    free.set(block.length, (free.get(block.length) ?? 0) + 1);
    if (!largestFree || block.length < largestFree.length) largestFree = block;
  }
  return utilization(parent, { used, reserved, free, largestFree });
}

/** A one-line human summary, e.g. "10.0.0.0/8: 12.5% used, largest free 10.128.0.0/9"; O(1). */
export function describeUtilization(parent: Prefix, u: Utilization): string {
  const largest = u.largestFree ? `largest free ${formatPrefix(u.largestFree)}` : "full";
  return `${formatPrefix(parent)}: ${u.percent}% used, ${largest}`;
}
