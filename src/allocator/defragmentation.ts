/**
 * Fragmentation advice: which occupied children stand in the way of a free block of a given size, ranked by how
 * few must move, and whether they can move elsewhere in the same parent (else they must be released).
 *
 * A candidate is an aligned block of the target length that holds at least one child and lies inside no larger
 * child (freeing a block inside a larger child means moving that child, which is advice for a shorter length).
 * Relocations are computed with `packMany` into the parent's free space outside the candidate, so by packMany's
 * guarantee (1) a candidate is marked "release" only when no placement of its blockers outside it exists.
 *
 * Cost does not grow with the pool (architecture promise 3). Ranking needs only the number and length of the
 * children per block (`rankAdviceCandidates`, fed by one grouped query), and a candidate's relocation needs only
 * a bounded part of the free space (`relocationFreeBlockLimits`: per length the lowest few free blocks outside the
 * candidate, plus the buddies of its ancestors for the merge), never the whole free set.
 */
import { MemoryFreeBlockStore, release } from "./free-index.js";
import { packMany } from "./packing.js";
import {
  blockSize,
  buddyOf,
  containsPrefix,
  maxLength,
  parentOf,
  prefixLast,
  type Prefix,
} from "./prefix.js";
import { AllocatorError } from "./errors.js";

/** One way to obtain a free block of the target length. */
export interface DefragmentationAdvice<T> {
  /** The aligned block that would become free. */
  readonly block: Prefix;
  /** The children inside `block`, in address order: they must move or be released. */
  readonly blockers: readonly T[];
  /** Addresses the blockers hold (what moving them costs). */
  readonly addressesToMove: bigint;
  /** New places for the blockers (same order) in the parent's free space outside `block`; undefined when they cannot all move there, so they must be released. */
  readonly moves: readonly Prefix[] | undefined;
  /** The free block that holds `block` afterwards (it merges with free buddies). */
  readonly freed: Prefix;
}

/** Children of one length counted under one address (a group never spans two blocks of the target length). */
export interface ChildLengthGroup {
  /** Any address of the group (e.g. the start of its first child). */
  readonly start: bigint;
  readonly length: number;
  readonly count: number;
}

/** An aligned block of the target length that holds children, with what freeing it costs. */
export interface AdviceCandidate {
  readonly block: Prefix;
  /** Children inside the block (they must move or be released). */
  readonly count: number;
  /** Addresses those children hold. */
  readonly addresses: bigint;
}

function checkAdviceLength(parent: Prefix, length: number): void {
  if (!Number.isInteger(length) || length < parent.length || length > maxLength(parent.family)) {
    throw new AllocatorError("LENGTH_OUT_OF_RANGE", `/${length} is not a block length inside the parent`, {
      length,
      min: parent.length,
      max: maxLength(parent.family),
    });
  }
}

/**
 * The `first` candidates, fewest children first, then fewest addresses, then lowest address. `groups` count the
 * parent's children of length >= `length` (a shorter child holds whole blocks: those lie inside a larger child);
 * several groups may fall into one block. O(g log g) for g groups.
 */
export function rankAdviceCandidates(
  parent: Prefix,
  length: number,
  groups: Iterable<ChildLengthGroup>,
  first: number,
): AdviceCandidate[] {
  checkAdviceLength(parent, length);
  const size = blockSize(parent.family, length);
  const byBlock = new Map<bigint, { count: number; addresses: bigint }>();
  for (const g of groups) {
    if (g.length < length) continue;
    const start = g.start - ((g.start - parent.start) % size);
    const c = byBlock.get(start) ?? { count: 0, addresses: 0n };
    c.count += g.count;
    c.addresses += BigInt(g.count) * blockSize(parent.family, g.length);
    byBlock.set(start, c);
  }
  return [...byBlock]
    .sort(([sa, a], [sb, b]) => {
      if (a.count !== b.count) return a.count - b.count;
      if (a.addresses !== b.addresses) return a.addresses < b.addresses ? -1 : 1;
      return sa < sb ? -1 : 1;
    })
    .slice(0, Math.max(0, first))
    .map(([start, c]) => ({
      block: { family: parent.family, start, length },
      count: c.count,
      addresses: c.addresses,
    }));
}

