/**
 * The blocks view (src/db/occupancy.ts `runBlocks`: the allocator's blocks programs over a pool's children and
 * free blocks) answers the same on SQLite and PostgreSQL, and both equal the allocator over the in-memory
 * source (the reference): an IPv4 /8 split into /24s and an IPv6 /32 split into /64s, with child pools shorter
 * than the split (INSIDE), allocations of the split length (USED), reservations, dense runs of longer children
 * (PARTIAL, cut at the occupant limit), pages forwards and backwards from cursors, every status filter. Then
 * EXPLAIN shows every PostgreSQL statement of a page reads an index (no scan of the table).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql, type SQL } from "drizzle-orm";
import { postgresAvailability } from "../helpers/postgres.js";
import { bothBackends, type BothBackends } from "../helpers/both-backends.js";
import {
  blockSize,
  blocksPage,
  blocksPageBefore,
  blocksPageBeforeSteps,
  blocksPageSteps,
  formatPrefix,
  freeBlocks,
  makePrefix,
  memoryOccupancySource,
  parsePrefix,
  type Block,
  type BlockStatus,
  type Prefix,
} from "../../src/allocator/index.js";
import { pgHandle } from "../../src/db/dialect.js";
import { replaceFreeBlocks } from "../../src/db/free-blocks.js";
import { runBlocks } from "../../src/db/occupancy.js";
import { rangeColumns, type PrefixRow } from "../../src/db/prefixes.js";
import { prefixes } from "../../src/db/schema.js";
import type { Db } from "../../src/db/store.js";
import { asDb } from "../../src/db/store.pg.js";

const availability = postgresAvailability();

type Kind = "pool" | "allocation" | "reservation";

/** The children of a fixture: kind and prefix, disjoint, inside the parent. */
function fixture(family: 4 | 6): { parent: Prefix; length: number; children: [Kind, Prefix][] } {
  const parent = parsePrefix(family === 4 ? "10.0.0.0/8" : "2001:db8::/32");
  const length = family === 4 ? 24 : 64;
  const size = blockSize(family, length);
  const at = (index: bigint, len: number) => makePrefix(family, parent.start + index * size, len);
  const children: [Kind, Prefix][] = [];
  // Blocks 0..299: every 3rd USED (an allocation, every 9th a reservation), every 5th PARTIAL (a few longer
  // children; every 25th a dense one of 20 children, beyond the occupant limit of 16).
  for (let i = 0n; i < 300n; i++) {
    if (i % 3n === 0n) children.push([i % 9n === 0n ? "reservation" : "allocation", at(i, length)]);
    else if (i % 5n === 0n) {
      const n = i % 25n === 0n ? 20n : 3n;
      const sub = length + 6; // 64 pieces of the block
      for (let k = 0n; k < n; k++)
        children.push([
          "allocation",
          makePrefix(family, parent.start + i * size + k * 2n * blockSize(family, sub), sub),
        ]);
    }
  }
  // A child pool 8 lengths shorter than the split (INSIDE: 256 blocks), further on.
  children.push(["pool", at(4096n, length - 8)]);
  // A USED block near the end, so pages backwards from the end meet free space first.
  children.push(["allocation", at((1n << BigInt(length - parent.length)) - 3n, length)]);
  return { parent, length, children };
}

async function seed(db: Db, parent: Prefix, children: [Kind, Prefix][]): Promise<PrefixRow> {
  const [pool] = await db
    .insert(prefixes)
    .values({ kind: "pool", scopeId: 1, status: "ACTIVE", name: "parent", ...rangeColumns(parent) })
    .returning();
  // Inserted out of address order, so every order comes from the statements.
  const rows = [...children].reverse().map(([kind, p]) => ({
    kind,
    scopeId: 1,
    parentId: pool!.id,
    status: "ACTIVE",
    ...rangeColumns(p),
  }));
  for (let i = 0; i < rows.length; i += 200) await db.insert(prefixes).values(rows.slice(i, i + 200));
  const sorted = children.map(([, p]) => p).sort((a, b) => (a.start < b.start ? -1 : 1));
  await replaceFreeBlocks(db, pool!.id, freeBlocks(parent, sorted));
  return pool!;
}

