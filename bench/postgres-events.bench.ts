/**
 * What the commit-order event lock costs (#15, src/db/README.md "Events in commit order"): transactions/s
 * of one-event write transactions through openPgStore, with `appendEvents` (advisory lock + NOTIFY) against
 * a plain INSERT (sequence order, not commit order), from 1 and 3 stores ("replicas") with 16 writers in all.
 * Also an allocation-shaped transaction: lock a pool row, update it, then append its event, with the writers
 * spread over 16 pools vs all on 1 pool. Needs PostgreSQL binaries (test/helpers/postgres.ts).
 */
import { eq, sql } from "drizzle-orm";
import { postgresAvailability, startPostgres } from "../test/helpers/postgres.js";
import { asDb, lockPool, openPgStore, type PgStore, type PgTx } from "../src/db/store.pg.js";
import { appendEvents } from "../src/db/events.pg.js";
import { events, prefixes } from "../src/db/schema.js";

const availability = postgresAvailability();
if (!availability.available) process.exit(0);
const cluster = await startPostgres({
  bin: availability.bin!,
  settings: { fsync: "on", synchronous_commit: "on" },
});
const WRITERS = 16;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const row = (i: number) => ({
  type: "bench.event",
  actor: "bench",
  subjectType: "Bench",
  subjectId: String(i),
});

async function run(
  name: string,
  replicas: number,
  body: (tx: PgTx, i: number, w: number) => Promise<unknown>,
) {
  const url = await cluster.createDatabase();
  const stores: PgStore[] = [];
  for (let r = 0; r < replicas; r++)
    stores.push(await openPgStore({ url, poolSize: Math.ceil(WRITERS / replicas) + 1 }));
  const pools: number[] = [];
  await stores[0]!.write(async (tx) => {
    for (let p = 0; p < 16; p++) {
      const [r] = await asDb(tx)
        .insert(prefixes)
        .values({
          kind: "pool",
          scopeId: 1,
          family: 4,
          prefixLen: 16,
          cidr: `p${p}`,
          rangeStart: `p${p}`,
          rangeEnd: `p${p}`,
          status: "ACTIVE",
        })
        .returning({ id: prefixes.id });
      pools.push(r!.id);
    }
  });
  let n = 0;
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      const store = stores[w % replicas]!;
      while (Date.now() < until) {
        const i = n++;
        await store.write((tx) => body(tx, i, pools[w % 16]!));
      }
    }),
  );
  console.log(`${name.padEnd(58)} ${(n / SECONDS).toFixed(0).padStart(7)} txn/s`);
  await Promise.all(stores.map((s) => s.close()));
  return pools;
}

const plain = (tx: PgTx, i: number) => asDb(tx).insert(events).values(row(i));
const ordered = (tx: PgTx, i: number) => appendEvents(tx, [row(i)]);
const allocationLike = (onePool: boolean) => async (tx: PgTx, i: number, pool: number) => {
  const id = onePool ? 1 : pool;
  await lockPool(tx, id);
  await asDb(tx)
    .update(prefixes)
    .set({ updatedAt: sql`now()::text` })
    .where(eq(prefixes.id, id));
  await appendEvents(tx, [row(i)]);
};

try {
  console.log(`PostgreSQL 15, fsync on, ${WRITERS} writers, ${SECONDS} s each`);
  for (const replicas of [1, 3]) {
    await run(`plain INSERT (sequence order), ${replicas} store(s)`, replicas, plain);
    await run(`appendEvents (commit order), ${replicas} store(s)`, replicas, ordered);
    await run(
      `lock pool + update + appendEvents, 16 pools, ${replicas} store(s)`,
      replicas,
      allocationLike(false),
    );
    await run(
      `lock pool + update + appendEvents, 1 pool, ${replicas} store(s)`,
      replicas,
      allocationLike(true),
    );
  }
} finally {
  await cluster.destroy();
}
