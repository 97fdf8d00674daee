/**
 * Allocator benchmarks: allocation and release cost must not grow with the number of children, and a page of
 * blocks must not grow with the size of the space. Run with `npm run bench -- allocator`.
 */
import {
  blocksPage,
  blocksPageBefore,
  type BlockStatus,
  type OccupancySource,
} from "../src/allocator/blocks.js";
import { memoryOccupancySource } from "../src/allocator/memory-source.js";
import {
  allocate,
  MemoryFreeBlockStore,
  release,
  type AllocationStrategy,
} from "../src/allocator/free-index.js";
import { freeBlocks } from "../src/allocator/free-space.js";
import { blockSize, comparePrefixes, parsePrefix, prefixLast, type Prefix } from "../src/allocator/prefix.js";
import { utilization, utilizationOf } from "../src/allocator/utilization.js";
import { measure, measureSync, ratio, report, type BenchResult } from "./harness.js";

/** Deterministic PRNG (mulberry32) so every run measures the same pools. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct children of length `length` scattered over parent, sorted by start. */
function scattered(parent: Prefix, length: number, count: number, seed: number): Prefix[] {
  const rand = random(seed);
  const slots = Number(blockSize(parent.family, parent.length) / blockSize(parent.family, length));
  const size = blockSize(parent.family, length);
  const picked = new Set<number>();
  while (picked.size < count) picked.add(Math.floor(rand() * slots));
  return [...picked]
    .map((i): Prefix => ({ family: parent.family, start: parent.start + BigInt(i) * size, length }))
    .sort(comparePrefixes);
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const results: BenchResult[] = [];
const median = (name: string) => results.find((r) => r.name === name)!.medianUs;

// Allocation and release of the next free /24 in a /8 holding 100, 10,000 and 100,000 scattered /26 children.
const slash8 = parsePrefix("10.0.0.0/8");
const sizes = [100, 10_000, 100_000];
for (const strategy of ["smallest-fit", "first-fit"] as AllocationStrategy[]) {
  for (const n of sizes) {
    const store = MemoryFreeBlockStore.seeded(slash8, scattered(slash8, 26, n, n));
    const taken: Prefix[] = [];
    gc();
    results.push(
      await measure(
        `allocate /24 ${strategy}, ${n} children`,
        () => taken.push(allocate(store, slash8, { length: 24 }, strategy)),
        {
          iterations: 1000,
        },
      ),
    );
    gc();
    results.push(
      await measure(`release /24 ${strategy}, ${n} children`, (i) => release(store, slash8, taken[i]!), {
        iterations: 1000,
      }),
    );
  }
}

// One page of 100 blocks at random cursors, unfiltered and FREE-only.
//
// What a page costs depends on what it holds (the rows it reads: a PARTIAL block lists its occupants), and must
// not depend on the size of the space. So each fixture gives every view the same content, block for block, in a
// region of 65,536 blocks at the start of its pool (the whole of the smallest pools, 1/2^16 of the v6 /32), and
// the views differ only in the size of the space around it:
// - "mixed": FREE, USED and INSIDE blocks (one child per block, or one /N-1 over two), the issue's four views;
// - "dense PARTIAL": 100,000 children two bits longer than the block, scattered (85% of blocks PARTIAL, about 1.6
//   occupants each); /8->/30 stands in for /8->/32, which cannot hold children longer than its blocks.
// A third fixture, "100k scattered", is the pools as they were first benchmarked: 100,000 children scattered over
// each whole pool, so the pages differ in content (187 rows a page for /8->/24, 16 for /8->/32); it is reported
// for the cost per row, not held to the target.
const slash32v6 = parsePrefix("2001:db8::/32");
const slash48v6 = parsePrefix("2001:db8:ffff::/48");
const REGION = 65_536;

/** The region's blocks as FREE, USED or INSIDE: aligned pairs are one /N-1 child (30%), else each block is USED (40%). */
function mixedRegion(parent: Prefix, length: number, seed: number): Prefix[] {
  const rand = random(seed);
  const size = blockSize(parent.family, length);
  const children: Prefix[] = [];
  for (let i = 0; i < REGION; i += 2) {
    const start = parent.start + BigInt(i) * size;
    if (rand() < 0.3) children.push({ family: parent.family, start, length: length - 1 });
    else {
      if (rand() < 0.4) children.push({ family: parent.family, start, length });
      if (rand() < 0.4) children.push({ family: parent.family, start: start + size, length });
    }
  }
  return children;
}

/** 100,000 children of length N+2 scattered over the region (38% of the N+2 slots): mostly PARTIAL blocks. */
function denseRegion(parent: Prefix, length: number, seed: number): Prefix[] {
  const region: Prefix = { family: parent.family, start: parent.start, length: length - Math.log2(REGION) };
  return scattered(region, length + 2, 100_000, seed);
}

interface View {
  name: string;
  parent: Prefix;
  length: number;
  children: Prefix[];
  /** Cursors are drawn from the first half of this many blocks, so that even a FREE-only page is full. */
  blocks: bigint;
}
/** The views of a region fixture: the same content in each pool's first REGION blocks. */
function regionViews(
  splits: readonly (readonly [string, Prefix, number])[],
  content: (parent: Prefix, length: number) => Prefix[],
): View[] {
  return splits.map(([name, parent, length]) => ({
    name,
    parent,
    length,
    children: content(parent, length),
    blocks: BigInt(REGION),
  }));
}
/** Each fixture's views, built when the fixture is measured so that only one fixture's pools are in memory. */
const fixtures: { fixture: string; views: () => View[] }[] = [
  {
    fixture: "mixed",
    views: () =>
      regionViews(
        [
          ["/8->/24", slash8, 24],
          ["/8->/32", slash8, 32],
          ["v6 /32->/64", slash32v6, 64],
          ["v6 /48->/64", slash48v6, 64],
        ],
        (parent, length) => mixedRegion(parent, length, 3),
      ),
  },
  {
    fixture: "dense PARTIAL",
    views: () =>
      regionViews(
        [
          ["/8->/24", slash8, 24],
          ["/8->/30", slash8, 30],
          ["v6 /32->/64", slash32v6, 64],
          ["v6 /48->/64", slash48v6, 64],
        ],
        (parent, length) => denseRegion(parent, length, 5),
      ),
  },
  {
    fixture: "100k scattered",
    views: () =>
      (
        [
          ["/8->/24", slash8, 24, 26, 100_000, 7],
          ["/8->/32", slash8, 32, 26, 100_000, 7],
          ["v6 /32->/64", slash32v6, 64, 64, 100_000, 8],
          ["v6 /48->/64", slash48v6, 64, 64, 10_000, 9],
        ] as const
      ).map(([name, parent, length, childLength, count, seed]) => ({
        name,
        parent,
        length,
        children: scattered(parent, childLength, count, seed),
        blocks: blockSize(parent.family, parent.length) / blockSize(parent.family, length),
      })),
  },
];

/** Source calls and rows per page: what a database would pay, independent of this machine's load. */
const sourceStats = new Map<string, { calls: number; rows: number }>();
let currentStats = { calls: 0, rows: 0 };
function counted(source: OccupancySource): OccupancySource {
  const note = (rows: Prefix[]) => {
    currentStats.calls++;
    currentStats.rows += rows.length;
    return rows;
  };
  return {
    occupiedFrom: (start, limit, lengths) => note(source.occupiedFrom(start, limit, lengths)),
    freeFrom: (start, maxLen, limit) => note(source.freeFrom!(start, maxLen, limit)),
    occupiedBefore: (end, limit, lengths) => note(source.occupiedBefore(end, limit, lengths)),
    freeBefore: (end, maxLen, limit) => note(source.freeBefore!(end, maxLen, limit)),
  };
}

/** One random-cursor page run per view and filter. */
function pageRuns(fixture: string, views: View[]) {
  const runs: { name: string; group: string; run: () => void }[] = [];
  for (const view of views) {
    const source = counted(memoryOccupancySource(view.parent, view.children));
    const size = blockSize(view.parent.family, view.length);
    const total = blockSize(view.parent.family, view.parent.length) / size;
    for (const filter of ["all", "FREE", "all, backwards"] as const) {
      const rand = random(42);
      const status: BlockStatus[] | undefined = filter === "FREE" ? ["FREE"] : undefined;
      const name = `page of 100, ${fixture}, ${view.name} (${total} blocks), ${filter}`;
      const stats = { calls: 0, rows: 0 };
      sourceStats.set(name, stats);
      runs.push({
        name,
        group: `${fixture}, ${filter}`,
        run: () => {
          currentStats = stats;
          // A cursor in the first half of the content (past its first 100 blocks when paging back).
          const index = 100n + BigInt(Math.floor((rand() * Number(view.blocks)) / 2));
          const cursor = view.parent.start + index * size;
          const page =
            filter === "all, backwards"
              ? blocksPageBefore(view.parent, view.length, source, { before: cursor, last: 100 })
              : blocksPage(view.parent, view.length, source, { after: cursor, first: 100, status });
          if (page.blocks.length !== 100) throw new Error(`short page: ${page.blocks.length}`);
        },
      });
    }
  }
  return runs;
}

// Each page sample is the mean of a batch of 200 pages (so it carries its share of garbage collection); a view's
// result is the median sample of its best round. Other processes share this machine: the views of a fixture are
// interleaved in rounds, so that a burst of load does not land on one view only.
const ROUNDS = 7;
const SAMPLES = 15;
const BATCH = 200;
const WARMUP = 400;
/** Names of the page runs by fixture and filter, for the ratios. */
const pageGroups = new Map<string, string[]>();
for (const { fixture, views } of fixtures) {
  const runs = pageRuns(fixture, views());
  for (const { name, group } of runs) pageGroups.set(group, [...(pageGroups.get(group) ?? []), name]);
  // One unrecorded round first: V8 specialises bigint arithmetic to 64-bit values until IPv6 addresses reach the
  // same code, so every view is measured after all of them have run (the state of a server that serves both).
  for (const { run } of runs) for (let i = 0; i < WARMUP; i++) run();
  const best = new Map<string, BenchResult>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const { name, run } of runs) {
      gc();
      const r = measureSync(name, run, { samples: SAMPLES, batch: BATCH, warmup: WARMUP });
      const previous = best.get(name);
      if (!previous || r.medianUs < previous.medianUs) best.set(name, r);
    }
  }
  results.push(...best.values());
}
const pagesRun = WARMUP + ROUNDS * (SAMPLES * BATCH + WARMUP);