type Show = (b: Block, occupantKind?: (p: Prefix) => string) => string;
const show: Show = (b, kind) =>
  `${formatPrefix(b.prefix)} ${b.status}${b.occupants.length ? ` ${b.occupants.map((o) => `${kind ? kind(o) : ""}${formatPrefix(o)}`).join(",")}` : ""}${b.moreOccupants ? " +" : ""}`;

const FILTERS: (readonly BlockStatus[] | undefined)[] = [
  undefined,
  ["FREE"],
  ["USED"],
  ["PARTIAL"],
  ["INSIDE"],
  ["FREE", "USED"],
  ["USED", "PARTIAL", "INSIDE"],
];

interface Request {
  name: string;
  forward: boolean;
  cursor?: bigint;
  size: number;
  status?: readonly BlockStatus[];
}

/** Pages from the start, chained by cursor, and backwards from the end and from a cursor, per filter. */
function requests(parent: Prefix, length: number): Request[] {
  const size = blockSize(parent.family, length);
  const out: Request[] = [];
  for (const status of FILTERS) {
    const f = status?.join("+") ?? "all";
    out.push({ name: `${f} first`, forward: true, size: 40, status });
    out.push({
      name: `${f} after 7`,
      forward: true,
      cursor: parent.start + 7n * size + 5n,
      size: 40,
      status,
    });
    out.push({
      name: `${f} after 4090`,
      forward: true,
      cursor: parent.start + 4090n * size,
      size: 30,
      status,
    });
    out.push({ name: `${f} last`, forward: false, size: 25, status });
    out.push({
      name: `${f} before 310`,
      forward: false,
      cursor: parent.start + 310n * size,
      size: 40,
      status,
    });
    out.push({
      name: `${f} before 4200`,
      forward: false,
      cursor: parent.start + 4200n * size,
      size: 20,
      status,
    });
  }
  return out;
}

/** Every request through runBlocks on `db`, each page as text with the kind of each occupant row. */
async function pages(db: Db, family: 4 | 6): Promise<Record<string, string[]>> {
  const { parent, length, children } = fixture(family);
  const pool = await seed(db, parent, children);
  const out: Record<string, string[]> = {};
  for (const r of requests(parent, length)) {
    const { result, rowOf } = r.forward
      ? await runBlocks(
          db,
          pool,
          blocksPageSteps(parent, length, { first: r.size, after: r.cursor, status: r.status }),
        )
      : await runBlocks(
          db,
          pool,
          blocksPageBeforeSteps(parent, length, { last: r.size, before: r.cursor, status: r.status }),
        );
    const more = "hasNextPage" in result ? result.hasNextPage : result.hasPreviousPage;
    out[r.name] = [
      ...result.blocks.map((b) =>
        show(b, (o) => {
          const row = rowOf(o);
          return row && row.cidr === formatPrefix(o) ? `${row.kind}:` : "?";
        }),
      ),
      `more: ${more}`,
    ];
  }
  return out;
}

/** The same requests on the allocator's in-memory source: the reference. */
function reference(family: 4 | 6): Record<string, string[]> {
  const { parent, length, children } = fixture(family);
  const kinds = new Map(children.map(([k, p]) => [formatPrefix(p), k]));
  const source = memoryOccupancySource(
    parent,
    children.map(([, p]) => p),
  );
  const out: Record<string, string[]> = {};
  for (const r of requests(parent, length)) {
    const result = r.forward
      ? blocksPage(parent, length, source, { first: r.size, after: r.cursor, status: r.status })
      : blocksPageBefore(parent, length, source, { last: r.size, before: r.cursor, status: r.status });
    const more = "hasNextPage" in result ? result.hasNextPage : result.hasPreviousPage;
    out[r.name] = [
      ...result.blocks.map((b) => show(b, (o) => `${kinds.get(formatPrefix(o))}:`)),
      `more: ${more}`,
    ];
  }
  return out;
}

