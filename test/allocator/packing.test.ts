import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AllocatorError } from "../../src/allocator/errors.js";
import { MemoryFreeBlockStore } from "../../src/allocator/free-index.js";
import { largestFreeBlocks, packMany } from "../../src/allocator/packing.js";
import {
  addressCount,
  comparePrefixes,
  formatPrefix,
  overlaps,
  parsePrefix,
  type Prefix,
} from "../../src/allocator/prefix.js";
import { referenceFreeBlocks } from "./reference-model.js";

const p = parsePrefix;

/** The free space as block sizes, largest first: the order in which packings are compared. */
function sizesLargestFirst(parent: Prefix, occupied: readonly Prefix[]): number[] {
  return referenceFreeBlocks(parent, occupied)
    .map((b) => Number(addressCount(b)))
    .sort((a, b) => b - a);
}

function lexCompare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Every placement of the requests (aligned, disjoint, inside free space), by depth-first search. */
function bestByExhaustiveSearch(
  parent: Prefix,
  occupied: readonly Prefix[],
  lengths: readonly number[],
): number[] | undefined {
  let best: number[] | undefined;
  const placed: Prefix[] = [];
  const visit = (i: number): void => {
    if (i === lengths.length) {
      const sizes = sizesLargestFirst(parent, [...occupied, ...placed]);
      if (!best || lexCompare(sizes, best) > 0) best = sizes;
      return;
    }
    const length = lengths[i]!;
    const size = addressCount({ family: parent.family, start: 0n, length });
    for (let start = parent.start; start <= parent.start + addressCount(parent) - size; start += size) {
      const candidate: Prefix = { family: parent.family, start, length };
      if (occupied.some((o) => overlaps(o, candidate)) || placed.some((o) => overlaps(o, candidate)))
        continue;
      placed.push(candidate);
      visit(i + 1);
      placed.pop();
    }
  };
  visit(0);
  return best;
}

/** A small pool (a /27: 32 addresses) with some occupied children that do not overlap. */
const smallPool = fc
  .array(fc.record({ length: fc.integer({ min: 28, max: 32 }), slot: fc.nat(31) }), { maxLength: 6 })
  .map((raw) => {
    const parent = p("10.0.0.0/27");
    const occupied: Prefix[] = [];
    for (const { length, slot } of raw) {
      const size = 2 ** (32 - length);
      const candidate: Prefix = { family: 4, start: parent.start + BigInt((slot * size) % 32), length };
      if (!occupied.some((o) => overlaps(o, candidate))) occupied.push(candidate);
    }
    return { parent, occupied: occupied.sort(comparePrefixes) };
  });

describe("packMany", () => {
  it("leaves the lexicographically largest free blocks of any placement, and fits whenever any placement fits", () => {
    fc.assert(
      fc.property(
        smallPool,
        fc.array(fc.integer({ min: 28, max: 32 }), { minLength: 1, maxLength: 4 }),
        ({ parent, occupied }, lengths) => {
          const best = bestByExhaustiveSearch(parent, occupied, lengths);
          const store = MemoryFreeBlockStore.seeded(parent, occupied);
          if (best === undefined) {
            expect(() => packMany(store, parent, lengths)).toThrow(AllocatorError);
            return;
          }
          const placed = packMany(store, parent, lengths);
          expect(placed.map((x) => x.length)).toEqual(lengths);
          expect(sizesLargestFirst(parent, [...occupied, ...placed])).toEqual(best);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("returns the allocations in request order, the largest placed first", () => {
    const parent = p("10.0.0.0/24");
    const store = MemoryFreeBlockStore.seeded(parent, []);
    const placed = packMany(store, parent, [28, 26, 28, 25]);
    expect(placed.map(formatPrefix)).toEqual([
      "10.0.0.192/28",
      "10.0.0.128/26",
      "10.0.0.208/28",
      "10.0.0.0/25",
    ]);
  });

  it("names the request that does not fit", () => {
    const parent = p("10.0.0.0/24");
    const store = MemoryFreeBlockStore.seeded(parent, [p("10.0.0.0/25")]);
    let error: unknown;
    try {
      packMany(store, parent, [26, 25]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AllocatorError);
    expect((error as AllocatorError).code).toBe("NO_SPACE");
    expect((error as AllocatorError).details.index).toBe(0);
  });

  it("packs IPv6 too", () => {
    const parent = p("2001:db8::/48");
    const store = MemoryFreeBlockStore.seeded(parent, [p("2001:db8::/50")]);
    expect(packMany(store, parent, [64, 49]).map(formatPrefix)).toEqual([
      "2001:db8:0:4000::/64",
      "2001:db8:0:8000::/49",
    ]);
  });
});

describe("largestFreeBlocks", () => {
  it("lists the shortest free blocks first, lowest address among equals", () => {
    const free = ["10.0.0.0/26", "10.0.0.144/28", "10.0.0.160/27", "10.0.0.192/26"].map(p);
    expect(largestFreeBlocks(free, 3).map(formatPrefix)).toEqual([
      "10.0.0.0/26",
      "10.0.0.192/26",
      "10.0.0.160/27",
    ]);
  });
});
