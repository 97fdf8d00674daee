import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BLOCK_STATUSES,
  blockCount,
  blocksPage,
  blocksPageBefore,
  type Block,
  type BlockStatus,
  type OccupancySource,
} from "../../src/allocator/blocks.js";
import { memoryOccupancySource } from "../../src/allocator/memory-source.js";
import { AllocatorError } from "../../src/allocator/errors.js";
import { freeBlocks } from "../../src/allocator/free-space.js";
import {
  comparePrefixes,
  formatPrefix,
  maxLength,
  parsePrefix,
  type Prefix,
} from "../../src/allocator/prefix.js";
import { disjoint, nthBlock, referenceBlocks } from "./reference-model.js";

const p = parsePrefix;

function histogram(prefixes: Iterable<Prefix>): Map<number, number> {
  const counts = new Map<number, number>();
  for (const x of prefixes) counts.set(x.length, (counts.get(x.length) ?? 0) + 1);
  return counts;
}

/** Pages through everything with the given page size; also counts source calls. */
function allPages(
  parent: Prefix,
  length: number,
  source: OccupancySource,
  first: number,
  status?: BlockStatus[],
  occupantLimit?: number,
): { blocks: Block[]; pages: number } {
  const blocks: Block[] = [];
  let after: bigint | undefined;
  for (let pages = 1; ; pages++) {
    const page = blocksPage(parent, length, source, { after, first, status, occupantLimit });
    expect(page.blocks.length).toBeLessThanOrEqual(first);
    blocks.push(...page.blocks);
    if (!page.hasNextPage) return { blocks, pages };
    expect(page.blocks.length).toBe(first);
    after = page.blocks[page.blocks.length - 1]!.prefix.start;
  }
}

/** Pages backwards from the end with the given page size; the blocks come out in address order. */
function allPagesBackward(
  parent: Prefix,
  length: number,
  source: OccupancySource,
  last: number,
  status?: BlockStatus[],
  occupantLimit?: number,
): { blocks: Block[]; pages: number } {
  const pagesSeen: Block[][] = [];
  let before: bigint | undefined;
  for (let pages = 1; ; pages++) {
    const page = blocksPageBefore(parent, length, source, { before, last, status, occupantLimit });
    expect(page.blocks.length).toBeLessThanOrEqual(last);
    pagesSeen.unshift(page.blocks);
    if (!page.hasPreviousPage) return { blocks: pagesSeen.flat(), pages };
    expect(page.blocks.length).toBe(last);
    before = page.blocks[0]!.prefix.start;
  }
}

/** Wraps a source to count the rows it returns. */
function counting(source: OccupancySource, withFree = true) {
  const stats = { calls: 0, rows: 0 };
  const note = (rows: Prefix[]) => {
    stats.calls++;
    stats.rows += rows.length;
    return rows;
  };
  const wrapped: OccupancySource = {
    occupiedFrom: (start, limit, lengths) => note(source.occupiedFrom(start, limit, lengths)),
    occupiedBefore: (end, limit, lengths) => note(source.occupiedBefore(end, limit, lengths)),
  };
  if (withFree) {
    wrapped.freeFrom = (start, maxLen, limit) => note(source.freeFrom!(start, maxLen, limit));
    wrapped.freeBefore = (end, maxLen, limit) => note(source.freeBefore!(end, maxLen, limit));
  }
  return { source: wrapped, stats };
}

const show = (blocks: readonly Block[]) =>
  blocks.map(
    (b) =>
      `${formatPrefix(b.prefix)} ${b.status}${b.occupants.length ? ` ${b.occupants.map(formatPrefix).join(",")}` : ""}${b.moreOccupants ? " +" : ""}`,
  );