describe.skipIf(!availability.available)("the blocks view on both backends", () => {
  let both: BothBackends;
  beforeAll(async () => {
    both = await bothBackends(availability.bin!);
  }, 60_000);
  afterAll(async () => {
    await both?.stop();
  });

  for (const family of [4, 6] as const) {
    it(`IPv${family}: every page, filter and cursor answers as the allocator's reference on SQLite and PostgreSQL`, async () => {
      const { sqlite, pg } = await both.run((db) => pages(db, family));
      const expected = reference(family);
      expect(Object.keys(sqlite)).toHaveLength(6 * FILTERS.length);
      // The fixture reaches every status and the occupant limit, so the comparison means something.
      const all = Object.values(expected).flat().join("\n");
      for (const s of ["FREE", "USED", "PARTIAL", "INSIDE", " +", "reservation:", "pool:"])
        expect(all).toContain(s);
      expect(sqlite).toEqual(expected);
      expect(pg).toEqual(sqlite);
    });
  }

  it("every PostgreSQL statement of a page reads an index, none scans a table or sorts what it read", async () => {
    const store = await both.pgStore();
    const plans = await store.write(async (tx) => {
      const db = asDb(tx);
      const { parent, length, children } = fixture(6);
      // Enough rows that the planner's statistics are those of a real pool: 10,000 more /64 allocations
      // (every other block from block 100,000) and 500 blocks of 20 /72s each.
      const size = blockSize(6, length);
      const more: [Kind, Prefix][] = [];
      for (let i = 0n; i < 10_000n; i++)
        more.push(["allocation", makePrefix(6, parent.start + (100_000n + 2n * i) * size, length)]);
      for (let i = 0n; i < 500n; i++)
        for (let k = 0n; k < 20n; k++)
          more.push([
            "allocation",
            makePrefix(6, parent.start + (200_000n + i) * size + k * blockSize(6, 72), 72),
          ]);
      const pool = await seed(db, parent, [...children, ...more]);
      const h = pgHandle(db);
      await h.execute(sql`ANALYZE prefixes`);
      await h.execute(sql`ANALYZE free_blocks`);
      // Record each statement the pages run (the proxy passes everything else through).
      const seen: SQL[] = [];
      const recording = new Proxy(tx, {
        get(target, property, receiver) {
          if (property === "execute")
            return (q: SQL) => {
              seen.push(q);
              return target.execute(q);
            };
          return Reflect.get(target, property, receiver) as unknown;
        },
      });
      const rdb = asDb(recording);
      const run = (program: Parameters<typeof runBlocks>[2]) => runBlocks(rdb, pool, program);
      await run(blocksPageSteps(parent, length, { first: 100, after: parent.start + 3n * size }));
      await run(blocksPageSteps(parent, length, { first: 100, after: parent.start + 200_000n * size }));
      await run(blocksPageSteps(parent, length, { first: 100, status: ["PARTIAL", "INSIDE"] }));
      await run(blocksPageBeforeSteps(parent, length, { last: 100, before: parent.start + 300n * size }));
      // Split at /48, every child is longer: PARTIAL reads every length at once (prefixes_parent_live_idx).
      await run(blocksPageSteps(parent, 48, { first: 100, status: ["PARTIAL"] }));
      await run(blocksPageBeforeSteps(parent, 48, { last: 10, status: ["PARTIAL"] }));
      const out: string[] = [];
      for (const q of seen) {
        const rows = await h.execute<{ "QUERY PLAN": string }>(sql`EXPLAIN ${q}`);
        out.push((rows.rows as { "QUERY PLAN": string }[]).map((r) => r["QUERY PLAN"]).join("\n"));
      }
      return out;
    });
    expect(plans.length).toBeGreaterThan(8);
    const joined = plans.join("\n----\n");
    for (const plan of plans) {
      expect(plan, joined).not.toContain("Seq Scan");
      expect(plan, joined).not.toContain("Bitmap");
      expect(plan, joined).toMatch(/Index (Only )?Scan/);
    }
    // A sort only where the reads of several lengths are merged (at most lengths × limit rows).
    for (const plan of plans.filter((p) => p.includes("Sort"))) expect(plan, joined).toContain("Nested Loop");
    expect(joined).toContain("prefixes_parent_live_idx");
    expect(joined).toContain("prefixes_parent_len_live_idx");
    expect(joined).toMatch(/free_blocks_pkey|free_blocks_pool_id_range_start_pk/);
  }, 120_000);
});