// Free space and utilisation of a /8 with 100,000 scattered children (mixed /26../30).
const mixed = scattered(slash8, 26, 100_000, 11).map((c, i): Prefix => ({ ...c, length: 26 + (i % 5) }));
let freeCount = 0;
gc();
results.push(
  await measure(
    "freeBlocks of /8 with 100,000 children (full list)",
    () => {
      freeCount = 0;
      for (const _ of freeBlocks(slash8, mixed)) freeCount++;
    },
    { iterations: 10, warmup: 2 },
  ),
);
results.push(
  await measure(
    "utilizationOf /8 with 100,000 children (from the list)",
    () =>
      utilizationOf(
        slash8,
        mixed.map((prefix, i) => ({ prefix, reserved: i % 10 === 0 })),
      ),
    {
      iterations: 10,
      warmup: 2,
    },
  ),
);
const u = utilizationOf(
  slash8,
  mixed.map((prefix, i) => ({ prefix, reserved: i % 10 === 0 })),
);
const used = new Map<number, number>();
for (const c of mixed) used.set(c.length, (used.get(c.length) ?? 0) + 1);
results.push(
  await measure("utilization /8 with 100,000 children (from per-length counts)", () =>
    utilization(slash8, { used, reserved: new Map(), free: u.freeBlocksByLength }),
  ),
);
const store = MemoryFreeBlockStore.seeded(slash8, mixed);
results.push(
  await measure(
    "seed MemoryFreeBlockStore of /8 with 100,000 children",
    () => MemoryFreeBlockStore.seeded(slash8, mixed),
    {
      iterations: 5,
      warmup: 1,
    },
  ),
);

