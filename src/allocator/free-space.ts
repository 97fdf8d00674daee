import { AllocatorError } from "./errors.js";
import { blockSize, containsPrefix, formatPrefix, prefixLast, type Family, type Prefix } from "./prefix.js";

const LENGTH_OF_SIZE: Readonly<Record<Family, ReadonlyMap<bigint, number>>> = {
  4: new Map(Array.from({ length: 33 }, (_, length) => [blockSize(4, length), length])),
  6: new Map(Array.from({ length: 129 }, (_, length) => [blockSize(6, length), length])),
};

/** The minimal aligned CIDR blocks covering addresses first..last in order; lazy, O(output), at most 2 per bit. */
export function* rangeBlocks(family: Family, first: bigint, last: bigint): Generator<Prefix> {
  const lengthOf = LENGTH_OF_SIZE[family];
  const spaceSize = blockSize(family, 0);
  let start = first;
  while (start <= last) {
    // The largest block that starts here is limited by the alignment of `start` and by what remains.
    let size = start === 0n ? spaceSize : start & -start;
    const remaining = last - start + 1n;
    while (size > remaining) size >>= 1n;
    yield { family, start, length: lengthOf.get(size)! };
    start += size;
  }
}

/** Parent's free space as maximal aligned blocks in order, from occupied sorted by start; lazy, O(k + output). */
export function* freeBlocks(parent: Prefix, occupied: Iterable<Prefix>): Generator<Prefix> {
  const end = prefixLast(parent);
  let cursor = parent.start;
  let previousStart = -1n;
  // Nested occupied prefixes are tolerated: they fall inside the cursor and are absorbed.
  for (const o of occupied) {
    if (o.family !== parent.family) {
      throw new AllocatorError("FAMILY_MISMATCH", `${formatPrefix(o)} is not in ${formatPrefix(parent)}`, {
        prefix: formatPrefix(o),
        parent: formatPrefix(parent),
      });
    }
    if (!containsPrefix(parent, o)) {
      throw new AllocatorError("OUTSIDE_PARENT", `${formatPrefix(o)} is outside ${formatPrefix(parent)}`, {
        prefix: formatPrefix(o),
        parent: formatPrefix(parent),
      });
    }
    if (o.start < previousStart)
      throw new RangeError("freeBlocks: occupied prefixes must be sorted by start");
    previousStart = o.start;
    if (o.start > cursor) yield* rangeBlocks(parent.family, cursor, o.start - 1n);
    const after = prefixLast(o) + 1n;
    if (after > cursor) cursor = after;
  }
  if (cursor <= end) yield* rangeBlocks(parent.family, cursor, end);
}

/**
 * The aligned block of `length` nearest to `target` (by distance between starts; the lower one on a tie) that
 * lies inside one of the `free` blocks (any order), or undefined when none is large enough; O(free blocks).
 */
export function nearestFreeOfLength(
  free: Iterable<Prefix>,
  target: Prefix,
  length = target.length,
): Prefix | undefined {
  const size = blockSize(target.family, length);
  let best: Prefix | undefined;
  let bestDistance = 0n;
  for (const b of free) {
    if (b.family !== target.family || b.length > length) continue;
    const lastStart = prefixLast(b) + 1n - size;
    const aligned = target.start - (target.start % size);
    const start = aligned < b.start ? b.start : aligned > lastStart ? lastStart : aligned;
    const distance = start > target.start ? start - target.start : target.start - start;
    if (!best || distance < bestDistance || (distance === bestDistance && start < best.start)) {
      best = { family: target.family, start, length };
      bestDistance = distance;
    }
  }
  return best;
}