describe("blocksPage", () => {
  const parent = p("10.0.0.0/22");
  const occupied = ["10.0.0.0/23", "10.0.2.0/24", "10.0.3.0/26", "10.0.3.128/27", "10.0.3.160/28"].map(p);
  const source = memoryOccupancySource(parent, occupied);

  it("labels every block FREE, USED, PARTIAL or INSIDE with its occupants", () => {
    expect(show(blocksPage(parent, 24, source, { first: 10 }).blocks)).toEqual([
      "10.0.0.0/24 INSIDE 10.0.0.0/23",
      "10.0.1.0/24 INSIDE 10.0.0.0/23",
      "10.0.2.0/24 USED 10.0.2.0/24",
      "10.0.3.0/24 PARTIAL 10.0.3.0/26,10.0.3.128/27,10.0.3.160/28",
    ]);
    expect(show(blocksPage(parent, 22, source, { first: 10 }).blocks)).toEqual([
      "10.0.0.0/22 PARTIAL 10.0.0.0/23,10.0.2.0/24,10.0.3.0/26,10.0.3.128/27,10.0.3.160/28",
    ]);
  });

  it("pages by cursor and reports whether more blocks follow", () => {
    const one = blocksPage(parent, 25, source, { first: 3 });
    expect(one.hasNextPage).toBe(true);
    const two = blocksPage(parent, 25, source, { first: 3, after: one.blocks[2]!.prefix.start });
    expect(show(two.blocks)).toEqual([
      "10.0.1.128/25 INSIDE 10.0.0.0/23",
      "10.0.2.0/25 INSIDE 10.0.2.0/24",
      "10.0.2.128/25 INSIDE 10.0.2.0/24",
    ]);
    const three = blocksPage(parent, 25, source, { first: 3, after: two.blocks[2]!.prefix.start });
    expect(show(three.blocks)).toEqual([
      "10.0.3.0/25 PARTIAL 10.0.3.0/26",
      "10.0.3.128/25 PARTIAL 10.0.3.128/27,10.0.3.160/28",
    ]);
    expect(three.hasNextPage).toBe(false);
  });

  it("filters by status and caps the occupants of a PARTIAL block", () => {
    expect(show(blocksPage(parent, 26, source, { first: 10, status: ["FREE"] }).blocks)).toEqual([
      "10.0.3.64/26 FREE",
      "10.0.3.192/26 FREE",
    ]);
    expect(
      show(blocksPage(parent, 24, source, { first: 10, status: ["PARTIAL"], occupantLimit: 1 }).blocks),
    ).toEqual(["10.0.3.0/24 PARTIAL 10.0.3.0/26 +"]);
  });

  it("pages backwards from the end and from a cursor, listing a PARTIAL block's first occupants", () => {
    const last = blocksPageBefore(parent, 25, source, { last: 3 });
    expect(show(last.blocks)).toEqual([
      "10.0.2.128/25 INSIDE 10.0.2.0/24",
      "10.0.3.0/25 PARTIAL 10.0.3.0/26",
      "10.0.3.128/25 PARTIAL 10.0.3.128/27,10.0.3.160/28",
    ]);
    expect(last.hasPreviousPage).toBe(true);
    const before = blocksPageBefore(parent, 25, source, { last: 3, before: last.blocks[0]!.prefix.start });
    expect(show(before.blocks)).toEqual([
      "10.0.1.0/25 INSIDE 10.0.0.0/23",
      "10.0.1.128/25 INSIDE 10.0.0.0/23",
      "10.0.2.0/25 INSIDE 10.0.2.0/24",
    ]);
    expect(
      show(blocksPageBefore(parent, 24, source, { last: 1, status: ["PARTIAL"], occupantLimit: 2 }).blocks),
    ).toEqual(["10.0.3.0/24 PARTIAL 10.0.3.0/26,10.0.3.128/27 +"]);
    const first = blocksPageBefore(parent, 24, source, { last: 5, before: p("10.0.1.0/32").start });
    expect(show(first.blocks)).toEqual(["10.0.0.0/24 INSIDE 10.0.0.0/23"]);
    expect(first.hasPreviousPage).toBe(false);
  });

  it("pages backwards through the last /64s of an IPv6 /32 as cheaply as forwards", () => {
    const big = p("2001:db8::/32");
    const children = ["2001:db8::/64", "2001:db8:ffff:fffe::/63"].map(p);
    const { source: counted, stats } = counting(memoryOccupancySource(big, children));
    const page = blocksPageBefore(big, 64, counted, { last: 3, status: ["FREE", "USED"] });
    expect(show(page.blocks)).toEqual([
      "2001:db8:ffff:fffb::/64 FREE",
      "2001:db8:ffff:fffc::/64 FREE",
      "2001:db8:ffff:fffd::/64 FREE",
    ]);
    expect(page.hasPreviousPage).toBe(true);
    expect(stats.rows).toBeLessThanOrEqual(8);
    // FREE-only backwards from just after the first /64 finds nothing before it.
    const start = blocksPageBefore(big, 64, counted, { last: 3, before: p("2001:db8:0:1::/64").start });
    expect(show(start.blocks)).toEqual(["2001:db8::/64 USED 2001:db8::/64"]);
    expect(start.hasPreviousPage).toBe(false);
  });

  it("starts after a cursor that is not a block start", () => {
    const page = blocksPage(parent, 24, source, { first: 1, after: p("10.0.1.77/32").start });
    expect(show(page.blocks)).toEqual(["10.0.2.0/24 USED 10.0.2.0/24"]);
  });

  it("refuses a length shorter than the parent and a cursor outside it", () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as AllocatorError).code;
      }
      return undefined;
    };
    expect(code(() => blocksPage(parent, 21, source, { first: 1 }))).toBe("LENGTH_OUT_OF_RANGE");
    expect(code(() => blocksPage(parent, 33, source, { first: 1 }))).toBe("LENGTH_OUT_OF_RANGE");
    expect(code(() => blocksPage(parent, 24, source, { first: 1, after: p("10.0.4.0/32").start }))).toBe(
      "OUTSIDE_PARENT",
    );
    expect(
      code(() => blocksPageBefore(parent, 24, source, { last: 1, before: p("9.255.255.255/32").start })),
    ).toBe("OUTSIDE_PARENT");
    expect(code(() => blocksPageBefore(parent, 21, source, { last: 1 }))).toBe("LENGTH_OUT_OF_RANGE");
  });

  it("pages the last /64s of an IPv6 /32 (2^32 blocks) as cheaply as a small pool", () => {
    const big = p("2001:db8::/32");
    const children = ["2001:db8:ffff:fffd::/64", "2001:db8:ffff:fffe::/63"].map(p);
    const { source: counted, stats } = counting(memoryOccupancySource(big, children));
    const after = p("2001:db8:ffff:fff9::/64").start;
    const page = blocksPage(big, 64, counted, { first: 100, after });
    expect(show(page.blocks)).toEqual([
      "2001:db8:ffff:fffa::/64 FREE",
      "2001:db8:ffff:fffb::/64 FREE",
      "2001:db8:ffff:fffc::/64 FREE",
      "2001:db8:ffff:fffd::/64 USED 2001:db8:ffff:fffd::/64",
      "2001:db8:ffff:fffe::/64 INSIDE 2001:db8:ffff:fffe::/63",
      "2001:db8:ffff:ffff::/64 INSIDE 2001:db8:ffff:fffe::/63",
    ]);
    expect(page.hasNextPage).toBe(false);
    expect(stats.calls).toBeLessThanOrEqual(4);
    const counts = { occupied: histogram(children), free: histogram(freeBlocks(big, children)) };
    expect(blockCount(big, 64, counts)).toBe(2n ** 32n);
    expect(blockCount(big, 64, counts, ["FREE"])).toBe(2n ** 32n - 3n);
    expect(blockCount(big, 64, counts, ["INSIDE", "USED"])).toBe(3n);
  });

  it("finds free blocks without walking through used ones", () => {
    const space = p("10.0.0.0/16");
    // The first 200 /24s are used; the only free /24s come after them.
    const children = Array.from({ length: 200 }, (_, i) => nthBlock(space, 24, i));
    const { source: counted, stats } = counting(memoryOccupancySource(space, children));
    const page = blocksPage(space, 24, counted, { first: 10, status: ["FREE"] });
    expect(formatPrefix(page.blocks[0]!.prefix)).toBe("10.0.200.0/24");
    expect(page.blocks).toHaveLength(10);
    expect(stats.rows).toBeLessThanOrEqual(11);
  });

  it("skips dense PARTIAL blocks with one query each, not by reading every occupant", () => {
    const space = p("10.0.0.0/16");
    const children = Array.from({ length: 2048 }, (_, i) => nthBlock(space, 32, i * 2)); // 16 /24s of 128 /32s
    const { source: counted, stats } = counting(memoryOccupancySource(space, children));
    const page = blocksPage(space, 24, counted, { first: 5, status: ["PARTIAL"], occupantLimit: 2 });
    expect(page.blocks.map((b) => b.moreOccupants)).toEqual([true, true, true, true, true]);
    expect(stats.rows).toBeLessThanOrEqual(6 * 3);
  });
});

