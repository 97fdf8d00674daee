import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AllocatorError } from "../../src/allocator/errors.js";
import {
  allocate,
  allocateSteps,
  largestSteps,
  MemoryFreeBlockStore,
  preview,
  release,
  releaseSteps,
  runAsync,
  runSync,
  seedFreeBlocks,
  type AllocationStrategy,
  type AsyncFreeBlockStore,
  type FreeBlockChange,
  type FreeBlockProgram,
} from "../../src/allocator/free-index.js";
import { growSteps } from "../../src/allocator/resize.js";
import { freeBlocks } from "../../src/allocator/free-space.js";
import {
  comparePrefixes,
  containsPrefix,
  formatPrefix,
  overlaps,
  parsePrefix,
  prefixEquals,
  type Prefix,
} from "../../src/allocator/prefix.js";
import { freeBlockStoreContract } from "./free-block-store.contract.js";
import { markAddresses, nthBlock, referenceFreeBlocks } from "./reference-model.js";

const p = parsePrefix;
const texts = (list: Iterable<Prefix>) => [...list].map(formatPrefix);

function errorOf(fn: () => unknown): AllocatorError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AllocatorError) return e;
    throw e;
  }
  throw new Error("expected an AllocatorError");
}

function pool(text: string, occupied: string[] = []) {
  const parent = p(text);
  const store = MemoryFreeBlockStore.seeded(parent, occupied.map(p).sort(comparePrefixes));
  return { parent, store };
}

describe("freeBlocks", () => {
  it("lists the free space as maximal aligned blocks in address order", () => {
    const parent = p("10.0.0.0/24");
    const occupied = ["10.0.0.64/26", "10.0.0.128/28"].map(p);
    expect(texts(freeBlocks(parent, occupied))).toEqual([
      "10.0.0.0/26",
      "10.0.0.144/28",
      "10.0.0.160/27",
      "10.0.0.192/26",
    ]);
  });

  it("returns the parent itself when nothing is occupied, and nothing when it is occupied whole", () => {
    expect(texts(freeBlocks(p("::/0"), []))).toEqual(["::/0"]);
    expect(texts(freeBlocks(p("10.0.0.0/8"), [p("10.0.0.0/8")]))).toEqual([]);
  });

  it("handles the last block of the space", () => {
    expect(texts(freeBlocks(p("255.255.255.0/24"), [p("255.255.255.254/31")]))).toEqual([
      "255.255.255.0/25",
      "255.255.255.128/26",
      "255.255.255.192/27",
      "255.255.255.224/28",
      "255.255.255.240/29",
      "255.255.255.248/30",
      "255.255.255.252/31",
    ]);
    expect(texts(freeBlocks(p("ffff::/16"), [p("ffff::/17")]))).toEqual(["ffff:8000::/17"]);
  });

  it("absorbs nested occupied prefixes", () => {
    const occupied = ["10.0.0.0/25", "10.0.0.0/26", "10.0.0.64/27"].map(p);
    expect(texts(freeBlocks(p("10.0.0.0/24"), occupied))).toEqual(["10.0.0.128/25"]);
  });

  it("refuses occupied prefixes outside the parent or out of order", () => {
    expect(errorOf(() => [...freeBlocks(p("10.0.0.0/24"), [p("10.0.1.0/24")])]).code).toBe("OUTSIDE_PARENT");
    expect(errorOf(() => [...freeBlocks(p("10.0.0.0/24"), [p("::/128")])]).code).toBe("FAMILY_MISMATCH");
    expect(() => [...freeBlocks(p("10.0.0.0/24"), [p("10.0.0.128/25"), p("10.0.0.0/25")])]).toThrow(
      RangeError,
    );
  });
});

