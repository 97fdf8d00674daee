/**
 * Buddy-style free-block index: a pool's free space kept as its maximal aligned blocks, so allocation and
 * release touch O(prefix length) blocks whatever the number of children.
 *
 * Invariant (canonical form): the stored blocks are disjoint, cover exactly the free space of the parent,
 * and no two of them are buddies. That set is exactly `freeBlocks(parent, occupied)`, so the database can
 * rebuild it from the children at any time with `seedFreeBlocks`.
 */
import { AllocatorError } from "./errors.js";
import { freeBlocks } from "./free-space.js";
import {
  blockSize,
  buddyOf,
  childrenOf,
  containsPrefix,
  formatPrefix,
  maxLength,
  parentOf,
  prefixLast,
  type Prefix,
} from "./prefix.js";

/**
 * The free blocks of one pool, answered synchronously (in memory, or one indexed query per method inside a
 * better-sqlite3 transaction; table keyed by pool, prefix_len, range_start). A store that has to await its
 * answers (PostgreSQL) is an `AsyncFreeBlockStore`; both run the same programs (below, `runSync` / `runAsync`).
 */
export interface FreeBlockStore {
  /** The free block with length <= maxLength and the greatest length (smallest block); lowest start among those. */
  smallestFit(maxLength: number): Prefix | undefined;
  /** The lowest-start free block with length <= maxLength. */
  firstFit(maxLength: number): Prefix | undefined;
  /** The free block that contains or equals p, if any. */
  containing(p: Prefix): Prefix | undefined;
  /** True when p is itself a free block. */
  has(p: Prefix): boolean;
  /** Records p as a free block. */
  add(p: Prefix): void;
  /** Forgets the free block p. */
  remove(p: Prefix): void;
  /** The free block with the smallest length, lowest start among those. */
  largest(): Prefix | undefined;
}

export type AllocationStrategy = "smallest-fit" | "first-fit";

/** Either "any free block of this length" or "exactly this prefix". */
export type AllocationRequest = { readonly length: number } | { readonly prefix: Prefix };

/** A pool's limits on child lengths: minLength is the largest block (shortest length) it hands out. */
export interface AllocationRules {
  readonly minLength?: number;
  readonly maxLength?: number;
}

/** Binary min-heap of bigints. */
class BigintHeap {
  readonly items: bigint[] = [];

  push(value: bigint): void {
    const items = this.items;
    let i = items.push(value) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= value) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = value;
  }

  pop(): void {
    const items = this.items;
    const last = items.pop()!;
    if (items.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && items[right]! < items[left]! ? right : left;
      if (items[child]! >= last) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
  }

  rebuild(values: Iterable<bigint>): void {
    this.items.length = 0;
    for (const v of values) this.push(v);
  }
}

/** The free blocks of one length: a hash map for lookups plus a lazily-pruned heap for the lowest start. */
class Level {
  readonly blocks = new Map<bigint, Prefix>();
  private readonly heap = new BigintHeap();

  add(p: Prefix): void {
    this.blocks.set(p.start, p);
    this.heap.push(p.start);
  }

  delete(start: bigint): void {
    this.blocks.delete(start);
    // Stale heap entries are dropped when they reach the top; rebuild if they pile up.
    if (this.heap.items.length > 2 * this.blocks.size + 64) this.heap.rebuild(this.blocks.keys());
  }

  lowest(): Prefix | undefined {
    const items = this.heap.items;
    while (items.length > 0) {
      const found = this.blocks.get(items[0]!);
      if (found) return found;
      this.heap.pop();
    }
    return undefined;
  }
}

/** In-memory FreeBlockStore, a hash map and a heap per prefix length; every method O(prefix length + log n). */
export class MemoryFreeBlockStore implements FreeBlockStore {
  private readonly levels: (Level | undefined)[] = [];
  private count = 0;

  /** A store holding the given free blocks (which must already be canonical); O(n log n). */
  constructor(blocks: Iterable<Prefix> = []) {
    for (const b of blocks) this.add(b);
  }

  /** A store holding the free space of parent given its occupied prefixes sorted by start; O(k log k). */
  static seeded(parent: Prefix, occupied: Iterable<Prefix>): MemoryFreeBlockStore {
    return new MemoryFreeBlockStore(freeBlocks(parent, occupied));
  }

  /** The number of free blocks; O(1). */
  get size(): number {
    return this.count;
  }