/** All non-empty subsets of the statuses, plus "no filter". */
const FILTERS: (BlockStatus[] | undefined)[] = [
  undefined,
  ...Array.from({ length: 15 }, (_, mask) => BLOCK_STATUSES.filter((_, i) => (mask + 1) & (1 << i))),
];

const SPACES = [p("10.0.0.0/24"), p("2001:db8::/120"), p("255.255.255.192/26")];

const occupancyArb = fc
  .record({
    parent: fc.constantFrom(...SPACES),
    picks: fc.array(fc.record({ extra: fc.nat(8), index: fc.nat() }), { maxLength: 25 }),
  })
  .map(({ parent, picks }) => {
    const finest = maxLength(parent.family);
    const occupied = disjoint(
      picks.map(({ extra, index }) => nthBlock(parent, Math.min(finest, parent.length + extra), index)),
    );
    return { parent, occupied };
  });

describe("blocks view against the reference model", () => {
  it("agrees on every page, every status filter and every length, with and without freeFrom", () => {
    fc.assert(
      fc.property(
        occupancyArb,
        fc.integer({ min: 1, max: 9 }),
        fc.nat(3),
        fc.boolean(),
        ({ parent, occupied }, first, occupantLimit, withFree) => {
          const { source } = counting(memoryOccupancySource(parent, occupied), withFree);
          const counts = { occupied: histogram(occupied), free: histogram(freeBlocks(parent, occupied)) };
          for (let length = parent.length; length <= maxLength(parent.family); length++) {
            const expected = referenceBlocks(parent, length, occupied, occupantLimit);
            for (const status of FILTERS) {
              const wanted = expected.filter((b) => !status || status.includes(b.status));
              const { blocks } = allPages(parent, length, source, first, status, occupantLimit);
              expect(blocks).toEqual(wanted);
              const backward = allPagesBackward(parent, length, source, first, status, occupantLimit);
              expect(backward.blocks).toEqual(wanted);
              expect(blockCount(parent, length, counts, status)).toBe(BigInt(wanted.length));
            }
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it("keeps the source reads per page bounded by the page size", () => {
    fc.assert(
      fc.property(occupancyArb, fc.integer({ min: 1, max: 9 }), ({ parent, occupied }, first) => {
        const { source, stats } = counting(memoryOccupancySource(parent, occupied));
        const length = Math.min(maxLength(parent.family), parent.length + 4);
        for (const status of FILTERS) {
          stats.rows = 0;
          const { pages } = allPages(parent, length, source, first, status, 1);
          // Each page reads at most about a page per stream plus one row per PARTIAL block it skips past.
          expect(stats.rows).toBeLessThanOrEqual(pages * (4 * (first + 1) + 2 * (first + 1)));
          // Backwards, a PARTIAL block cut at the limit also reads its first occupants again.
          stats.rows = 0;
          const back = allPagesBackward(parent, length, source, first, status, 1);
          expect(stats.rows).toBeLessThanOrEqual(back.pages * (4 * (first + 1) + 3 * (first + 1)));
        }
      }),
      { numRuns: 40 },
    );
  });

  it("matches the reference with occupied prefixes given in any order", () => {
    fc.assert(
      fc.property(occupancyArb, fc.nat(), ({ parent, occupied }, seed) => {
        const shuffled = [...occupied].sort(
          (a, b) => ((Number(a.start) * 31 + seed) % 7) - ((Number(b.start) * 31 + seed) % 7),
        );
        const length = Math.min(maxLength(parent.family), parent.length + 3);
        const { blocks } = allPages(parent, length, memoryOccupancySource(parent, shuffled), 4);
        expect(blocks).toEqual(referenceBlocks(parent, length, [...occupied].sort(comparePrefixes), 16));
      }),
    );
  });
});