describe("allocate", () => {
  it("takes the smallest free block that fits, lowest address first", () => {
    const { parent, store } = pool("10.0.0.0/16", ["10.0.0.0/24", "10.0.2.0/24", "10.0.4.0/22"]);
    // Free: 10.0.1.0/24, 10.0.3.0/24, 10.0.8.0/21, 10.0.16.0/20, ...
    expect(formatPrefix(allocate(store, parent, { length: 24 }))).toBe("10.0.1.0/24");
    expect(formatPrefix(allocate(store, parent, { length: 25 }))).toBe("10.0.3.0/25");
    expect(formatPrefix(allocate(store, parent, { length: 24 }))).toBe("10.0.8.0/24");
  });

  it("takes the lowest address with first-fit", () => {
    const { parent, store } = pool("10.0.0.0/16", ["10.0.0.0/25"]);
    expect(formatPrefix(allocate(store, parent, { length: 26 }, "first-fit"))).toBe("10.0.0.128/26");
    const { store: store2 } = pool("10.0.0.0/16", ["10.0.0.0/25", "10.0.2.0/24"]);
    expect(formatPrefix(allocate(store2, parent, { length: 24 }, "first-fit"))).toBe("10.0.1.0/24");
  });

  it("allocates an explicit prefix that is free and splits around it", () => {
    const { parent, store } = pool("10.0.0.0/22");
    expect(formatPrefix(allocate(store, parent, { prefix: p("10.0.2.128/25") }))).toBe("10.0.2.128/25");
    expect(texts(store.toArray())).toEqual(["10.0.0.0/23", "10.0.2.0/25", "10.0.3.0/24"]);
  });

  it("treats IPv4-mapped IPv6 input as the IPv4 prefix", () => {
    const { parent, store } = pool("10.0.0.0/16");
    expect(formatPrefix(allocate(store, parent, { prefix: p("::ffff:10.0.2.0/120") }))).toBe("10.0.2.0/24");
  });

  it("allocates the whole parent, the last /32 and the last /128", () => {
    const whole = pool("10.0.0.0/8");
    expect(formatPrefix(allocate(whole.store, whole.parent, { length: 8 }))).toBe("10.0.0.0/8");
    expect(whole.store.size).toBe(0);
    const v4 = pool("255.255.255.252/30", ["255.255.255.252/31", "255.255.255.254/32"]);
    expect(formatPrefix(allocate(v4.store, v4.parent, { length: 32 }))).toBe("255.255.255.255/32");
    const v6 = pool("::/0");
    expect(
      formatPrefix(
        allocate(v6.store, v6.parent, { prefix: p("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128") }),
      ),
    ).toBe("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
    expect(v6.store.size).toBe(128);
  });

  it("refuses a length shorter than the parent or outside the pool's rules", () => {
    const { parent, store } = pool("10.0.0.0/16");
    const tooBig = errorOf(() => allocate(store, parent, { length: 15 }));
    expect(tooBig.code).toBe("LENGTH_OUT_OF_RANGE");
    expect(tooBig.message).toBe("/15 does not fit in 10.0.0.0/16 (allowed /16 to /32)");
    expect(errorOf(() => allocate(store, parent, { length: 33 })).code).toBe("LENGTH_OUT_OF_RANGE");
    const rules = { minLength: 20, maxLength: 26 };
    const e = errorOf(() => allocate(store, parent, { length: 28 }, "smallest-fit", rules));
    expect(e.code).toBe("LENGTH_OUT_OF_RANGE");
    expect(e.details).toMatchObject({ length: 28, min: 20, max: 26 });
    expect(
      errorOf(() => allocate(store, parent, { prefix: p("10.0.0.0/18") }, "smallest-fit", rules)).code,
    ).toBe("LENGTH_OUT_OF_RANGE");
    expect(store.toArray()).toEqual([parent]);
  });

  it("refuses an explicit prefix outside the parent, in another family, or not free", () => {
    const { parent, store } = pool("10.0.0.0/16", ["10.0.1.0/24"]);
    expect(errorOf(() => allocate(store, parent, { prefix: p("10.1.0.0/24") })).code).toBe("OUTSIDE_PARENT");
    expect(errorOf(() => allocate(store, parent, { prefix: p("10.0.0.0/8") })).code).toBe("OUTSIDE_PARENT");
    expect(errorOf(() => allocate(store, parent, { prefix: p("2001:db8::/64") })).code).toBe(
      "FAMILY_MISMATCH",
    );
    const notFree = errorOf(() => allocate(store, parent, { prefix: p("10.0.1.128/25") }));
    expect(notFree.code).toBe("NOT_FREE");
    expect(notFree.message).toBe("10.0.1.128/25 is not free in 10.0.0.0/16");
    expect(errorOf(() => allocate(store, parent, { prefix: p("10.0.0.0/23") })).code).toBe("NOT_FREE");
  });

  it("says which block is the largest left when there is no space", () => {
    const { parent, store } = pool("10.0.0.0/20", ["10.0.0.0/21", "10.0.8.0/22", "10.0.14.0/23"]);
    const e = errorOf(() => allocate(store, parent, { length: 21 }));
    expect(e.code).toBe("NO_SPACE");
    expect(e.details).toMatchObject({ largestFree: "10.0.12.0/23" });
    expect(e.message).toBe("no free /21 left in 10.0.0.0/20; the largest free block is 10.0.12.0/23");
    allocate(store, parent, { length: 23 });
    const full = errorOf(() => allocate(store, parent, { length: 32 }));
    expect(full.details).toMatchObject({ largestFree: null });
    expect(full.message).toBe("no free /32 left in 10.0.0.0/20; it is full");
  });

  it("previews the same answer without changing the store", () => {
    const { parent, store } = pool("2001:db8::/48", ["2001:db8::/64"]);
    const before = store.toArray();
    const seen = preview(store, parent, { length: 64 });
    expect(store.toArray()).toEqual(before);
    expect(allocate(store, parent, { length: 64 })).toEqual(seen);
    expect(formatPrefix(seen)).toBe("2001:db8:0:1::/64");
  });
});

freeBlockStoreContract("MemoryFreeBlockStore", (blocks) => new MemoryFreeBlockStore(blocks));

describe("MemoryFreeBlockStore", () => {
  it("stays correct through heavy churn of the same blocks", () => {
    const blocks = Array.from({ length: 64 }, (_, i) => nthBlock(p("10.0.0.0/8"), 24, i * 2));
    const store = new MemoryFreeBlockStore(blocks);
    for (let round = 0; round < 200; round++) {
      for (let i = round % 2; i < blocks.length; i += 2) store.remove(blocks[i]!);
      expect(store.firstFit(24)).toEqual(blocks[round % 2 === 0 ? 1 : 0]);
      for (let i = round % 2; i < blocks.length; i += 2) store.add(blocks[i]!);
    }
    expect(store.size).toBe(64);
    expect(store.toArray()).toEqual(blocks);
    expect(store.smallestFit(32)).toEqual(blocks[0]);
  });

  it("refuses to add a block twice or remove one it does not hold", () => {
    const store = new MemoryFreeBlockStore([p("10.0.0.0/24")]);
    expect(() => store.add(p("10.0.0.0/24"))).toThrow(RangeError);
    expect(() => store.remove(p("10.0.1.0/24"))).toThrow(RangeError);
  });
});

describe("release", () => {
  it("merges buddies back up to the parent and no further", () => {
    const { parent, store } = pool("10.0.0.0/24");
    const a = allocate(store, parent, { length: 26 });
    const b = allocate(store, parent, { length: 26 });
    expect(formatPrefix(release(store, parent, a))).toBe("10.0.0.0/26");
    expect(formatPrefix(release(store, parent, b))).toBe("10.0.0.0/24");
    expect(store.toArray()).toEqual([parent]);
  });

  it("is idempotent for a prefix that is already free", () => {
    const { parent, store } = pool("10.0.0.0/24", ["10.0.0.0/26"]);
    const before = store.toArray();
    expect(formatPrefix(release(store, parent, p("10.0.0.64/26")))).toBe("10.0.0.64/26");
    expect(formatPrefix(release(store, parent, p("10.0.0.192/27")))).toBe("10.0.0.128/25");
    expect(store.toArray()).toEqual(before);
  });

  it("refuses a prefix outside the parent", () => {
    const { parent, store } = pool("10.0.0.0/24", ["10.0.0.0/26"]);
    expect(errorOf(() => release(store, parent, p("10.0.1.0/26"))).code).toBe("OUTSIDE_PARENT");
    expect(errorOf(() => release(store, parent, p("::/64"))).code).toBe("FAMILY_MISMATCH");
  });
});

/** Small spaces with a finest unit, so the reference model can look at every address. */
const SPACES = [
  { parent: p("10.0.0.0/20"), finest: 28 },
  { parent: p("2001:db8::/120"), finest: 128 },
  { parent: p("255.255.255.0/24"), finest: 32 },
] as const;

type Op =
  | { kind: "length"; extra: number; strategy: AllocationStrategy }
  | { kind: "prefix"; extra: number; index: number }
  | { kind: "release"; index: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("length" as const),
      extra: fc.nat(8),
      strategy: fc.constantFrom<AllocationStrategy>("smallest-fit", "first-fit"),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("prefix" as const), extra: fc.nat(8), index: fc.nat() }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("release" as const), index: fc.nat() }) },
);