report(results);
console.log(
  `free blocks: ${freeCount} (store ${store.size}); ${u.percent}% used; largest free ${u.largestFree ? `${u.largestFree.start}/${u.largestFree.length}` : "none"}; last ${prefixLast(slash8)}`,
);
for (const strategy of ["smallest-fit", "first-fit"]) {
  ratio(
    `allocate ${strategy} 100,000 vs 100 children`,
    median(`allocate /24 ${strategy}, 100000 children`),
    median(`allocate /24 ${strategy}, 100 children`),
    2,
  );
  ratio(
    `release ${strategy} 100,000 vs 100 children`,
    median(`release /24 ${strategy}, 100000 children`),
    median(`release /24 ${strategy}, 100 children`),
    2,
  );
}
for (const [name, stats] of sourceStats) {
  console.log(
    `${name}: ${(stats.calls / pagesRun).toFixed(1)} source calls, ${(stats.rows / pagesRun).toFixed(1)} rows per page`,
  );
}
for (const [group, names] of pageGroups) {
  const medians = names.map(median);
  const label = `page of 100 (${group}) slowest vs fastest view`;
  const r = Math.max(...medians) / Math.min(...medians);
  if (group.startsWith("100k scattered")) {
    console.log(
      `${label}: ${r.toFixed(2)}x (pages of different content: informative, see the rows per page)`,
    );
  } else ratio(label, Math.max(...medians), Math.min(...medians), 2);
}
