import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultAdviceLength, defragmentationAdvice } from "../../src/allocator/defragmentation.js";
import { AllocatorError } from "../../src/allocator/errors.js";
import {
  addressCount,
  comparePrefixes,
  containsPrefix,
  formatPrefix,
  overlaps,
  parsePrefix,
  type Prefix,
} from "../../src/allocator/prefix.js";
import { referenceDefragmentationAdvice } from "./defragmentation-reference.js";
import { referenceFreeBlocks } from "./reference-model.js";

const p = parsePrefix;
const id = (x: Prefix) => x;

function advise(parent: Prefix, children: Prefix[], length: number, first = 10) {
  return defragmentationAdvice(parent, children, id, referenceFreeBlocks(parent, children), length, first);
}

/** Can `lengths` be placed in the free space of parent given occupied (depth-first search)? */
function fitsByExhaustiveSearch(
  parent: Prefix,
  occupied: readonly Prefix[],
  lengths: readonly number[],
): boolean {
  const placed: Prefix[] = [];
  const visit = (i: number): boolean => {
    if (i === lengths.length) return true;
    const size = addressCount({ family: parent.family, start: 0n, length: lengths[i]! });
    for (let start = parent.start; start + size <= parent.start + addressCount(parent); start += size) {
      const c: Prefix = { family: parent.family, start, length: lengths[i]! };
      if (occupied.some((o) => overlaps(o, c)) || placed.some((o) => overlaps(o, c))) continue;
      placed.push(c);
      if (visit(i + 1)) return true;
      placed.pop();
    }
    return false;
  };
  return visit(0);
}

/** A /27 with up to 8 disjoint children of /28../32. */
const smallPool = fc
  .array(fc.record({ length: fc.integer({ min: 28, max: 32 }), slot: fc.nat(31) }), { maxLength: 8 })
  .map((raw) => {
    const parent = p("10.0.0.0/27");
    const occupied: Prefix[] = [];
    for (const { length, slot } of raw) {
      const size = 2 ** (32 - length);
      const c: Prefix = { family: 4, start: parent.start + BigInt((slot * size) % 32), length };
      if (!occupied.some((o) => overlaps(o, c))) occupied.push(c);
    }
    return { parent, occupied: occupied.sort(comparePrefixes) };
  });