/**
 * How many of the lowest free blocks of each length (outside the candidate) relocating `blockerLengths` can
 * consume: packMany (largest first, smallest fit) takes a new free block of length l only once every piece of
 * the previous ones is handed out, so it takes at most floor(D / size(l)) + 1 of them for D addresses to move,
 * and at most one per blocker. A store holding those blocks (and the candidate's buddies) answers every call of
 * the relocation as the whole free set would. Lengths parent.length + 1 .. the longest blocker; O(L).
 */
export function relocationFreeBlockLimits(
  parent: Prefix,
  blockerLengths: readonly number[],
): Map<number, number> {
  const limits = new Map<number, number>();
  if (blockerLengths.length === 0) return limits;
  let longest = parent.length;
  let total = 0n;
  for (const l of blockerLengths) {
    if (l > longest) longest = l;
    total += blockSize(parent.family, l);
  }
  const b = BigInt(blockerLengths.length);
  for (let l = parent.length + 1; l <= longest; l++) {
    const k = total / blockSize(parent.family, l) + 1n;
    limits.set(l, Number(k < b ? k : b));
  }
  return limits;
}

/**
 * How many free blocks of each length relocating `blockerLengths` takes, given how many free blocks of each
 * length lie outside the candidate (`available`, capped at `relocationFreeBlockLimits` or not). packMany's
 * choice of length depends only on these counts (the deepest non-empty length that holds the request; taking a
 * block of length l for a request of length r leaves one free block at each length l+1..r), so this is exact;
 * it stops where packMany would refuse. The lowest min(limit, taken) blocks of each length then suffice.
 * O(b × L).
 */
export function relocationTakes(
  parent: Prefix,
  blockerLengths: readonly number[],
  available: ReadonlyMap<number, number>,
): Map<number, number> {
  const counts = new Map(available);
  const taken = new Map<number, number>();
  for (const r of [...blockerLengths].sort((a, b) => a - b)) {
    let l = r;
    while (l > parent.length && !(counts.get(l)! > 0)) l--;
    if (l === parent.length) break;
    counts.set(l, counts.get(l)! - 1);
    taken.set(l, (taken.get(l) ?? 0) + 1);
    for (let m = l + 1; m <= r; m++) counts.set(m, (counts.get(m) ?? 0) + 1);
  }
  return taken;
}

/** The buddy of `block` and of each of its ancestors below `parent`: the free blocks a release may merge with; O(L). */
export function mergeBuddies(parent: Prefix, block: Prefix): Prefix[] {
  const out: Prefix[] = [];
  for (let p: Prefix | undefined = block; p && p.length > parent.length; p = parentOf(p))
    out.push(buddyOf(p)!);
  return out;
}

/**
 * Where the blockers of `block` could go and what becomes free. `free` holds, per length, at least the lowest
 * `relocationFreeBlockLimits` free blocks outside `block` and those `mergeBuddies` that are free (any other free
 * blocks outside it may be there too); `blockers` are the children inside `block` in address order.
 * O((f + b) × L) for f free blocks given and b blockers.
 */
export function adviseCandidate<T>(
  parent: Prefix,
  candidate: AdviceCandidate,
  blockers: readonly T[],
  prefixOf: (child: T) => Prefix,
  free: Iterable<Prefix>,
): DefragmentationAdvice<T> {
  const blocks = new Map<string, Prefix>();
  for (const f of free) blocks.set(`${f.length}/${f.start}`, f);
  let store = new MemoryFreeBlockStore(blocks.values());
  let moves: Prefix[] | undefined;
  try {
    moves = packMany(
      store,
      parent,
      blockers.map((b) => prefixOf(b).length),
    );
  } catch (e) {
    if (!(e instanceof AllocatorError)) throw e;
    store = new MemoryFreeBlockStore(blocks.values());
  }
  const freed = release(store, parent, candidate.block);
  return { block: candidate.block, blockers, addressesToMove: candidate.addresses, moves, freed };
}

