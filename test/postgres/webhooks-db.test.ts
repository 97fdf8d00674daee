/**
 * src/db/webhooks.ts in await style runs unchanged on both backends: the same calls give the same answers on
 * SQLite and on PostgreSQL (through asDb), including the per-webhook delivery pages (a window function over a
 * subquery), and the delivery lease is exclusive between two PostgreSQL stores ("replicas").
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { postgresAvailability, startPostgres, type PgCluster } from "../helpers/postgres.js";
import { openStore, type Db } from "../../src/db/store.js";
import { asDb, openPgStore, type PgStore } from "../../src/db/store.pg.js";
import { resolvePage } from "../../src/db/pagination.js";
import {
  acquireWebhookLease,
  activeWebhookIds,
  advanceWebhookCursor,
  attemptsSoFar,
  countDeliveries,
  countWebhooks,
  deleteWebhookRow,
  deliveriesPages,
  insertDelivery,
  insertWebhook,
  releaseWebhookLeases,
  updateWebhookRow,
  webhookById,
  webhooksPage,
} from "../../src/db/webhooks.js";

const availability = postgresAvailability();
const T = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

/** The same calls on either backend; returns what they answered. */
async function exercise(db: Db) {
  const a = await insertWebhook(db, {
    url: "http://127.0.0.1/a",
    secret: "s",
    createdAt: T(0),
    updatedAt: T(0),
  });
  const b = await insertWebhook(db, {
    url: "http://127.0.0.1/b",
    secret: "s",
    active: false,
    createdAt: T(0),
    updatedAt: T(0),
  });
  for (let i = 1; i <= 5; i++)
    await insertDelivery(db, {
      webhookId: a.id,
      eventId: 10 + i,
      attempt: 1,
      durationMs: i,
      outcome: "SUCCESS",
      createdAt: T(i),
    });
  for (let i = 1; i <= 3; i++)
    await insertDelivery(db, {
      webhookId: b.id,
      eventId: 20,
      attempt: i,
      durationMs: i,
      outcome: i < 3 ? "RETRY" : "FAILED",
      statusCode: 500,
      createdAt: T(i),
    });
  const ids = [a.id, b.id];
  const first2 = await deliveriesPages(db, ids, resolvePage({ first: 2 }, 100));
  const after = await deliveriesPages(
    db,
    ids,
    resolvePage({ first: 2, after: first2.get(a.id)!.cursors[1] }, 100),
  );
  const last2 = await deliveriesPages(db, ids, resolvePage({ last: 2 }, 100));
  const summary = (
    m: Map<
      number,
      { items: { eventId: number; attempt: number }[]; hasNextPage: boolean; hasPreviousPage: boolean }
    >,
  ) =>
    [...m.values()].map((p) => ({
      items: p.items.map((d) => `${d.eventId}#${d.attempt}`),
      next: p.hasNextPage,
      prev: p.hasPreviousPage,
    }));
  const out = {
    first2: summary(first2),
    after: summary(after).slice(0, 1),
    last2: summary(last2),
    counts: [...(await countDeliveries(db, ids)).entries()].map(([id, n]) => [id === a.id ? "a" : "b", n]),
    attempts: await attemptsSoFar(db, b.id, 20),
    active: (await activeWebhookIds(db)).map((id) => (id === a.id ? "a" : "b")),
    total: await countWebhooks(db),
    page: (await webhooksPage(db, resolvePage({ first: 10 }, 100))).items.map((w) => w.url),
    lease: [
      await acquireWebhookLease(db, a.id, "r1", T(10), T(40)),
      await acquireWebhookLease(db, a.id, "r2", T(20), T(50)), // r1's lease still runs
      await acquireWebhookLease(db, a.id, "r1", T(30), T(60)), // renewal
      await acquireWebhookLease(db, a.id, "r2", T(61), T(90)), // r1's lease expired
    ],
    cursor: [
      await advanceWebhookCursor(db, a.id, 15),
      await advanceWebhookCursor(db, a.id, 12), // never back
      (await webhookById(db, a.id))!.cursor,
    ],
    updated: (await updateWebhookRow(db, b.id, { active: true }))!.active,
  };
  await releaseWebhookLeases(db, "r2");
  const released = (await webhookById(db, a.id))!.leaseOwner;
  await deleteWebhookRow(db, b.id);
  return {
    ...out,
    released,
    afterDelete: await countWebhooks(db),
    goneCursor: await advanceWebhookCursor(db, b.id, 99),
  };
}

describe.skipIf(!availability.available)("webhook rows on both backends", () => {
  let cluster: PgCluster;
  let dir: string;
  const pgStores: PgStore[] = [];
  beforeAll(async () => {
    cluster = await startPostgres({ bin: availability.bin! });
    dir = mkdtempSync(join(tmpdir(), "cloudpam-hooks-"));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(pgStores.map((s) => s.close()));
    await cluster?.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answer the same on SQLite and PostgreSQL", async () => {
    const sqlite = openStore({ dsn: join(dir, "a.db") });
    const onSqlite = await sqlite.write((db) => exercise(db));
    sqlite.close();
    const pgStore = await openPgStore({ url: await cluster.createDatabase() });
    pgStores.push(pgStore);
    const onPg = await pgStore.write((tx) => exercise(asDb(tx)));
    expect(onSqlite).toMatchObject({
      first2: [
        { items: ["11#1", "12#1"], next: true, prev: false },
        { items: ["20#1", "20#2"], next: true, prev: false },
      ],
      after: [{ items: ["13#1", "14#1"], next: true, prev: true }],
      last2: [
        { items: ["14#1", "15#1"], next: false, prev: true },
        { items: ["20#2", "20#3"], next: false, prev: true },
      ],
      attempts: 3,
      active: ["a"],
      total: 2,
      lease: [true, false, true, true],
      cursor: [true, true, 15],
      released: null,
      afterDelete: 1,
      goneCursor: false,
    });
    expect(onPg).toEqual(onSqlite);
  });

  it("the delivery lease is exclusive between two PostgreSQL replicas", async () => {
    const url = await cluster.createDatabase();
    const [r1, r2] = [await openPgStore({ url }), await openPgStore({ url })];
    pgStores.push(r1, r2);
    const hook = await r1.write((tx) => insertWebhook(asDb(tx), { url: "http://127.0.0.1/x", secret: "s" }));
    const now = new Date().toISOString();
    const until = new Date(Date.now() + 60_000).toISOString();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? r2 : r1).write((tx) =>
          acquireWebhookLease(asDb(tx), hook.id, i % 2 ? "r2" : "r1", now, until),
        ),
      ),
    );
    const winners = new Set(results.flatMap((ok, i) => (ok ? [i % 2 ? "r2" : "r1"] : [])));
    expect(winners.size).toBe(1);
  });
});