describe("defragmentationAdvice", () => {
  it("ranks every occupied aligned block by blockers, then addresses, then address; moves are valid and release only when no placement exists", () => {
    fc.assert(
      fc.property(smallPool, fc.integer({ min: 27, max: 32 }), ({ parent, occupied }, length) => {
        const advice = advise(parent, occupied, length, 100);
        // Reference: every aligned block of `length` with a child inside it and inside no larger child.
        const size = addressCount({ family: 4, start: 0n, length });
        const expected: { block: Prefix; blockers: Prefix[] }[] = [];
        for (let s = parent.start; s < parent.start + addressCount(parent); s += size) {
          const block: Prefix = { family: 4, start: s, length };
          const inside = occupied.filter((o) => containsPrefix(block, o));
          if (inside.length > 0) expected.push({ block, blockers: inside });
        }
        expected.sort(
          (a, b) =>
            a.blockers.length - b.blockers.length ||
            Number(
              a.blockers.reduce((n, x) => n + addressCount(x), 0n) -
                b.blockers.reduce((n, x) => n + addressCount(x), 0n),
            ) ||
            Number(a.block.start - b.block.start),
        );
        expect(advice.map((a) => [formatPrefix(a.block), a.blockers.map(formatPrefix)])).toEqual(
          expected.map((e) => [formatPrefix(e.block), e.blockers.map(formatPrefix)]),
        );
        for (const a of advice) {
          const stay = occupied.filter((o) => !containsPrefix(a.block, o));
          const lengths = a.blockers.map((b) => b.length);
          const after = a.moves ? [...stay, ...a.moves].sort(comparePrefixes) : stay;
          if (a.moves) {
            expect(a.moves.map((m) => m.length)).toEqual(lengths);
            for (const [i, m] of a.moves.entries()) {
              expect(containsPrefix(parent, m)).toBe(true);
              expect(overlaps(m, a.block)).toBe(false);
              expect(stay.some((o) => overlaps(o, m))).toBe(false);
              expect(a.moves.some((o, j) => j !== i && overlaps(o, m))).toBe(false);
            }
          } else {
            expect(fitsByExhaustiveSearch(parent, [...stay, a.block], lengths)).toBe(false);
          }
          // `freed` is the maximal free block holding the target once the moves (or releases) are done.
          const freeAfter = referenceFreeBlocks(parent, after);
          expect(formatPrefix(a.freed)).toBe(
            formatPrefix(freeAfter.find((f) => containsPrefix(f, a.block))!),
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it("names the allocations in the way of a free /26 in a fragmented /24, fewest first", () => {
    const parent = p("10.0.0.0/24");
    const children = ["10.0.0.0/28", "10.0.0.64/30", "10.0.0.80/28", "10.0.0.128/27", "10.0.0.192/29"].map(p);
    const advice = advise(parent, children, 26);
    expect(
      advice.map((a) => ({
        block: formatPrefix(a.block),
        blockers: a.blockers.map(formatPrefix),
        moves: a.moves?.map(formatPrefix),
        freed: formatPrefix(a.freed),
      })),
    ).toEqual([
      {
        block: "10.0.0.192/26",
        blockers: ["10.0.0.192/29"],
        moves: ["10.0.0.72/29"],
        freed: "10.0.0.192/26",
      },
      { block: "10.0.0.0/26", blockers: ["10.0.0.0/28"], moves: ["10.0.0.208/28"], freed: "10.0.0.0/26" },
      {
        block: "10.0.0.128/26",
        blockers: ["10.0.0.128/27"],
        moves: ["10.0.0.32/27"],
        freed: "10.0.0.128/26",
      },
      {
        block: "10.0.0.64/26",
        blockers: ["10.0.0.64/30", "10.0.0.80/28"],
        moves: ["10.0.0.200/30", "10.0.0.16/28"],
        freed: "10.0.0.64/26",
      },
    ]);
  });

  it("advises a release when the blockers fit nowhere else", () => {
    const parent = p("10.0.0.0/24");
    const children = ["10.0.0.0/25", "10.0.0.128/26", "10.0.0.192/27"].map(p);
    const advice = advise(parent, children, 25);
    expect(
      advice.map((a) => [formatPrefix(a.block), a.blockers.length, a.moves, formatPrefix(a.freed)]),
    ).toEqual([
      ["10.0.0.0/25", 1, undefined, "10.0.0.0/25"],
      ["10.0.0.128/25", 2, undefined, "10.0.0.128/25"],
    ]);
  });

  it("works on IPv6", () => {
    const parent = p("2001:db8::/48");
    const children = ["2001:db8::/64", "2001:db8:0:8000::/56"].map(p);
    const advice = advise(parent, children, 49, 5);
    expect(advice.map((a) => [formatPrefix(a.block), a.moves?.map(formatPrefix)])).toEqual([
      ["2001:db8::/49", ["2001:db8:0:8100::/64"]],
      ["2001:db8:0:8000::/49", ["2001:db8:0:100::/56"]],
    ]);
  });

  it("defaults to one step larger than the largest free block, and refuses a length outside the parent", () => {
    const parent = p("10.0.0.0/24");
    const children = [p("10.0.0.0/26"), p("10.0.0.128/26")];
    expect(defaultAdviceLength(parent, children, referenceFreeBlocks(parent, children))).toBe(25);
    expect(defaultAdviceLength(parent, [], [parent])).toBeUndefined();
    expect(defaultAdviceLength(parent, [parent], [])).toBe(24);
    expect(() => advise(parent, children, 23)).toThrow(AllocatorError);
  });
});

describe("defaultAdviceLength at scale", () => {
  it("handles more free blocks and children than a call's argument limit", () => {
    const parent = p("10.0.0.0/8");
    const children = Array.from({ length: 200_000 }, (_, i) => ({
      family: 4 as const,
      start: parent.start + BigInt(i) * 64n,
      length: 28,
    }));
    const free = children.map((c) => ({ ...c, start: c.start + 16n }));
    expect(defaultAdviceLength(parent, children, free)).toBe(27);
    expect(defaultAdviceLength(parent, children, [])).toBe(28);
  });

  it("answers exactly as the previous implementation (whole free set, every child) on random pools", () => {
    // A /20 with up to 60 disjoint children of /22../32, mostly small: fragmented free space at many lengths.
    const pool = fc
      .array(fc.record({ length: fc.integer({ min: 22, max: 32 }), slot: fc.nat(4095) }), { maxLength: 60 })
      .map((raw) => {
        const parent = p("10.16.0.0/20");
        const occupied: Prefix[] = [];
        for (const { length, slot } of raw) {
          const size = 2 ** (32 - length);
          const c: Prefix = {
            family: 4,
            start: parent.start + BigInt(Math.floor((slot * 4096) / 4096 / size) * size),
            length,
          };
          if (!occupied.some((o) => overlaps(o, c))) occupied.push(c);
        }
        return { parent, occupied: occupied.sort(comparePrefixes) };
      });
    const view = (a: ReturnType<typeof advise>) =>
      a.map((x) => ({
        block: formatPrefix(x.block),
        blockers: x.blockers.map(formatPrefix),
        addresses: x.addressesToMove,
        moves: x.moves?.map(formatPrefix),
        freed: formatPrefix(x.freed),
      }));
    fc.assert(
      fc.property(
        pool,
        fc.integer({ min: 20, max: 32 }),
        fc.integer({ min: 1, max: 40 }),
        (pl, length, first) => {
          const free = referenceFreeBlocks(pl.parent, pl.occupied);
          const fast = defragmentationAdvice(pl.parent, pl.occupied, id, free, length, first);
          const reference = referenceDefragmentationAdvice(pl.parent, pl.occupied, id, free, length, first);
          expect(view(fast)).toEqual(view(reference));
        },
      ),
      { numRuns: 400 },
    );
    fc.assert(
      fc.property(smallPool, fc.integer({ min: 27, max: 32 }), ({ parent, occupied }, length) => {
        const free = referenceFreeBlocks(parent, occupied);
        expect(view(defragmentationAdvice(parent, occupied, id, free, length, 100))).toEqual(
          view(referenceDefragmentationAdvice(parent, occupied, id, free, length, 100)),
        );
      }),
      { numRuns: 300 },
    );
  });
});