/** Index of the first element of sorted `items` whose start is >= start; O(log n). */
function lowerBound<T>(items: readonly T[], start: bigint, startOf: (item: T) => bigint): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (startOf(items[mid]!) < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The default target length: one step larger than the largest free block (the next block size the parent cannot
 * hand out today); when nothing is free, the smallest child's length; undefined when the parent is wholly free.
 * O(n) over the free blocks and children.
 */
export function defaultAdviceLength(
  parent: Prefix,
  children: readonly Prefix[],
  free: readonly Prefix[],
): number | undefined {
  // Loops, not Math.min(...spread): a fragmented pool has more blocks than a call's argument limit.
  if (free.length > 0) {
    let largest = free[0]!.length;
    for (const b of free) if (b.length < largest) largest = b.length;
    return largest > parent.length ? largest - 1 : undefined;
  }
  let smallest: number | undefined;
  for (const c of children) if (smallest === undefined || c.length > smallest) smallest = c.length;
  return smallest;
}

/**
 * The `first` best ways to free an aligned block of `length` inside `parent`: fewest blockers first, then fewest
 * addresses to move, then lowest address. `children` are the parent's direct children sorted by start (with
 * `prefixOf` giving each one's prefix), `free` its canonical free blocks sorted by start. The in-memory form of
 * what the domain runs over the database (the same pieces: rank, bounded free space, relocate).
 * O(k + F + c log c + first × (b + f) × L) for k children, F free blocks, c candidates, b blockers and f free
 * blocks used per advice, L the address length.
 */
export function defragmentationAdvice<T>(
  parent: Prefix,
  children: readonly T[],
  prefixOf: (child: T) => Prefix,
  free: readonly Prefix[],
  length: number,
  first: number,
): DefragmentationAdvice<T>[] {
  checkAdviceLength(parent, length);
  const groups: ChildLengthGroup[] = [];
  for (let i = 0; i < children.length; i++) {
    const p = prefixOf(children[i]!);
    if (!containsPrefix(parent, p)) {
      throw new AllocatorError("OUTSIDE_PARENT", "a child lies outside the parent", { index: i });
    }
    groups.push({ start: p.start, length: p.length, count: 1 });
  }
  const ranked = rankAdviceCandidates(parent, length, groups, first);
  if (ranked.length === 0) return [];
  const byLength = new Map<number, Prefix[]>();
  const freeKeys = new Set<string>();
  for (const f of free) {
    const list = byLength.get(f.length) ?? [];
    list.push(f);
    byLength.set(f.length, list);
    freeKeys.add(`${f.length}/${f.start}`);
  }
  const startOf = (x: Prefix) => x.start;
  return ranked.map((c) => {
    const last = prefixLast(c.block);
    const from = lowerBound(children, c.block.start, (x) => prefixOf(x).start);
    let to = from;
    while (to < children.length && prefixOf(children[to]!).start <= last) to++;
    const blockers = children.slice(from, to);
    const lengths = blockers.map((b) => prefixOf(b).length);
    const limits = relocationFreeBlockLimits(parent, lengths);
    const outside = (l: number, limit: number): Prefix[] => {
      const list = byLength.get(l) ?? [];
      const out: Prefix[] = [];
      for (let j = 0; j < list.length && out.length < limit; j++) {
        if (list[j]!.start >= c.block.start && list[j]!.start <= last) {
          j = lowerBound(list, last + 1n, startOf) - 1;
          continue;
        }
        out.push(list[j]!);
      }
      return out;
    };
    const available = new Map([...limits].map(([l, limit]) => [l, outside(l, limit).length]));
    const nearby: Prefix[] = [];
    for (const [l, n] of relocationTakes(parent, lengths, available))
      nearby.push(...outside(l, Math.min(n, limits.get(l)!)));
    for (const b of mergeBuddies(parent, c.block)) if (freeKeys.has(`${b.length}/${b.start}`)) nearby.push(b);
    return adviseCandidate(parent, c, blockers, prefixOf, nearby);
  });
}
