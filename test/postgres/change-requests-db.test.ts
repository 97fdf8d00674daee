/**
 * src/db/change-requests.ts in await style runs unchanged on both backends (#18): the same calls give the same
 * answers on SQLite and on PostgreSQL (through asDb), expiry read through filters included; and of two
 * PostgreSQL stores ("replicas") deciding one request at once, exactly one wins the conditional UPDATE.
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
  changeRequestById,
  changeRequestsPage,
  countChangeRequests,
  countDuePending,
  decideOpen,
  expirePending,
  insertChangeRequest,
  openDuplicate,
  scopeApprovalPolicy,
  settleChangeRequest,
  type ChangeRequestRow,
} from "../../src/db/change-requests.js";

const availability = postgresAvailability();
const T = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

const request = (n: number, expiresAt: string) => ({
  operation: n % 2 ? "DELETE_POOL" : "RELEASE_ALLOCATION",
  targetType: n % 2 ? "Pool" : "Allocation",
  targetId: n,
  targetCidr: `10.${n}.0.0/16`,
  input: "{}",
  requestedBy: "token:1:alice",
  createdAt: T(0),
  expiresAt,
});

/** The same calls on either backend; returns what they answered. */
async function exercise(db: Db) {
  const rows: ChangeRequestRow[] = [];
  for (let n = 1; n <= 4; n++) rows.push(await insertChangeRequest(db, request(n, n <= 2 ? T(10) : T(100))));
  const now = T(50); // requests 1 and 2 are past expiry, still PENDING
  const ids = (page: { items: { id: number }[] }) => page.items.map((r) => r.id - rows[0]!.id + 1);
  const pending = await changeRequestsPage(
    db,
    { statuses: ["PENDING"] },
    resolvePage({ first: 10 }, 100),
    now,
  );
  const expired = await changeRequestsPage(
    db,
    { statuses: ["EXPIRED"] },
    resolvePage({ first: 10 }, 100),
    now,
  );
  const first = await changeRequestsPage(db, {}, resolvePage({ first: 2 }, 100), now);
  const next = await changeRequestsPage(db, {}, resolvePage({ first: 2, after: first.cursors[1] }, 100), now);
  const out = {
    pending: ids(pending),
    expired: ids(expired),
    pages: [ids(first), first.hasNextPage, ids(next), next.hasNextPage],
    deletes: await countChangeRequests(db, { operations: ["DELETE_POOL"] }, now),
    due: await countDuePending(db, now),
    duplicate: (await openDuplicate(db, request(3, T(100)), now))?.targetId ?? null,
    duplicateExpired: (await openDuplicate(db, request(1, T(10)), now))?.targetId ?? null,
    decideExpired: (await decideOpen(db, rows[0]!.id, { status: "APPROVED" }, now)) ?? null,
    decide: (await decideOpen(db, rows[2]!.id, { decidedBy: "token:2:bob", decidedAt: now }, now))?.decidedBy,
    decideTwice: (await decideOpen(db, rows[2]!.id, { decidedBy: "token:3:eve" }, now)) ?? null,
    settleWrongDecider:
      (await settleChangeRequest(
        db,
        rows[2]!.id,
        { status: "PENDING", decidedBy: "token:3:eve" },
        { status: "APPROVED" },
      )) ?? null,
    settle: (
      await settleChangeRequest(
        db,
        rows[2]!.id,
        { status: "PENDING", decidedBy: "token:2:bob" },
        { status: "APPROVED" },
      )
    )?.status,
    expire: (await expirePending(db, now, 10)).map((r) => [r.targetId, r.status]),
    dueAfter: await countDuePending(db, now),
    policy: await scopeApprovalPolicy(db, 1),
    stored: (await changeRequestById(db, rows[0]!.id))?.status,
  };
  return out;
}

describe.skipIf(!availability.available)("change request rows on both backends", () => {
  let cluster: PgCluster;
  let dir: string;
  const pgStores: PgStore[] = [];
  beforeAll(async () => {
    cluster = await startPostgres({ bin: availability.bin! });
    dir = mkdtempSync(join(tmpdir(), "cloudpam-changes-"));
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
    expect(onSqlite).toEqual({
      pending: [3, 4],
      expired: [1, 2],
      pages: [[1, 2], true, [3, 4], false],
      deletes: 2,
      due: 2,
      duplicate: 3,
      duplicateExpired: null,
      decideExpired: null,
      decide: "token:2:bob",
      decideTwice: null,
      settleWrongDecider: null,
      settle: "APPROVED",
      expire: [
        [1, "EXPIRED"],
        [2, "EXPIRED"],
      ],
      dueAfter: 0,
      policy: { deletePool: false, releaseAllocation: false, actuation: false },
      stored: "EXPIRED",
    });
    expect(onPg).toEqual(onSqlite);
  });

  it("of two replicas deciding one request at once, exactly one wins", async () => {
    const url = await cluster.createDatabase();
    const [r1, r2] = [await openPgStore({ url }), await openPgStore({ url })];
    pgStores.push(r1, r2);
    const row = await r1.write((tx) => insertChangeRequest(asDb(tx), request(1, T(1_000_000))));
    const now = T(0);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? r2 : r1).write(async (tx) =>
          Boolean(
            await decideOpen(
              asDb(tx),
              row.id,
              { status: "APPROVED", decidedBy: `d${i}`, decidedAt: now },
              now,
            ),
          ),
        ),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
