import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { freeBlocks } from "../../src/allocator/free-space.js";
import { memoryOccupancySource } from "../../src/allocator/memory-source.js";
import { comparePrefixes, parsePrefix, prefixLast, type Prefix } from "../../src/allocator/prefix.js";
import { nthBlock } from "./reference-model.js";

const p = parsePrefix;

/** What the source must answer, by filtering everything: prefixes within the bounds ending at or after start. */
function naive(sorted: readonly Prefix[], start: bigint, limit: number, min: number, max: number): Prefix[] {
  return sorted.filter((x) => x.length >= min && x.length <= max && prefixLast(x) >= start).slice(0, limit);
}

/** Backwards: prefixes within the bounds starting at or before end, nearest first. */
function naiveBefore(
  sorted: readonly Prefix[],
  end: bigint,
  limit: number,
  min: number,
  max: number,
): Prefix[] {
  return sorted
    .filter((x) => x.length >= min && x.length <= max && x.start <= end)
    .reverse()
    .slice(0, limit);
}

/** Disjoint children of a /16: random blocks of /17../32 laid out left to right, so there are many of them. */
const childrenArb = fc
  .array(
    fc.record({
      length: fc.integer({ min: 17, max: 32 }),
      // Runs of one length, up to 80 long, so that a length filter must skip far (not only the next few).
      run: fc.integer({ min: 1, max: 80 }),
      gap: fc.nat(3),
    }),
    { minLength: 0, maxLength: 30 },
  )
  .map((runs) => {
    const parent = p("10.1.0.0/16");
    const children: Prefix[] = [];
    let next = parent.start;
    const picks = runs.flatMap(({ length, run, gap }) =>
      Array.from({ length: run }, () => ({ length, gap })),
    );
    for (const { length, gap } of picks) {
      const size = 1n << BigInt(32 - length);
      // Align up, then leave `gap` blocks free.
      const start = ((next + size - 1n) / size) * size + BigInt(gap) * size;
      if (start + size - 1n > prefixLast(parent)) break;
      children.push({ family: 4, start, length });
      next = start + size;
    }
    return { parent, children };
  });

describe("memoryOccupancySource", () => {
  it("answers every length filter like a filter over all children, from any start", () => {
    fc.assert(
      fc.property(
        childrenArb,
        fc.integer({ min: 0, max: 65535 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 33 }),
        fc.integer({ min: 0, max: 33 }),
        ({ parent, children }, offset, limit, a, b) => {
          const source = memoryOccupancySource(parent, [...children].reverse());
          const start = parent.start + BigInt(offset);
          const [min, max] = a <= b ? [a, b] : [b, a];
          expect(source.occupiedFrom(start, limit, { min, max })).toEqual(
            naive(children, start, limit, min, max),
          );
          expect(source.occupiedFrom(start, limit, { min: a })).toEqual(naive(children, start, limit, a, 32));
          expect(source.occupiedFrom(start, limit, { max: b })).toEqual(naive(children, start, limit, 0, b));
          const free = [...freeBlocks(parent, children)];
          expect(source.freeFrom!(start, b, limit)).toEqual(naive(free, start, limit, 0, b));
          // Backwards: the same filters from the other side.
          expect(source.occupiedBefore(start, limit, { min, max })).toEqual(
            naiveBefore(children, start, limit, min, max),
          );
          expect(source.occupiedBefore(start, limit, { min: a })).toEqual(
            naiveBefore(children, start, limit, a, 32),
          );
          expect(source.freeBefore!(start, b, limit)).toEqual(naiveBefore(free, start, limit, 0, b));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("follows on from where a batch ended, as the blocks view reads it", () => {
    const parent = p("10.0.0.0/16");
    // Every /24 holds one /26 and one /28: a length filter skips every other child.
    const children = Array.from({ length: 256 }, (_, i) => [
      nthBlock(parent, 26, i * 4),
      nthBlock(parent, 28, i * 16 + 8),
    ]).flat();
    const source = memoryOccupancySource(parent, children);
    const read: Prefix[] = [];
    for (let start = parent.start; ;) {
      const batch = source.occupiedFrom(start, 7, { min: 27 });
      read.push(...batch);
      if (batch.length < 7) break;
      start = prefixLast(batch[batch.length - 1]!) + 1n;
    }
    expect(read).toEqual(children.filter((c) => c.length === 28).sort(comparePrefixes));
  });

  it("returns nothing past the last child and nothing for an empty pool", () => {
    const parent = p("2001:db8::/48");
    const source = memoryOccupancySource(parent, [p("2001:db8::/64")]);
    expect(source.occupiedFrom(p("2001:db8:0:1::/64").start, 10)).toEqual([]);
    expect(memoryOccupancySource(parent, []).occupiedFrom(parent.start, 10, { min: 64 })).toEqual([]);
    expect(memoryOccupancySource(parent, []).freeFrom!(parent.start, 64, 10)).toEqual([parent]);
  });
});
