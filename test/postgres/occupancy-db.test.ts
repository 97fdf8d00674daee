/**
 * The occupancy reads of a pool answer the same on SQLite and PostgreSQL: `liveChildRanges` (id and range of
 * the live direct children, in address order, released ones left out), and the per-length counts behind
 * `blockCount` and `utilization` (`poolBlockCounts`, `poolUtilizationCounts`); and EXPLAIN shows the
 * PostgreSQL statement of liveChildRanges reads prefixes_parent_live_idx.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { postgresAvailability } from "../helpers/postgres.js";
import { bothBackends, type BothBackends } from "../helpers/both-backends.js";
import { blockCount, formatPrefix, freeBlocks, parsePrefix, utilization } from "../../src/allocator/index.js";
import { replaceFreeBlocks } from "../../src/db/free-blocks.js";
import { poolBlockCounts, poolUtilizationCounts } from "../../src/db/occupancy.js";
import { liveChildRanges, rangeColumns } from "../../src/db/prefixes.js";
import { pgHandle } from "../../src/db/dialect.js";
import { prefixes } from "../../src/db/schema.js";
import type { Db } from "../../src/db/store.js";
import { asDb } from "../../src/db/store.pg.js";

const availability = postgresAvailability();

async function exercise(db: Db) {
  const insert = async (
    cidr: string,
    kind: "pool" | "allocation" | "reservation",
    parentId: number | null,
    releasedAt: string | null = null,
  ) =>
    (
      await db
        .insert(prefixes)
        .values({
          kind,
          scopeId: 1,
          parentId,
          status: "ACTIVE",
          releasedAt,
          ...rangeColumns(parsePrefix(cidr)),
        })
        .returning()
    )[0]!.id;
  const parent = parsePrefix("10.0.0.0/16");
  const pool = await insert("10.0.0.0/16", "pool", null);
  // Inserted out of address order, so the answer's order comes from the statement.
  const live = [
    ["10.0.128.0/17", "pool"],
    ["10.0.0.0/24", "allocation"],
    ["10.0.4.0/22", "reservation"],
    ["10.0.1.0/26", "allocation"],
    ["10.0.1.64/26", "allocation"],
  ] as const;
  const ids = new Map<number, string>();
  for (const [cidr, kind] of live) ids.set(await insert(cidr, kind, pool), cidr);
  await insert("10.0.2.0/24", "allocation", pool, "2026-01-01T00:00:00.000Z"); // released: not a child
  await insert(
    "10.0.128.0/24",
    "allocation",
    (await liveChildRanges(db, pool)).find((c) => c.prefix.length === 17)!.id,
  );
  await replaceFreeBlocks(
    db,
    pool,
    freeBlocks(
      parent,
      live.map(([c]) => parsePrefix(c)).sort((a, b) => (a.start < b.start ? -1 : 1)),
    ),
  );
  const children = await liveChildRanges(db, pool);
  const counts = await poolBlockCounts(db, pool);
  const util = await poolUtilizationCounts(db, pool);
  const sorted = (m: ReadonlyMap<number, number>) => [...m.entries()].sort((a, b) => a[0] - b[0]);
  return {
    children: children.map(
      (c) => `${ids.get(c.id) === formatPrefix(c.prefix) ? "ok" : "?"} ${formatPrefix(c.prefix)}`,
    ),
    occupied: sorted(counts.occupied),
    free: sorted(counts.free),
    used: sorted(util.used),
    reserved: sorted(util.reserved),
    blocks24: String(blockCount(parent, 24, counts)),
    used24: String(blockCount(parent, 24, counts, ["USED"])),
    percent: utilization(parent, util).percent,
  };
}

describe.skipIf(!availability.available)("occupancy reads on both backends", () => {
  let both: BothBackends;
  beforeAll(async () => {
    both = await bothBackends(availability.bin!);
  }, 60_000);
  afterAll(async () => {
    await both?.stop();
  });

  it("liveChildRanges and the per-length counts answer the same on SQLite and PostgreSQL", async () => {
    const { sqlite, pg } = await both.run((db) => exercise(db));
    expect(sqlite).toMatchObject({
      children: ["ok 10.0.0.0/24", "ok 10.0.1.0/26", "ok 10.0.1.64/26", "ok 10.0.4.0/22", "ok 10.0.128.0/17"],
      occupied: [
        [17, 1],
        [22, 1],
        [24, 1],
        [26, 2],
      ],
      reserved: [[22, 1]],
      blocks24: "256",
      used24: "1",
    });
    expect(pg).toEqual(sqlite);
  });

  it("liveChildRanges reads prefixes_parent_live_idx on PostgreSQL", async () => {
    const store = await both.pgStore();
    const plan = await store.write(async (tx) => {
      const h = pgHandle(asDb(tx));
      await h.execute(sql`SET LOCAL enable_seqscan = off`);
      const rows = await h.execute<{ "QUERY PLAN": string }>(
        sql`EXPLAIN SELECT id, family, prefix_len, range_start FROM prefixes WHERE parent_id = 1 AND released_at IS NULL ORDER BY range_start`,
      );
      return (rows.rows as { "QUERY PLAN": string }[]).map((r) => r["QUERY PLAN"]).join("\n");
    });
    expect(plan).toContain("prefixes_parent_live_idx");
    expect(plan).not.toContain("Sort");
  });
});
