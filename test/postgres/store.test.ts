/**
 * The PostgreSQL store adapter against a real server: one transaction per write, retries of deadlocks,
 * pool-row locks (different pools in parallel, one pool serialised), events in commit order across
 * several "replicas" (stores on one database), NOTIFY fan-out, and SERVICE_UNAVAILABLE instead of a hang.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import pg from "pg";
import { postgresAvailability, startPostgres, type PgCluster } from "../helpers/postgres.js";
import { lockPool, openPgStore, type PgStore, type PgTx } from "../../src/db/store.pg.js";
import { appendEvents, pgEventsAfter, type NewPgEventRow } from "../../src/db/events.pg.js";
import { events, prefixes } from "../../src/db/schema.pg.js";
import { DatabaseUnavailableError } from "../../src/db/pg.js";

const availability = postgresAvailability();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const event = (i: number): NewPgEventRow => ({
  type: "test.event",
  actor: "test",
  subjectType: "Test",
  subjectId: String(i),
});

/** A promise with its resolve function, for choreographing two transactions. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

async function insertPool(store: PgStore, cidr: string): Promise<number> {
  return store.write(async (tx) => {
    const [row] = await tx
      .insert(prefixes)
      .values({
        kind: "pool",
        scopeId: 1,
        family: 4,
        prefixLen: 16,
        cidr,
        rangeStart: cidr,
        rangeEnd: cidr,
        status: "ACTIVE",
      })
      .returning({ id: prefixes.id });
    return row!.id;
  });
}

describe.skipIf(!availability.available)("PostgreSQL store", () => {
  let cluster: PgCluster;
  const stores: PgStore[] = [];
  const open = async (url: string, extra: Partial<Parameters<typeof openPgStore>[0]> = {}) => {
    const s = await openPgStore({ url, poolSize: 12, ...extra });
    stores.push(s);
    return s;
  };
  beforeAll(async () => {
    cluster = await startPostgres({ bin: availability.bin! });
  }, 60_000);
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await cluster?.destroy();
  });

  it("write commits all or nothing; onCommit runs after commits only", async () => {
    const store = await open(await cluster.createDatabase());
    let commits = 0;
    store.onCommit(() => commits++);
    await store.write((tx) => appendEvents(tx, [event(1), event(2)]));
    await expect(
      store.write(async (tx) => {
        await appendEvents(tx, [event(3)]);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(commits).toBe(1);
    const rows = await store.read((db) => pgEventsAfter(db, 0, 10));
    expect(rows.map((r) => r.subjectId)).toEqual(["1", "2"]);
  });

  it("a deadlock (40P01) is rolled back and retried until both writes commit", async () => {
    const store = await open(await cluster.createDatabase());
    const a = await insertPool(store, "a");
    const b = await insertPool(store, "b");
    let calls = 0;
    const bothLockedFirst = { n: 0, g: gate() };
    const crossing = (first: number, second: number) =>
      store.write(async (tx) => {
        calls++;
        await lockPool(tx, first);
        if (++bothLockedFirst.n === 2) bothLockedFirst.g.open();
        await Promise.race([bothLockedFirst.g.opened, sleep(200)]);
        await lockPool(tx, second);
        await tx
          .update(prefixes)
          .set({ name: `by-${first}` })
          .where(sql`id = ${second}`);
        return first;
      });
    expect((await Promise.all([crossing(a, b), crossing(b, a)])).sort()).toEqual([a, b].sort());
    expect(calls).toBeGreaterThanOrEqual(3);
  });

  it("pool-row locks: different pools proceed in parallel, one pool serialises", async () => {
    const store = await open(await cluster.createDatabase());
    const p1 = await insertPool(store, "p1");
    const p2 = await insertPool(store, "p2");
    const order: string[] = [];
    const holding = gate();
    const hold = (tx: PgTx, id: number, ms: number, label: string) =>
      lockPool(tx, id).then(async () => {
        if (label === "first") holding.open();
        await sleep(ms);
        order.push(label);
      });
    const first = store.write((tx) => hold(tx, p1, 1000, "first"));
    await holding.opened;
    const otherPool = store.write((tx) => hold(tx, p2, 0, "other pool"));
    const samePool = store.write((tx) => hold(tx, p1, 0, "same pool"));
    await Promise.all([first, otherPool, samePool]);
    expect(order).toEqual(["other pool", "first", "same pool"]);
  });

  it("a queue of writers on one pool row waits at the write gate: none times out, reads keep their connections", async () => {
    // 16 writers serialise on one row for 16 × 60 ms, far beyond the 300 ms a checkout may wait in the pool.
    const store = await open(await cluster.createDatabase(), { poolSize: 4, connectTimeoutMs: 300 });
    const pool = await insertPool(store, "10.7.0.0/16");
    let done = 0;
    const writes = Array.from({ length: 16 }, () =>
      store
        .write(async (tx) => {
          await lockPool(tx, pool);
          await tx.execute(sql`SELECT pg_sleep(0.06)`);
        })
        .then(() => done++),
    );
    // Reads while the queue is long: each answers before the writers are through.
    for (let i = 0; i < 3; i++) {
      await sleep(50);
      await store.read((db) => db.execute(sql`SELECT 1`));
      expect(done).toBeLessThan(16);
    }
    await Promise.all(writes);
    expect(done).toBe(16);
  });

  it("a plain sequence is not commit order; appendEvents is (the hazard and the fix, step by step)", async () => {
    const url = await cluster.createDatabase();
    const store = await open(url);
    const raw = async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      return c;
    };
    // The hazard: A takes id 1, B takes id 2 and commits first; a reader after 2 never sees 1.
    const [A, B] = [await raw(), await raw()];
    const insert =
      "INSERT INTO events (type, actor, subject_type, subject_id) VALUES ('x', 't', 'T', $1) RETURNING id";
    await A.query("BEGIN");
    const idA = (await A.query(insert, ["A"])).rows[0].id;
    await B.query("BEGIN");
    const idB = (await B.query(insert, ["B"])).rows[0].id;
    await B.query("COMMIT");
    let cursor = 0;
    const seen: number[] = [];
    const poll = async () => {
      for (const r of await store.read((db) => pgEventsAfter(db, cursor, 100))) {
        seen.push(r.id);
        cursor = r.id;
      }
    };
    await poll();
    await A.query("COMMIT");
    await poll();
    expect(idA).toBeLessThan(idB);
    expect(seen).toEqual([idB]); // idA was committed, yet skipped for ever

    // The fix: B's append waits for A's commit, so ids follow commit order and nothing is skipped.
    seen.length = 0;
    const aHolds = gate();
    const releaseA = gate();
    const txA = store.write(async (tx) => {
      const [row] = await appendEvents(tx, [event(100)]);
      aHolds.open();
      await releaseA.opened;
      return row!.id;
    });
    await aHolds.opened;
    let bDone = false;
    const txB = store
      .write(async (tx) => (await appendEvents(tx, [event(200)]))[0]!.id)
      .finally(() => (bDone = true));
    await sleep(150);
    await poll();
    expect(seen).toEqual([]);
    expect(bDone).toBe(false); // B waits on the event lock while A is open
    releaseA.open();
    const [fixedA, fixedB] = await Promise.all([txA, txB]);
    await poll();
    expect(fixedA).toBeLessThan(fixedB);
    expect(seen).toEqual([fixedA, fixedB]);
    await Promise.all([A.end(), B.end()]);
  });

  it("3 replicas commit 3,000 events concurrently: a reader on each sees every event once, in cursor order", async () => {
    const url = await cluster.createDatabase();
    const replicas = [await open(url), await open(url), await open(url)];
    const total = 3000;
    let done = false;
    const readers = replicas.map(async (store) => {
      const seen: number[] = [];
      let cursor = 0;
      let wakeups = 0;
      store.onCommit(() => wakeups++);
      for (;;) {
        const batch = await store.read((db) => pgEventsAfter(db, cursor, 500));
        for (const r of batch) {
          seen.push(r.id);
          cursor = r.id;
        }
        if (done && batch.length === 0) return { seen, wakeups };
        if (batch.length === 0) await sleep(10);
      }
    });
    let next = 0;
    const writers = replicas.flatMap((store) =>
      Array.from({ length: 4 }, async () => {
        while (next < total) {
          const i = next++;
          await store.write(async (tx) => {
            // Some work before the append (outside the event lock), as a mutation would do.
            if (i % 7 === 0) await sleep(Math.random() * 3);
            await appendEvents(tx, [event(i)]);
          });
        }
      }),
    );
    await Promise.all(writers);
    done = true;
    const results = await Promise.all(readers);
    const committed = (await replicas[0]!.read((db) => db.select({ id: events.id }).from(events))).map(
      (r) => r.id,
    );
    expect(committed).toHaveLength(total);
    const all = [...committed].sort((a, b) => a - b);
    for (const { seen, wakeups } of results) {
      expect(seen).toEqual(all); // every event, exactly once, strictly increasing
      expect(wakeups).toBeGreaterThan(0);
    }
  }, 120_000);

  it("NOTIFY wakes another replica's listeners at commit", async () => {
    const url = await cluster.createDatabase();
    const [a, b] = [await open(url), await open(url)];
    const woke = gate();
    b.onCommit(() => woke.open());
    await a.write((tx) => appendEvents(tx, [event(1)]));
    await Promise.race([woke.opened, sleep(3000).then(() => Promise.reject(new Error("no NOTIFY")))]);
  });
});

describe.skipIf(!availability.available)("PostgreSQL store while the server is away", () => {
  let cluster: PgCluster;
  let store: PgStore;
  beforeAll(async () => {
    cluster = await startPostgres({ bin: availability.bin! });
    store = await openPgStore({
      url: await cluster.createDatabase(),
      connectTimeoutMs: 1000,
      pingIntervalMs: 100,
    });
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await cluster?.destroy();
  });

  it("fails writes fast with DatabaseUnavailableError, reports not ready, and recovers by itself", async () => {
    await store.write((tx) => appendEvents(tx, [event(1)]));
    expect(store.ready()).toBe(true);
    await cluster.stop();
    const started = Date.now();
    await expect(store.write((tx) => appendEvents(tx, [event(2)]))).rejects.toBeInstanceOf(
      DatabaseUnavailableError,
    );
    expect(Date.now() - started).toBeLessThan(5000);
    await sleep(300);
    expect(store.ready()).toBe(false);
    await cluster.start();
    for (let i = 0; i < 50 && !store.ready(); i++) await sleep(100);
    expect(store.ready()).toBe(true);
    await store.write((tx) => appendEvents(tx, [event(3)]));
    const rows = await store.read((db) => pgEventsAfter(db, 0, 10));
    expect(rows.map((r) => r.subjectId)).toEqual(["1", "3"]);
  }, 60_000);
});
