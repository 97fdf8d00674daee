/**
 * Batch allocation with packing: place many requests at once so that the batch leaves the largest possible
 * free blocks.
 *
 * Guarantee (checked against exhaustive search in test/allocator/packing.test.ts): requests are placed largest
 * block first (shortest prefix length first, ties in request order), each into the smallest free aligned block
 * that holds it (lowest address among those). Then
 * 1. if any placement of all requests into the free space exists, this one succeeds (no batch is refused that
 *    could fit), and
 * 2. the free space it leaves, written as maximal aligned free blocks and sorted largest first, is
 *    lexicographically greatest among all placements: the largest remaining free block is as large as any
 *    placement can leave it, given that, the second largest is as large as possible, and so on.
 * Why: in a buddy-canonical free set, taking a 2^k block out of a free 2^m block removes that block and adds one
 * free block of each size 2^k..2^(m-1) that merges with nothing, so the free space evolves like binary
 * subtraction on per-size counts; largest-first with smallest fit borrows from the smallest possible size.
 */
import { AllocatorError } from "./errors.js";
import { allocate, type AllocationRules, type FreeBlockStore } from "./free-index.js";
import type { Prefix } from "./prefix.js";

/**
 * Places every length in `lengths` and returns the prefixes in request order; O(n log n + n * prefix length)
 * store calls. On a refusal it throws an AllocatorError whose details name the request `index`; the store may
 * then hold a partial batch, so callers run it inside a transaction that rolls back on throw.
 */
export function packMany(
  store: FreeBlockStore,
  parent: Prefix,
  lengths: readonly number[],
  rules: AllocationRules = {},
): Prefix[] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a]! - lengths[b]! || a - b);
  const placed: Prefix[] = new Array<Prefix>(lengths.length);
  for (const index of order) {
    try {
      placed[index] = allocate(store, parent, { length: lengths[index]! }, "smallest-fit", rules);
    } catch (e) {
      if (!(e instanceof AllocatorError)) throw e;
      throw new AllocatorError(e.code, `request ${index} (/${lengths[index]}): ${e.message}`, {
        ...e.details,
        index,
      });
    }
  }
  return placed;
}

/**
 * The `first` largest free blocks (shortest length first, lowest address among equals) of a free-block list;
 * O(n log n).
 */
export function largestFreeBlocks(free: Iterable<Prefix>, first: number): Prefix[] {
  return [...free]
    .sort((a, b) => a.length - b.length || (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))
    .slice(0, Math.max(0, first));
}