describe("allocation against the reference model", () => {
  it("keeps free + used = parent exactly, in canonical form, after any allocate/release sequence", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SPACES),
        fc.array(opArb, { maxLength: 60 }),
        ({ parent, finest }, ops) => {
          const store = new MemoryFreeBlockStore([parent]);
          let used: Prefix[] = [];
          for (const op of ops) {
            const expectedFree = referenceFreeBlocks(parent, used);
            if (op.kind === "release") {
              if (used.length === 0) continue;
              const victim = used[op.index % used.length]!;
              release(store, parent, victim);
              used = used.filter((u) => u !== victim);
            } else {
              const length = Math.min(finest, parent.length + op.extra);
              if (op.kind === "length") {
                const fits = expectedFree.filter((f) => f.length <= length);
                if (fits.length === 0) {
                  const e = errorOf(() => allocate(store, parent, { length }, op.strategy));
                  expect(e.code).toBe("NO_SPACE");
                  const largest = [...expectedFree].sort((a, b) => a.length - b.length)[0];
                  expect(e.details["largestFree"]).toBe(largest ? formatPrefix(largest) : null);
                  continue;
                }
                // Smallest-fit: a block of the greatest length that fits (never split a larger one), lowest first;
                // first-fit: the lowest address.
                const best = Math.max(...fits.map((f) => f.length));
                const chosen =
                  op.strategy === "smallest-fit" ? fits.filter((f) => f.length === best)[0]! : fits[0]!;
                const got = allocate(store, parent, { length }, op.strategy);
                expect(got).toEqual({ family: parent.family, start: chosen.start, length });
                used.push(got);
              } else {
                const wanted = nthBlock(parent, length, op.index);
                if (used.some((u) => overlaps(u, wanted))) {
                  expect(errorOf(() => allocate(store, parent, { prefix: wanted })).code).toBe("NOT_FREE");
                  continue;
                }
                expect(allocate(store, parent, { prefix: wanted })).toEqual(wanted);
                used.push(wanted);
              }
            }
            const sortedUsed = [...used].sort(comparePrefixes);
            const free = store.toArray();
            expect(free).toEqual(referenceFreeBlocks(parent, sortedUsed));
            expect(free).toEqual([...freeBlocks(parent, sortedUsed)]);
            // Every address is exactly once either used or free: no overlap, nothing lost.
            expect(markAddresses(parent, [used, free]).every((m) => m === 1)).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("never overlaps, stays aligned and inside the parent when allocating until full", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SPACES),
        fc.array(fc.nat(8), { minLength: 1, maxLength: 6 }),
        fc.constantFrom<AllocationStrategy>("smallest-fit", "first-fit"),
        ({ parent, finest }, extras, strategy) => {
          const store = new MemoryFreeBlockStore(seedFreeBlocks(parent, []));
          const used: Prefix[] = [];
          for (const extra of extras) {
            const length = Math.min(finest, parent.length + extra);
            for (;;) {
              let got: Prefix;
              try {
                got = allocate(store, parent, { length }, strategy);
              } catch (e) {
                expect((e as AllocatorError).code).toBe("NO_SPACE");
                break;
              }
              expect(got.length).toBe(length);
              expect(containsPrefix(parent, got)).toBe(true);
              expect(got.start % (1n << BigInt((parent.family === 4 ? 32 : 128) - length))).toBe(0n);
              expect(used.some((u) => overlaps(u, got))).toBe(false);
              used.push(got);
            }
            expect(referenceFreeBlocks(parent, used).some((f) => f.length <= length)).toBe(false);
          }
          markAddresses(parent, [used, store.toArray()]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("rebuilds the same free set from the children as the one maintained incrementally", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(8), { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (extras, drops) => {
          const { parent } = SPACES[0];
          const store = new MemoryFreeBlockStore([parent]);
          const used: Prefix[] = [];
          for (const extra of extras) {
            try {
              used.push(allocate(store, parent, { length: parent.length + extra }));
            } catch {
              // full for this length
            }
          }
          for (const d of drops) {
            if (used.length === 0) break;
            release(store, parent, used.splice(d % used.length, 1)[0]!);
          }
          const rebuilt = MemoryFreeBlockStore.seeded(parent, used.sort(comparePrefixes));
          expect(rebuilt.toArray()).toEqual(store.toArray());
          expect(store.toArray().every((f) => !used.some((u) => prefixEquals(u, f)))).toBe(true);
        },
      ),
    );
  });
});

/** The memory store behind the asynchronous interface, counting the calls (a stand-in for PostgreSQL). */
function asyncOf(store: MemoryFreeBlockStore): AsyncFreeBlockStore & { calls: number } {
  const later = <T>(v: T) => new Promise<T>((resolve) => setImmediate(() => resolve(v)));
  const wrapped = {
    calls: 0,
    smallestFit: (n: number) => (wrapped.calls++, later(store.smallestFit(n))),
    firstFit: (n: number) => (wrapped.calls++, later(store.firstFit(n))),
    containing: (q: Prefix) => (wrapped.calls++, later(store.containing(q))),
    largest: () => (wrapped.calls++, later(store.largest())),
    takeIfFree: (q: Prefix) => {
      wrapped.calls++;
      const had = store.has(q);
      if (had) store.remove(q);
      return later(had);
    },
    apply: (changes: readonly FreeBlockChange[]) => {
      wrapped.calls++;
      for (const c of changes) {
        if (c.op === "add") store.add(c.prefix);
        else store.remove(c.prefix);
      }
      return later(undefined);
    },
  };
  return wrapped;
}

async function outcome<T>(run: () => T | Promise<T>): Promise<{ value?: T; error?: string }> {
  try {
    return { value: await run() };
  } catch (e) {
    if (e instanceof AllocatorError) return { error: `${e.code}: ${e.message}` };
    throw e;
  }
}

describe("one algorithm, two drivers", () => {
  it("runAsync over an asynchronous store answers and changes exactly what runSync does", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SPACES),
        fc.array(opArb, { maxLength: 40 }),
        async ({ parent, finest }, ops) => {
          const sync = new MemoryFreeBlockStore([parent]);
          const inner = new MemoryFreeBlockStore([parent]);
          const remote = asyncOf(inner);
          const used: Prefix[] = [];
          for (const op of ops) {
            const length = Math.min(finest, parent.length + ("extra" in op ? op.extra : 0));
            let program: () => FreeBlockProgram<Prefix>;
            if (op.kind === "release") {
              if (used.length === 0) continue;
              const victim = used.splice(op.index % used.length, 1)[0]!;
              program = () => releaseSteps(parent, victim);
            } else if (op.kind === "length") {
              program = () => allocateSteps(parent, { length }, op.strategy);
            } else {
              const wanted = nthBlock(parent, length, op.index);
              program = () => allocateSteps(parent, { prefix: wanted });
            }
            const a = await outcome(() => runSync(program(), sync));
            const before = remote.calls;
            const b = await outcome(() => runAsync(program(), remote));
            expect(b).toEqual(a);
            if (op.kind !== "release" && a.value) {
              used.push(a.value);
              // An allocation is one read and one batch of writes, however many halves it splits off.
              expect(remote.calls - before).toBe(2);
            }
            expect(inner.toArray()).toEqual(sync.toArray());
            expect(await runAsync(largestSteps(), remote)).toEqual(runSync(largestSteps(), sync));
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("growSteps leaves the grown pool's free blocks canonical on either driver", async () => {
    const from = p("10.0.4.0/24");
    const to = p("10.0.0.0/20");
    const sync = MemoryFreeBlockStore.seeded(from, [p("10.0.4.0/26")]);
    const inner = MemoryFreeBlockStore.seeded(from, [p("10.0.4.0/26")]);
    runSync(growSteps(from, to), sync);
    await runAsync(growSteps(from, to), asyncOf(inner));
    expect(texts(sync.toArray())).toEqual(texts(freeBlocks(to, [p("10.0.4.0/26")])));
    expect(inner.toArray()).toEqual(sync.toArray());
  });
});
