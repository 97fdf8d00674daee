/**
 * The previous implementation of `defragmentationAdvice` (the whole free set in one journaled in-memory store,
 * every child scanned), kept as the reference the faster one is checked against (defragmentation.test.ts).
 */
import {
  AllocatorError,
  MemoryFreeBlockStore,
  addressCount,
  blockSize,
  containsPrefix,
  maxLength,
  packMany,
  prefixLast,
  release,
  type DefragmentationAdvice,
  type FreeBlockStore,
  type Prefix,
} from "../../src/allocator/index.js";

/** A FreeBlockStore whose changes can be undone, so each candidate is simulated on the same store. */
class JournaledStore implements FreeBlockStore {
  private readonly journal: { add: boolean; p: Prefix }[] = [];
  constructor(private readonly inner: MemoryFreeBlockStore) {}
  smallestFit(maxLength: number) {
    return this.inner.smallestFit(maxLength);
  }
  firstFit(maxLength: number) {
    return this.inner.firstFit(maxLength);
  }
  containing(p: Prefix) {
    return this.inner.containing(p);
  }
  has(p: Prefix) {
    return this.inner.has(p);
  }
  largest() {
    return this.inner.largest();
  }
  add(p: Prefix): void {
    this.inner.add(p);
    this.journal.push({ add: true, p });
  }
  remove(p: Prefix): void {
    this.inner.remove(p);
    this.journal.push({ add: false, p });
  }
  /** Undoes every change since construction (or the last rollback); O(changes). */
  rollback(): void {
    for (let e = this.journal.pop(); e; e = this.journal.pop()) {
      if (e.add) this.inner.remove(e.p);
      else this.inner.add(e.p);
    }
  }
}

/** Index of the first element of sorted `items` whose start is >= start; O(log n). */
function lowerBound(items: readonly Prefix[], start: bigint): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]!.start < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The `first` best ways to free an aligned block of `length` inside `parent`: fewest blockers first, then fewest
 * addresses to move, then lowest address. `children` are the parent's direct children sorted by start (with
 * `prefixOf` giving each one's prefix), `free` its canonical free blocks sorted by start.
 * O(k + c log c + F log F + first × (b × L + f)) for k children, c candidates, F free blocks, b blockers per
 * advice, L the address length and f free blocks inside a candidate.
 */
export function referenceDefragmentationAdvice<T>(
  parent: Prefix,
  children: readonly T[],
  prefixOf: (child: T) => Prefix,
  free: readonly Prefix[],
  length: number,
  first: number,
): DefragmentationAdvice<T>[] {
  if (!Number.isInteger(length) || length < parent.length || length > maxLength(parent.family)) {
    throw new AllocatorError("LENGTH_OUT_OF_RANGE", `/${length} is not a block length inside the parent`, {
      length,
      min: parent.length,
      max: maxLength(parent.family),
    });
  }
  const size = blockSize(parent.family, length);
  const candidates: { start: bigint; from: number; to: number; addresses: bigint }[] = [];
  for (let i = 0; i < children.length; i++) {
    const p = prefixOf(children[i]!);
    if (!containsPrefix(parent, p)) {
      throw new AllocatorError("OUTSIDE_PARENT", "a child lies outside the parent", { index: i });
    }
    // Children are disjoint, so a block holding a child of at least the target length lies inside no larger one.
    if (p.length < length) continue;
    const start = p.start - ((p.start - parent.start) % size);
    const last = candidates[candidates.length - 1];
    if (last && last.start === start) {
      last.to = i + 1;
      last.addresses += addressCount(p);
    } else {
      candidates.push({ start, from: i, to: i + 1, addresses: addressCount(p) });
    }
  }
  const ranked = candidates
    .sort((a, b) => {
      const byCount = a.to - a.from - (b.to - b.from);
      if (byCount !== 0) return byCount;
      if (a.addresses !== b.addresses) return a.addresses < b.addresses ? -1 : 1;
      return a.start < b.start ? -1 : 1;
    })
    .slice(0, Math.max(0, first));
  if (ranked.length === 0) return [];

  const store = new JournaledStore(new MemoryFreeBlockStore(free));
  return ranked.map((c): DefragmentationAdvice<T> => {
    const block: Prefix = { family: parent.family, start: c.start, length };
    const blockers = children.slice(c.from, c.to);
    // Take the candidate's own free blocks out, so nothing is moved into it.
    const inside: Prefix[] = [];
    for (let j = lowerBound(free, c.start); j < free.length && free[j]!.start <= prefixLast(block); j++) {
      inside.push(free[j]!);
      store.remove(free[j]!);
    }
    let moves: Prefix[] | undefined;
    try {
      moves = packMany(
        store,
        parent,
        blockers.map((b) => prefixOf(b).length),
      );
    } catch (e) {
      if (!(e instanceof AllocatorError)) throw e;
      store.rollback();
      for (const b of inside) store.remove(b);
    }
    const freed = release(store, parent, block);
    store.rollback();
    return { block, blockers, addressesToMove: c.addresses, moves, freed };
  });
}
