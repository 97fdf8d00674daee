/**
 * src/db/drift.ts in await style, and the domain's `applyFindings` / `resolveDriftRow` on top of it, answer the
 * same on SQLite and PostgreSQL: a first sync detects, a second keeps, updates, resolves (only in synced units)
 * and detects anew; ignored items are left alone; pages, filters and counts; the drift events in order.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresAvailability } from "../helpers/postgres.js";
import { bothBackends, type BothBackends } from "../helpers/both-backends.js";
import type { Db } from "../../src/db/store.js";
import { resolvePage } from "../../src/db/pagination.js";
import { insertAccount } from "../../src/db/accounts.js";
import { eventsAfter } from "../../src/db/events.js";
import {
  countDrift,
  driftById,
  driftByIds,
  driftPage,
  openDriftByFingerprint,
  updateDrift,
  type DriftRowFilter,
} from "../../src/db/drift.js";
import { applyFindings, fingerprintOf, type Finding } from "../../src/domain/drift.js";
import { SYSTEM_ACTOR } from "../../src/domain/roles.js";

const availability = postgresAvailability();
const T = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const caller = { actor: SYSTEM_ACTOR };

function finding(
  accountId: number,
  unit: string,
  subject: string,
  detail = "d",
  severity: Finding["severity"] = "LOW",
) {
  return {
    kind: "UNMANAGED" as const,
    severity,
    fingerprint: fingerprintOf(accountId, unit, "UNMANAGED", subject),
    unit,
    resourceRowId: null,
    allocationId: null,
    cidr: subject,
    detail,
  };
}

async function exercise(db: Db) {
  const acct = await insertAccount(db, { key: "aws:000000000001", provider: "AWS", name: "a" });
  const other = await insertAccount(db, { key: "aws:000000000002", provider: "AWS", name: "b" });
  const f = (unit: string, subject: string, detail?: string, severity?: Finding["severity"]) =>
    finding(acct.id, unit, subject, detail, severity);
  const units = new Set(["us-east-1", "eu-west-1"]);
  const first = await applyFindings(
    db,
    caller,
    acct.id,
    [
      f("us-east-1", "10.0.0.0/16"),
      f("us-east-1", "10.1.0.0/16"),
      f("eu-west-1", "10.2.0.0/16"),
      f("eu-west-1", "10.3.0.0/16"),
      f("us-east-1", "10.0.0.0/16"),
    ],
    units,
    T(1),
  );
  await applyFindings(db, caller, other.id, [finding(other.id, "us-east-1", "10.9.0.0/16")], units, T(1));
  const ignored = (await openDriftByFingerprint(db, f("us-east-1", "10.1.0.0/16").fingerprint))!;
  await updateDrift(db, ignored.id, { status: "IGNORED" });
  // Second sync: eu-west-1 could not be read; 10.0/16 changes detail, 10.1/16 (ignored) is gone, 10.4/16 is new.
  const second = await applyFindings(
    db,
    caller,
    acct.id,
    [f("us-east-1", "10.0.0.0/16", "changed", "HIGH"), f("us-east-1", "10.4.0.0/16")],
    new Set(["us-east-1"]),
    T(2),
  );
  // Third sync: eu-west-1 read again and clean.
  const third = await applyFindings(
    db,
    caller,
    acct.id,
    [f("us-east-1", "10.0.0.0/16", "changed", "HIGH"), f("us-east-1", "10.4.0.0/16")],
    units,
    T(3),
  );
  const summary = (rows: { cidr: string | null; status: string }[]) =>
    rows.map((r) => `${r.cidr}:${r.status}`);
  const page = async (filter: DriftRowFilter) => {
    const p = await driftPage(db, filter, resolvePage({ first: 2 }, 100));
    const rest = await driftPage(
      db,
      filter,
      resolvePage({ first: 100, after: p.cursors.at(-1) ?? null }, 100),
    );
    return {
      first: summary(p.items),
      rest: summary(rest.items),
      next: p.hasNextPage,
      count: await countDrift(db, filter),
    };
  };
  const changed = (await openDriftByFingerprint(db, f("us-east-1", "10.0.0.0/16").fingerprint))!;
  return {
    changes: [first, second, third],
    changed: { detail: changed.detail, severity: changed.severity, updated: changed.updatedAt > T(0) },
    all: await page({}),
    open: await page({ accountId: acct.id, status: "OPEN" }),
    resolved: await page({ status: "RESOLVED", kind: "UNMANAGED" }),
    high: await page({ severity: "HIGH" }),
    otherAccount: await countDrift(db, { accountId: other.id }),
    byId: (await driftById(db, ignored.id))?.status,
    byIds: summary(await driftByIds(db, [changed.id, ignored.id, 99_999])).sort(),
    missing: (await driftById(db, 99_999)) ?? null,
    events: (await eventsAfter(db, 0, 100)).map((e) => `${e.type}:${JSON.parse(e.after!).cidr}`),
  };
}

describe.skipIf(!availability.available)("drift rows on both backends", () => {
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
      changes: [
        { detected: 4, resolved: 0, open: 4 },
        { detected: 1, resolved: 0, open: 2 },
        { detected: 0, resolved: 2, open: 2 },
      ],
      changed: { detail: "changed", severity: "HIGH", updated: true },
      all: { count: 6, next: true },
      open: { first: ["10.0.0.0/16:OPEN", "10.4.0.0/16:OPEN"], rest: [], next: false, count: 2 },
      resolved: { first: ["10.2.0.0/16:RESOLVED", "10.3.0.0/16:RESOLVED"], count: 2 },
      high: { first: ["10.0.0.0/16:OPEN"], count: 1 },
      otherAccount: 1,
      byId: "IGNORED",
      byIds: ["10.0.0.0/16:OPEN", "10.1.0.0/16:IGNORED"],
      missing: null,
      events: [
        "drift.detected:10.0.0.0/16",
        "drift.detected:10.1.0.0/16",
        "drift.detected:10.2.0.0/16",
        "drift.detected:10.3.0.0/16",
        "drift.detected:10.9.0.0/16",
        "drift.detected:10.4.0.0/16",
        "drift.resolved:10.2.0.0/16",
        "drift.resolved:10.3.0.0/16",
      ],
    });
    expect(pg).toEqual(sqlite);
  });
});
