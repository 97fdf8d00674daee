/**
 * src/db/free-blocks.ts answers the same on SQLite and PostgreSQL: a seeded random sequence of allocations
 * (smallest-fit, first-fit, exact prefixes), previews and releases runs through `runFreeBlocks` on both
 * backends and on the allocator's in-memory store (the reference); after every step the outcome (prefix or
 * error) and the stored free blocks are the same everywhere and equal `freeBlocks(parent, used)`. Then the
 * listing, counts and blocks-view windows, clip and replace answer the same on both; and EXPLAIN shows the
 * PostgreSQL access paths use the indexes of drizzle/pg (not a scan of the table).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { postgresAvailability } from "../helpers/postgres.js";
import { bothBackends, type BothBackends } from "../helpers/both-backends.js";
import {
  AllocatorError,
  allocateSteps,
  blockSize,
  comparePrefixes,
  formatPrefix,
  freeBlocks,
  growSteps,
  largestSteps,
  MemoryFreeBlockStore,
  parsePrefix,
  previewSteps,
  releaseSteps,
  runSync,
  type FreeBlockProgram,
  type Prefix,
} from "../../src/allocator/index.js";
import {
  clipFreeBlocks,
  freeBlockCounts,
  freeBlocksBefore,
  freeBlocksFrom,
  freeBlocksReaching,
  largestFreeBlocksOf,
  listFreeBlocks,
  replaceFreeBlocks,
  runFreeBlocks,
} from "../../src/db/free-blocks.js";
import { isPg, pgHandle } from "../../src/db/dialect.js";
import { rangeColumns } from "../../src/db/prefixes.js";
import { prefixes } from "../../src/db/schema.js";
import type { Db } from "../../src/db/store.js";
import { asDb } from "../../src/db/store.pg.js";

const availability = postgresAvailability();

/** Deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function insertPool(db: Db, cidr: string): Promise<number> {
  const [row] = await db
    .insert(prefixes)
    .values({ kind: "pool", scopeId: 1, status: "ACTIVE", name: cidr, ...rangeColumns(parsePrefix(cidr)) })
    .returning();
  return row!.id;
}

async function outcome<T>(run: () => T | Promise<T>): Promise<string> {
  try {
    const v = await run();
    return v === undefined ? "-" : formatPrefix(v as Prefix);
  } catch (e) {
    if (e instanceof AllocatorError) return `${e.code}: ${e.message}`;
    throw e;
  }
}

const texts = (list: readonly Prefix[]) => list.map(formatPrefix);

/**
 * The same seeded sequence against one backend's pool and the in-memory reference; returns a transcript of
 * every outcome and the free blocks after each step (and checks them against the reference as it goes).
 */
async function sequence(db: Db, cidr: string, seed: number, steps: number): Promise<string[]> {
  const parent = parsePrefix(cidr);
  const poolId = await insertPool(db, cidr);
  await replaceFreeBlocks(db, poolId, [parent]);
  const reference = new MemoryFreeBlockStore([parent]);
  const rand = random(seed);
  const used: Prefix[] = [];
  const transcript: string[] = [];
  const span = Math.min(12, (parent.family === 4 ? 32 : 128) - parent.length);
  for (let i = 0; i < steps; i++) {
    const r = rand();
    const length = parent.length + 1 + Math.floor(rand() * span);
    let program: () => FreeBlockProgram<Prefix | undefined>;
    let label: string;
    let taking = false;
    if (r < 0.3 && used.length > 0) {
      const victim = used.splice(Math.floor(rand() * used.length), 1)[0]!;
      label = `release ${formatPrefix(victim)}`;
      program = () => releaseSteps(parent, victim);
    } else if (r < 0.45) {
      const count = Number(blockSize(parent.family, parent.length) / blockSize(parent.family, length));
      const wanted: Prefix = {
        family: parent.family,
        start: parent.start + BigInt(Math.floor(rand() * count)) * blockSize(parent.family, length),
        length,
      };
      label = `take ${formatPrefix(wanted)}`;
      taking = true;
      program = () => allocateSteps(parent, { prefix: wanted });
    } else if (r < 0.5) {
      label = `preview /${length}`;
      program = () => previewSteps(parent, { length });
    } else if (r < 0.55) {
      label = "largest";
      program = () => largestSteps();
    } else {
      const strategy = r < 0.8 ? "smallest-fit" : "first-fit";
      label = `allocate /${length} ${strategy}`;
      taking = true;
      program = () => allocateSteps(parent, { length }, strategy);
    }
    const expected = await outcome(() => runSync(program(), reference));
    const got = await outcome(() => runFreeBlocks(db, poolId, parent.family, program()));
    expect(got, `step ${i}: ${label}`).toBe(expected);
    if (taking && !/^[A-Z_]+: /.test(expected)) used.push(parsePrefix(expected));
    const stored = await listFreeBlocks(db, poolId, parent.family);
    expect(texts(stored), `free blocks after step ${i}: ${label}`).toEqual(texts(reference.toArray()));
    transcript.push(`${label} -> ${got} | ${stored.length} free`);
  }
  const sortedUsed = [...used].sort(comparePrefixes);
  expect(texts(await listFreeBlocks(db, poolId, parent.family))).toEqual(
    texts([...freeBlocks(parent, sortedUsed)]),
  );
  return transcript;
}

