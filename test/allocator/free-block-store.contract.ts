/**
 * The FreeBlockStore contract, checked against a naive array model. Any implementation (the in-memory one, the
 * SQL-backed one in src/db) can run it: `freeBlockStoreContract("SqlFreeBlockStore", (blocks) => makeStore(blocks))`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FreeBlockStore } from "../../src/allocator/free-index.js";
import { comparePrefixes, containsPrefix, parsePrefix, type Prefix } from "../../src/allocator/prefix.js";
import { disjoint, nthBlock, referenceFreeBlocks } from "./reference-model.js";

const byStart = (a: Prefix, b: Prefix) => comparePrefixes(a, b);

/** Naive answers over a plain list of free blocks. */
const model = {
  smallestFit: (free: Prefix[], max: number) =>
    free.filter((f) => f.length <= max).sort((a, b) => b.length - a.length || byStart(a, b))[0],
  firstFit: (free: Prefix[], max: number) => free.filter((f) => f.length <= max).sort(byStart)[0],
  largest: (free: Prefix[]) => [...free].sort((a, b) => a.length - b.length || byStart(a, b))[0],
  containing: (free: Prefix[], p: Prefix) => free.find((f) => containsPrefix(f, p)),
};

export function freeBlockStoreContract(name: string, makeStore: (blocks: Prefix[]) => FreeBlockStore): void {
  const parents = [parsePrefix("10.0.0.0/20"), parsePrefix("2001:db8::/116")];
  const freeSetArb = fc
    .record({
      parent: fc.constantFrom(...parents),
      picks: fc.array(fc.record({ extra: fc.nat(12), index: fc.nat() }), { maxLength: 30 }),
    })
    .map(({ parent, picks }) => {
      const occupied = disjoint(
        picks.map(({ extra, index }) => nthBlock(parent, parent.length + extra, index)),
      );
      return { parent, free: referenceFreeBlocks(parent, occupied) };
    });

  describe(`${name} honours the FreeBlockStore contract`, () => {
    it("answers smallestFit, firstFit, largest, containing and has like the naive model", () => {
      fc.assert(
        fc.property(freeSetArb, fc.nat(12), fc.nat(), ({ parent, free }, extra, index) => {
          const store = makeStore(free);
          for (let max = parent.length; max <= parent.length + 12; max++) {
            expect(store.smallestFit(max)).toEqual(model.smallestFit(free, max));
            expect(store.firstFit(max)).toEqual(model.firstFit(free, max));
          }
          expect(store.largest()).toEqual(model.largest(free));
          const probe = nthBlock(parent, parent.length + extra, index);
          expect(store.containing(probe)).toEqual(model.containing(free, probe));
          expect(store.has(probe)).toBe(free.some((f) => comparePrefixes(f, probe) === 0));
        }),
        { numRuns: 100 },
      );
    });

    it("reflects add and remove in every answer", () => {
      fc.assert(
        fc.property(freeSetArb, fc.array(fc.nat(), { maxLength: 20 }), ({ free }, removals) => {
          const store = makeStore(free);
          let current = [...free];
          for (const r of removals) {
            if (current.length === 0) break;
            const victim = current[r % current.length]!;
            store.remove(victim);
            current = current.filter((f) => f !== victim);
            expect(store.largest()).toEqual(model.largest(current));
            expect(store.has(victim)).toBe(false);
            if (r % 3 === 0) {
              store.add(victim);
              current.push(victim);
              expect(store.has(victim)).toBe(true);
            }
            expect(store.firstFit(128)).toEqual(model.firstFit(current, 128));
          }
        }),
        { numRuns: 100 },
      );
    });
  });
}