  /** See FreeBlockStore.smallestFit; O(prefix length + log n). */
  smallestFit(maxLength: number): Prefix | undefined {
    for (let length = Math.min(maxLength, this.levels.length - 1); length >= 0; length--) {
      const found = this.levels[length]?.lowest();
      if (found) return found;
    }
    return undefined;
  }

  /** See FreeBlockStore.firstFit; O(prefix length + log n). */
  firstFit(maxLength: number): Prefix | undefined {
    let best: Prefix | undefined;
    for (let length = Math.min(maxLength, this.levels.length - 1); length >= 0; length--) {
      const found = this.levels[length]?.lowest();
      if (found && (!best || found.start < best.start)) best = found;
    }
    return best;
  }

  /** See FreeBlockStore.containing; O(prefix length). */
  containing(p: Prefix): Prefix | undefined {
    for (let length = Math.min(p.length, this.levels.length - 1); length >= 0; length--) {
      const level = this.levels[length];
      if (!level || level.blocks.size === 0) continue;
      const size = blockSize(p.family, length);
      const found = level.blocks.get(p.start - (p.start % size));
      if (found) return found;
    }
    return undefined;
  }

  /** See FreeBlockStore.has; O(1). */
  has(p: Prefix): boolean {
    return this.levels[p.length]?.blocks.has(p.start) ?? false;
  }

  /** See FreeBlockStore.add; refuses a block that is already present (a bookkeeping bug); O(log n). */
  add(p: Prefix): void {
    let level = this.levels[p.length];
    if (!level) {
      while (this.levels.length <= p.length) this.levels.push(undefined);
      level = this.levels[p.length] = new Level();
    }
    if (level.blocks.has(p.start)) throw new RangeError(`free block ${formatPrefix(p)} added twice`);
    level.add(p);
    this.count++;
  }

  /** See FreeBlockStore.remove; refuses a block that is not present (a bookkeeping bug); O(1) amortised. */
  remove(p: Prefix): void {
    const level = this.levels[p.length];
    if (!level?.blocks.has(p.start)) throw new RangeError(`free block ${formatPrefix(p)} is not stored`);
    level.delete(p.start);
    this.count--;
  }

  /** See FreeBlockStore.largest; O(prefix length + log n). */
  largest(): Prefix | undefined {
    for (const level of this.levels) {
      const found = level?.lowest();
      if (found) return found;
    }
    return undefined;
  }

  /** All free blocks in address order (for tests and snapshots); O(n log n). */
  toArray(): Prefix[] {
    const all: Prefix[] = [];
    for (const level of this.levels) if (level) all.push(...level.blocks.values());
    return all.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  }
}

/** The initial free blocks of parent given its occupied prefixes sorted by start; O(k + output). */
export function seedFreeBlocks(parent: Prefix, occupied: Iterable<Prefix>): Prefix[] {
  return [...freeBlocks(parent, occupied)];
}

function checkLength(parent: Prefix, length: number, rules: AllocationRules): void {
  const hardMax = maxLength(parent.family);
  const min = Math.max(parent.length, rules.minLength ?? 0);
  const max = Math.min(hardMax, rules.maxLength ?? hardMax);
  if (Number.isInteger(length) && length >= min && length <= max) return;
  const where =
    length < parent.length || length > hardMax || !Number.isInteger(length)
      ? `does not fit in ${formatPrefix(parent)}`
      : `is outside the pool's rules`;
  throw new AllocatorError("LENGTH_OUT_OF_RANGE", `/${length} ${where} (allowed /${min} to /${max})`, {
    length,
    min,
    max,
    parent: formatPrefix(parent),
  });
}

/*
 * One algorithm, two drivers. Allocation, preview and release are written once, as generators that yield the
 * store calls they need (`FreeBlockOp` values) and receive each answer back: a *program*. A driver runs a
 * program against a store:
 * - `runSync` against a synchronous `FreeBlockStore` (the in-memory index, the SQLite table): every call is
 *   answered in the same tick, so `allocate` / `preview` / `release` below stay plain synchronous functions;
 * - `runAsync` against an `AsyncFreeBlockStore` (PostgreSQL, where every call is a network round trip): one
 *   await per yielded call.
 * The program decides every call and its order; the drivers only answer, so both backends take the same blocks.
 * Calls are yielded as coarse as the algorithm allows (a generator resume costs ~0.1 µs in memory, a round
 * trip ~0.1 ms on PostgreSQL): an allocation's writes (the block taken and the halves split off) are one
 * `change`, and release asks "is the buddy free? then take it" as one `takeIfFree`.
 */

