/**
 * src/db/events.ts in await style answers the same on SQLite and PostgreSQL: the one append path
 * (`appendEventRows`, through events.pg.ts's commit-order append on PostgreSQL, one row or many), the domain's
 * `appendEvent` on top of it, events after a cursor, the filtered audit-log pages and counts, the newest id.
 * On PostgreSQL the append takes the event lock until commit: a second appender waits for the first's commit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresAvailability } from "../helpers/postgres.js";
import { bothBackends, type BothBackends } from "../helpers/both-backends.js";
import type { Db } from "../../src/db/store.js";
import { asDb } from "../../src/db/store.pg.js";
import { resolvePage } from "../../src/db/pagination.js";
import {
  appendEventRows,
  countEvents,
  eventsAfter,
  eventsByIds,
  eventsPage,
  lastEventId,
  type EventRowFilter,
} from "../../src/db/events.js";
import { appendEvent, appendEvents } from "../../src/domain/events.js";
import { SYSTEM_ACTOR } from "../../src/domain/roles.js";

const availability = postgresAvailability();
const T = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const caller = { actor: SYSTEM_ACTOR, requestId: "req-1" };

async function exercise(db: Db) {
  const empty = await lastEventId(db);
  const one = await appendEventRows(db, [
    {
      type: "pool.created",
      actor: "alice",
      subjectType: "Pool",
      subjectId: "1",
      after: "{}",
      createdAt: T(1),
    },
  ]);
  const many = await appendEventRows(
    db,
    Array.from({ length: 150 }, (_, i) => ({
      type: i % 3 === 0 ? "allocation.created" : i % 3 === 1 ? "allocation.released" : "drift.detected",
      actor: i % 2 ? "bob" : "alice",
      subjectType: i % 3 === 2 ? "Drift" : "Allocation",
      subjectId: String(i % 7),
      createdAt: T(10 + i),
    })),
  );
  const viaDomain = await appendEvent(db, caller, {
    type: "scope.created",
    subjectType: "Scope",
    subjectId: 5,
  });
  const viaDomainMany = await appendEvents(db, caller, [
    { type: "scope.linked", subjectType: "Scope", subjectId: 5 },
    { type: "scope.linked", subjectType: "Scope", subjectId: 6 },
  ]);
  const base = one[0]!.id;
  const rel = (rows: { id: number }[]) => rows.map((r) => r.id - base);
  const page = async (filter: EventRowFilter) => {
    const p = await eventsPage(db, filter, resolvePage({ first: 5 }, 100));
    const next = await eventsPage(db, filter, resolvePage({ first: 5, after: p.cursors.at(-1)! }, 100));
    const last = await eventsPage(db, filter, resolvePage({ last: 3 }, 100));
    return {
      first: rel(p.items),
      next: rel(next.items),
      last: rel(last.items),
      count: await countEvents(db, filter),
    };
  };
  return {
    empty,
    ids: [rel(one), rel(many).slice(0, 3), rel(many).slice(-2), rel([viaDomain]), rel(viaDomainMany)],
    domainRow: { actor: viaDomain.actor, requestId: viaDomain.requestId, subjectId: viaDomain.subjectId },
    last: (await lastEventId(db)) - base,
    after: rel(await eventsAfter(db, base + 148, 5)),
    afterEnd: await eventsAfter(db, base + 1000, 5),
    afterLimit: rel(await eventsAfter(db, base - 1, 3)),
    byIds: rel(await eventsByIds(db, [base + 2, base, base + 999])).sort((x, y) => x - y),
    all: await page({}),
    exact: await page({ types: { exact: ["allocation.released", "scope.created"], prefixes: [] } }),
    prefix: await page({ types: { exact: [], prefixes: ["scope."] } }),
    none: await page({ types: { exact: [], prefixes: [] } }),
    subject: await page({ subjectType: "Allocation", subjectId: "3" }),
    actor: await page({ actor: "bob", types: { exact: [], prefixes: ["drift."] } }),
    window: await page({ from: T(20), to: T(25) }),
  };
}

describe.skipIf(!availability.available)("event rows on both backends", () => {
  let both: BothBackends;
  beforeAll(async () => {
    both = await bothBackends(availability.bin!);
  }, 60_000);
  afterAll(async () => {
    await both?.stop();
  });

  it("answer the same on SQLite and PostgreSQL", async () => {
    const { sqlite, pg } = await both.run(exercise);
    expect(sqlite).toMatchObject({
      empty: 0,
      ids: [[0], [1, 2, 3], [149, 150], [151], [152, 153]],
      domainRow: { actor: "system", requestId: "req-1", subjectId: "5" },
      last: 153,
      after: [149, 150, 151, 152, 153],
      afterEnd: [],
      afterLimit: [0, 1, 2],
      byIds: [0, 2],
      all: { first: [0, 1, 2, 3, 4], next: [5, 6, 7, 8, 9], last: [151, 152, 153], count: 154 },
      exact: { first: [2, 5, 8, 11, 14], count: 51 },
      prefix: { first: [151, 152, 153], next: [], count: 3 },
      none: { first: [], count: 0 },
      window: { first: [11, 12, 13, 14, 15], count: 5 },
    });
    expect(pg).toEqual(sqlite);
  });

  it("on PostgreSQL a second appender waits for the first's commit (ids in commit order)", async () => {
    const store = await both.pgStore();
    let releaseA!: () => void;
    const aHolds = new Promise<void>((r) => (releaseA = r));
    let aAppended!: () => void;
    const aHasLock = new Promise<void>((r) => (aAppended = r));
    const order: string[] = [];
    const a = store.write(async (tx) => {
      const [row] = await appendEventRows(asDb(tx), [
        { type: "t.a", actor: "a", subjectType: "T", subjectId: "a" },
      ]);
      aAppended();
      await aHolds;
      order.push("a commits");
      return row!.id;
    });
    await aHasLock;
    const b = store.write(async (tx) => {
      const [row] = await appendEventRows(asDb(tx), [
        { type: "t.b", actor: "b", subjectType: "T", subjectId: "b" },
      ]);
      order.push("b appended");
      return row!.id;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(order).toEqual([]); // b waits on the event lock
    releaseA();
    const [ida, idb] = await Promise.all([a, b]);
    expect(order).toEqual(["a commits", "b appended"]);
    expect(idb).toBeGreaterThan(ida);
    expect((await store.read((db) => eventsAfter(asDb(db), 0, 10))).map((e) => e.type)).toEqual([
      "t.a",
      "t.b",
    ]);
  });
});
