/**
 * The blocks view on PostgreSQL (#15): one page of 100 blocks through `runBlocks` (src/db/occupancy.ts, the
 * allocator's blocks program over pgOccupancySource), in-process, IPv4 /8 -> /24 vs IPv6 /32 -> /64, each pool
 * with 20,000 children (every 3rd block used, every 5th partial with 3 children, a child pool INSIDE), from
 * random cursors, all statuses and FREE only, forwards and backwards; the same on SQLite for comparison.
 * Targets (issue #15): <= 5 ms per page; v6 within 2x of v4. Needs PostgreSQL binaries.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { measure, ratio, report, type BenchResult } from "./harness.js";
import { postgresAvailability, startPostgres } from "../test/helpers/postgres.js";
import {
  blockSize,
  blocksPageBeforeSteps,
  blocksPageSteps,
  freeBlocks,
  makePrefix,
  parsePrefix,
  type BlockStatus,
  type Prefix,
} from "../src/allocator/index.js";
import { replaceFreeBlocks } from "../src/db/free-blocks.js";
import { runBlocks } from "../src/db/occupancy.js";
import { rangeColumns, type PrefixRow } from "../src/db/prefixes.js";
import { prefixes } from "../src/db/schema.js";
import { openStore, type Db, type Store } from "../src/db/store.js";
import { openPgSeam } from "../src/db/store.pg.js";

const availability = postgresAvailability();
if (!availability.available) process.exit(0);

function children(parent: Prefix, length: number): Prefix[] {
  const size = blockSize(parent.family, length);
  const out: Prefix[] = [];
  for (let i = 0n; out.length < 20_000; i++) {
    const start = parent.start + i * size;
    if (i % 3n === 0n) out.push(makePrefix(parent.family, start, length));
    else if (i % 5n === 0n)
      for (let k = 0n; k < 3n; k++)
        out.push(
          makePrefix(parent.family, start + k * 2n * blockSize(parent.family, length + 6), length + 6),
        );
  }
  out.push(makePrefix(parent.family, parent.start + 40_960n * size, length - 8));
  return out;
}

async function seed(db: Db, parent: Prefix, length: number): Promise<PrefixRow> {
  const [pool] = await db
    .insert(prefixes)
    .values({ kind: "pool", scopeId: 1, status: "ACTIVE", name: "bench", ...rangeColumns(parent) })
    .returning();
  const kids = children(parent, length);
  for (let i = 0; i < kids.length; i += 500)
    await db.insert(prefixes).values(
      kids.slice(i, i + 500).map((p) => ({
        kind: "allocation" as const,
        scopeId: 1,
        parentId: pool!.id,
        status: "ALLOCATED",
        ...rangeColumns(p),
      })),
    );
  await replaceFreeBlocks(db, pool!.id, freeBlocks(parent, kids));
  return pool!;
}

const VIEWS = [
  { name: "/8 -> /24", parent: parsePrefix("10.0.0.0/8"), length: 24 },
  { name: "v6 /32 -> /64", parent: parsePrefix("2001:db8::/32"), length: 64 },
];

async function run(label: string, store: Store, analyze?: () => Promise<void>): Promise<BenchResult[]> {
  const pools = await store.write(async (db) => {
    const out: PrefixRow[] = [];
    for (const v of VIEWS) out.push(await seed(db, v.parent, v.length));
    return out;
  });
  await analyze?.();
  const results: BenchResult[] = [];
  for (const filter of ["all", "FREE", "all, backwards"] as const)
    for (const [i, v] of VIEWS.entries()) {
      const size = blockSize(v.parent.family, v.length);
      let seedN = 42;
      const status: BlockStatus[] | undefined = filter === "FREE" ? ["FREE"] : undefined;
      results.push(
        await measure(
          `${label}: page of 100, ${v.name}, ${filter}`,
          async () => {
            seedN = (seedN * 1103515245 + 12345) % 2 ** 31;
            const cursor = v.parent.start + BigInt(200 + (seedN % 30_000)) * size;
            const page = await store.read(async (db) =>
              filter === "all, backwards"
                ? (
                    await runBlocks(
                      db,
                      pools[i]!,
                      blocksPageBeforeSteps(v.parent, v.length, { last: 100, before: cursor }),
                    )
                  ).result
                : (
                    await runBlocks(
                      db,
                      pools[i]!,
                      blocksPageSteps(v.parent, v.length, { first: 100, after: cursor, status }),
                    )
                  ).result,
            );
            if (page.blocks.length !== 100) throw new Error("short page");
          },
          { iterations: 300, warmup: 50 },
        ),
      );
    }
  return results;
}

const dir = mkdtempSync(join(tmpdir(), "cloudpam-bench-blocks-"));
const cluster = await startPostgres({ bin: availability.bin! });
try {
  const sqlite = openStore({ dsn: join(dir, "bench.db") });
  const pg = await openPgSeam({ url: await cluster.createDatabase("blocks") });
  const results = [
    ...(await run("SQLite", sqlite)),
    ...(await run("PostgreSQL", pg, async () => {
      await pg.pg.pool.query("ANALYZE");
    })),
  ];
  await sqlite.close();
  await pg.close();
  report(results);
  const median = (name: string) => results.find((r) => r.name === name)!.medianUs;
  for (const backend of ["SQLite", "PostgreSQL"])
    for (const filter of ["all", "FREE", "all, backwards"]) {
      const v4 = median(`${backend}: page of 100, /8 -> /24, ${filter}`);
      const v6 = median(`${backend}: page of 100, v6 /32 -> /64, ${filter}`);
      ratio(`${backend} ${filter}: v6 /32->/64 vs v4 /8->/24 (median)`, v6, v4, 2);
      console.log(
        `${backend} ${filter}: slowest median ${(Math.max(v4, v6) / 1000).toFixed(2)} ms (target <= 5 ms) ${Math.max(v4, v6) <= 5000 ? "OK" : "MISSED"}`,
      );
    }
} finally {
  await cluster.destroy();
  rmSync(dir, { recursive: true, force: true });
}