/** A write: the calls that return nothing, applied in order. */
export type FreeBlockChange =
  { readonly op: "add"; readonly prefix: Prefix } | { readonly op: "remove"; readonly prefix: Prefix };

/** One call on a store, as a value: what the allocator's programs yield. */
export type FreeBlockOp =
  | { readonly op: "smallestFit"; readonly maxLength: number }
  | { readonly op: "firstFit"; readonly maxLength: number }
  | { readonly op: "containing"; readonly prefix: Prefix }
  | { readonly op: "largest" }
  /** has(p), and if so remove(p); answers whether it was there. */
  | { readonly op: "takeIfFree"; readonly prefix: Prefix }
  | { readonly op: "change"; readonly changes: readonly FreeBlockChange[] };

/** An algorithm over a pool's free blocks: yields store calls, receives their answers, returns T. */
export type FreeBlockProgram<T> = Generator<FreeBlockOp, T, unknown>;

/** The store calls of a program for a driver that answers asynchronously (the reads of FreeBlockStore, and batches). */
export interface AsyncFreeBlockStore {
  smallestFit(maxLength: number): Promise<Prefix | undefined>;
  firstFit(maxLength: number): Promise<Prefix | undefined>;
  containing(p: Prefix): Promise<Prefix | undefined>;
  largest(): Promise<Prefix | undefined>;
  /** Removes p if it is a free block; answers whether it was. */
  takeIfFree(p: Prefix): Promise<boolean>;
  /** Applies adds and removes as if one by one, in order. */
  apply(changes: readonly FreeBlockChange[]): Promise<void>;
}

function perform(store: FreeBlockStore, o: FreeBlockOp): unknown {
  switch (o.op) {
    case "smallestFit":
      return store.smallestFit(o.maxLength);
    case "firstFit":
      return store.firstFit(o.maxLength);
    case "containing":
      return store.containing(o.prefix);
    case "largest":
      return store.largest();
    case "takeIfFree":
      if (!store.has(o.prefix)) return false;
      store.remove(o.prefix);
      return true;
    case "change":
      for (const c of o.changes) {
        if (c.op === "add") store.add(c.prefix);
        else store.remove(c.prefix);
      }
      return undefined;
  }
}

/** Runs a program against a synchronous store; O(1) per store call on top of the store's own cost. */
export function runSync<T>(program: FreeBlockProgram<T>, store: FreeBlockStore): T {
  let step = program.next();
  while (!step.done) step = program.next(perform(store, step.value));
  return step.value;
}

function performAsync(store: AsyncFreeBlockStore, o: FreeBlockOp): Promise<unknown> {
  switch (o.op) {
    case "smallestFit":
      return store.smallestFit(o.maxLength);
    case "firstFit":
      return store.firstFit(o.maxLength);
    case "containing":
      return store.containing(o.prefix);
    case "largest":
      return store.largest();
    case "takeIfFree":
      return store.takeIfFree(o.prefix);
    case "change":
      return store.apply(o.changes);
  }
}

/** Runs a program against an asynchronous store: one await per yielded call. */
export async function runAsync<T>(program: FreeBlockProgram<T>, store: AsyncFreeBlockStore): Promise<T> {
  let step = program.next();
  while (!step.done) step = program.next(await performAsync(store, step.value));
  return step.value;
}

/** Program: the pool's largest free block (FreeBlockStore.largest). */
export function* largestSteps(): FreeBlockProgram<Prefix | undefined> {
  return (yield { op: "largest" }) as Prefix | undefined;
}

/**
 * Plans the request and, when `write`, takes it (remove the block, add the halves split off). One generator for
 * preview and allocate, so a program is a single generator (no nested `yield*` on the hot path).
 */