/** Listing, counts, windows, grow, clip and replace on a fragmented pool. */
async function windows(db: Db) {
  const parent = parsePrefix("10.0.0.0/16");
  const poolId = await insertPool(db, "10.0.0.0/16");
  const occupied = ["10.0.0.0/24", "10.0.3.0/26", "10.0.64.0/18", "10.0.200.128/25"].map(parsePrefix);
  await replaceFreeBlocks(db, poolId, freeBlocks(parent, occupied));
  const at = (a: string) => parsePrefix(`${a}/32`).start;
  const out = {
    all: texts(await listFreeBlocks(db, poolId, 4)),
    largest: texts(await largestFreeBlocksOf(db, poolId, 4, 3)),
    from: texts(await freeBlocksFrom(db, poolId, 4, at("10.0.3.0"), 4)),
    counts: [...(await freeBlockCounts(db, poolId)).entries()].sort((a, b) => a[0] - b[0]),
    // Reaching: the block holding the start comes first, even though it starts before it.
    reaching: texts(await freeBlocksReaching(db, poolId, 4, at("10.0.2.7"), 24, 3)),
    reachingShort: texts(await freeBlocksReaching(db, poolId, 4, at("10.0.2.7"), 18, 3)),
    before: texts(await freeBlocksBefore(db, poolId, 4, at("10.0.200.5"), 32, 3)),
    beforeShort: texts(await freeBlocksBefore(db, poolId, 4, at("10.0.200.5"), 17, 3)),
  };
  await clipFreeBlocks(db, poolId, parsePrefix("10.0.128.0/17"));
  const clipped = texts(await listFreeBlocks(db, poolId, 4));
  await clipFreeBlocks(db, poolId, parsePrefix("10.0.130.0/24")); // inside one free block: becomes it
  const clippedInside = texts(await listFreeBlocks(db, poolId, 4));
  // Grow a /24 with a hole back to a /22 (buddy merges through takeIfFree, one change per block).
  const small = await insertPool(db, "10.1.4.0/24");
  await replaceFreeBlocks(db, small, freeBlocks(parsePrefix("10.1.4.0/24"), [parsePrefix("10.1.4.64/26")]));
  await runFreeBlocks(db, small, 4, growSteps(parsePrefix("10.1.4.0/24"), parsePrefix("10.1.4.0/22")));
  const grown = texts(await listFreeBlocks(db, small, 4));
  return { ...out, clipped, clippedInside, grown };
}

describe.skipIf(!availability.available)("free blocks on both backends", () => {
  let both: BothBackends;
  beforeAll(async () => {
    both = await bothBackends(availability.bin!);
  }, 60_000);
  afterAll(async () => {
    await both?.stop();
  });

  it("a seeded random sequence of allocations, reservations and releases leaves the reference's free blocks", async () => {
    for (const [cidr, seed] of [
      ["10.0.0.0/16", 1],
      ["10.0.0.0/20", 7],
      ["2001:db8::/48", 3],
      ["2001:db8:ff00::/40", 11],
    ] as const) {
      const { sqlite, pg } = await both.run((db) => sequence(db, cidr, seed, 120));
      expect(pg).toEqual(sqlite);
      // The sequence did work: allocations, refusals and merges all happened.
      expect(sqlite.some((l) => l.startsWith("release"))).toBe(true);
      expect(sqlite.some((l) => /NOT_FREE|NO_SPACE/.test(l))).toBe(true);
    }
  }, 120_000);

  it("listing, counts, blocks-view windows, grow, clip and replace answer the same", async () => {
    const { sqlite, pg } = await both.run((db) => windows(db));
    expect(sqlite).toMatchObject({
      largest: ["10.0.128.0/18", "10.0.32.0/19", "10.0.224.0/19"],
      reaching: ["10.0.2.0/24", "10.0.4.0/22", "10.0.8.0/21"],
      reachingShort: ["10.0.128.0/18"],
      clippedInside: ["10.0.130.0/24"],
      grown: ["10.1.4.0/26", "10.1.4.128/25", "10.1.5.0/24", "10.1.6.0/23"],
    });
    expect(pg).toEqual(sqlite);
  });

  it("the PostgreSQL statements use the free_blocks indexes", async () => {
    const store = await both.pgStore();
    const plans = await store.write(async (tx) => {
      const db = asDb(tx);
      expect(isPg(db)).toBe(true);
      const h = pgHandle(db);
      // The table is tiny here, so take sequential scans off the table to see which index each path can use.
      await h.execute(sql`SET LOCAL enable_seqscan = off`);
      const explain = async (q: ReturnType<typeof sql>) =>
        ((await h.execute<{ "QUERY PLAN": string }>(sql`EXPLAIN ${q}`)).rows as { "QUERY PLAN": string }[])
          .map((r) => r["QUERY PLAN"])
          .join("\n");
      return {
        fit: await explain(
          sql`SELECT prefix_len, range_start FROM free_blocks WHERE pool_id = 1 AND prefix_len = (SELECT max(prefix_len) FROM free_blocks WHERE pool_id = 1 AND prefix_len <= 24) ORDER BY range_start LIMIT 1`,
        ),
        containing: await explain(
          sql`SELECT prefix_len, range_start, range_end FROM free_blocks WHERE pool_id = 1 AND range_start <= '0000000000000000000000000a000000' ORDER BY range_start DESC LIMIT 1`,
        ),
        take: await explain(
          sql`DELETE FROM free_blocks WHERE pool_id = 1 AND range_start = '0000000000000000000000000a000000' AND prefix_len = 24`,
        ),
      };
    });
    expect(plans.fit).toContain("free_blocks_fit_idx");
    expect(plans.fit).not.toContain("Seq Scan");
    expect(plans.containing).toMatch(/Index (Only )?Scan Backward using free_blocks_pool_id_range_start_pk/);
    expect(plans.take).toMatch(/Index Scan using free_blocks_(fit_idx|pool_id_range_start_pk)/);
  });
});