function* placeSteps(
  parent: Prefix,
  request: AllocationRequest,
  strategy: AllocationStrategy,
  rules: AllocationRules,
  write: boolean,
): FreeBlockProgram<Prefix> {
  let target: Prefix;
  let from: Prefix | undefined;
  if ("prefix" in request) {
    target = request.prefix;
    if (target.family !== parent.family) {
      throw new AllocatorError(
        "FAMILY_MISMATCH",
        `${formatPrefix(target)} is IPv${target.family} but ${formatPrefix(parent)} is IPv${parent.family}`,
        { prefix: formatPrefix(target), parent: formatPrefix(parent) },
      );
    }
    if (!containsPrefix(parent, target)) {
      throw new AllocatorError(
        "OUTSIDE_PARENT",
        `${formatPrefix(target)} is outside ${formatPrefix(parent)}`,
        {
          prefix: formatPrefix(target),
          parent: formatPrefix(parent),
        },
      );
    }
    checkLength(parent, target.length, rules);
    from = (yield { op: "containing", prefix: target }) as Prefix | undefined;
    if (!from) {
      throw new AllocatorError("NOT_FREE", `${formatPrefix(target)} is not free in ${formatPrefix(parent)}`, {
        prefix: formatPrefix(target),
        parent: formatPrefix(parent),
      });
    }
  } else {
    const { length } = request;
    checkLength(parent, length, rules);
    // Smallest-fit (default) takes the smallest free block that holds the request, lowest address first, so
    // large blocks stay whole; first-fit takes the lowest address.
    from = (yield { op: strategy === "first-fit" ? "firstFit" : "smallestFit", maxLength: length }) as
      Prefix | undefined;
    if (!from) {
      const largest = (yield { op: "largest" }) as Prefix | undefined;
      const largestFree = largest ? formatPrefix(largest) : null;
      throw new AllocatorError(
        "NO_SPACE",
        largestFree
          ? `no free /${length} left in ${formatPrefix(parent)}; the largest free block is ${largestFree}`
          : `no free /${length} left in ${formatPrefix(parent)}; it is full`,
        { length, parent: formatPrefix(parent), largestFree },
      );
    }
    target = { family: parent.family, start: from.start, length };
  }
  if (!write) return target;
  const changes: FreeBlockChange[] = [{ op: "remove", prefix: from }];
  let block = from;
  while (block.length < target.length) {
    const [low, high] = childrenOf(block);
    if (target.start <= prefixLast(low)) {
      changes.push({ op: "add", prefix: high });
      block = low;
    } else {
      changes.push({ op: "add", prefix: low });
      block = high;
    }
  }
  yield { op: "change", changes };
  return target;
}

/** Program of `preview`. */
export function previewSteps(
  parent: Prefix,
  request: AllocationRequest,
  strategy: AllocationStrategy = "smallest-fit",
  rules: AllocationRules = {},
): FreeBlockProgram<Prefix> {
  return placeSteps(parent, request, strategy, rules, false);
}

/** Program of `allocate`. */
export function allocateSteps(
  parent: Prefix,
  request: AllocationRequest,
  strategy: AllocationStrategy = "smallest-fit",
  rules: AllocationRules = {},
): FreeBlockProgram<Prefix> {
  return placeSteps(parent, request, strategy, rules, true);
}

/** Program of `release`. */
export function* releaseSteps(parent: Prefix, prefix: Prefix): FreeBlockProgram<Prefix> {
  if (!containsPrefix(parent, prefix)) {
    const code = prefix.family === parent.family ? "OUTSIDE_PARENT" : "FAMILY_MISMATCH";
    throw new AllocatorError(code, `${formatPrefix(prefix)} is outside ${formatPrefix(parent)}`, {
      prefix: formatPrefix(prefix),
      parent: formatPrefix(parent),
    });
  }
  // Idempotent: a prefix that is already free changes nothing. `prefix` must be an occupied child (allocated, or
  // occupied when the store was seeded); a range that is only partly free cannot be detected through the store.
  const already = (yield { op: "containing", prefix }) as Prefix | undefined;
  if (already) return already;
  let block = prefix;
  while (block.length > parent.length) {
    const buddy = buddyOf(block)!;
    if (!((yield { op: "takeIfFree", prefix: buddy }) as boolean)) break;
    block = parentOf(block)!;
  }
  yield { op: "change", changes: [{ op: "add", prefix: block }] };
  return block;
}

/** The prefix that `allocate` would return, with the same errors, without changing the store; O(1) store calls. */
export function preview(
  store: FreeBlockStore,
  parent: Prefix,
  request: AllocationRequest,
  strategy: AllocationStrategy = "smallest-fit",
  rules: AllocationRules = {},
): Prefix {
  return runSync(previewSteps(parent, request, strategy, rules), store);
}

/** Takes the best free block for the request and splits it buddy-style; O(prefix length) store calls. */
export function allocate(
  store: FreeBlockStore,
  parent: Prefix,
  request: AllocationRequest,
  strategy: AllocationStrategy = "smallest-fit",
  rules: AllocationRules = {},
): Prefix {
  return runSync(allocateSteps(parent, request, strategy, rules), store);
}

/** Frees an occupied child, merging buddies up to the parent; returns the free block; O(prefix length) store calls. */
export function release(store: FreeBlockStore, parent: Prefix, prefix: Prefix): Prefix {
  return runSync(releaseSteps(parent, prefix), store);
}
