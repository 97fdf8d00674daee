/**
 * Drift items: what reconciliation found that does not match the plan. A finding is identified across
 * syncs by its fingerprint; a new one is inserted OPEN (event `drift.detected`), one that a later sync no
 * longer finds becomes RESOLVED (event `drift.resolved`), and a person may IGNORE an open one (event
 * `drift.ignored`), after which syncs leave it alone. Event snapshots carry the numeric `accountId`, which
 * the `driftEvents(accountId)` subscription filters on.
 */
import { resolvePage, type Page, type PageArgs } from "../db/pagination.js";
import {
  activeDriftOfAccount,
  countDrift,
  driftById,
  driftByIds,
  driftPage,
  insertDrift,
  updateDrift,
  type DriftRow,
  type DriftRowFilter,
} from "../db/drift.js";
import type { Db, Store } from "../db/store.js";
import type { Caller } from "./caller.js";
import { Conflict, NotFound } from "./errors.js";
import { appendEvent, appendEvents, type EventInput } from "./events.js";
import { snapshotRowId, type Snapshot, type SnapshotOf } from "./event-snapshots.js";

export type DriftStatus = "OPEN" | "RESOLVED" | "IGNORED";
export type DriftKind = "MISSING_IN_CLOUD" | "UNMANAGED" | "CIDR_MISMATCH" | "OVERLAP";
export type DriftSeverity = "LOW" | "MEDIUM" | "HIGH";

/** One finding of a sync, before it becomes (or matches) a drift item. */
export interface Finding {
  kind: DriftKind;
  severity: DriftSeverity;
  fingerprint: string;
  unit: string;
  resourceRowId: number | null;
  allocationId: number | null;
  cidr: string | null;
  detail: string;
  /** For OVERLAP: the other account's pool or allocation. */
  conflicting?: { kind: string; id: number; cidr: string; accountId: number | null };
}

/** `a<accountId>/<unit>/<KIND>/<subject>`: the identity of a finding across syncs (unit = AWS region or "global"). */
export function fingerprintOf(accountId: number, unit: string, kind: DriftKind, subject: string): string {
  return `a${accountId}/${unit}/${kind}/${subject}`;
}

/** The sync unit encoded in a fingerprint. */
export function unitOfFingerprint(fingerprint: string): string {
  return fingerprint.split("/")[1] ?? "";
}

export interface DriftRecord {
  id: number;
  kind: string;
  severity: string;
  status: DriftStatus;
  accountId: number;
  /** cloud_resources row id. */
  resourceId: number | null;
  allocationId: number | null;
  cidr: string | null;
  detail: string | null;
  fingerprint: string;
  detectedAt: string;
  resolvedAt: string | null;
  updatedAt: string;
}

export function toDriftRecord(row: DriftRow): DriftRecord {
  return { ...row, status: row.status as DriftStatus };
}

/** A drift event's snapshot: the record with its row ids as global ids (event-snapshots.ts). */
export type DriftSnapshot = SnapshotOf<DriftRecord, "id" | "accountId" | "resourceId" | "allocationId">;

/** The drift item as an event shows it (its state at that event). */
export function driftOfSnapshot(s: Snapshot): DriftRecord {
  const d = s as unknown as DriftSnapshot;
  return {
    ...d,
    id: snapshotRowId(d.id, "DriftItem")!,
    accountId: snapshotRowId(d.accountId, "Account")!,
    resourceId: snapshotRowId(d.resourceId, "CloudResource"),
    allocationId: snapshotRowId(d.allocationId, "Allocation"),
  };
}

function driftEvent(type: string, before: DriftRow | null, after: DriftRow): EventInput {
  return {
    type,
    subjectType: "DriftItem",
    subjectId: after.id,
    before: before ? toDriftRecord(before) : null,
    after: toDriftRecord(after),
  };
}

export interface DriftChanges {
  detected: number;
  resolved: number;
  open: number;
}

/**
 * Merges one sync's findings into the account's drift, inside the sync's write transaction.
 * Only items of `syncedUnits` may resolve: a region that could not be read keeps its findings open.
 * `resolvable` narrows that further (a targeted re-read of one VPC resolves only that VPC's items).
 * Writes first, then the events (`drift.detected` in insertion order, then `drift.resolved`): src/db/README.md.
 */
export async function applyFindings(
  db: Db,
  caller: Caller,
  accountId: number,
  findings: readonly Finding[],
  syncedUnits: ReadonlySet<string>,
  now: string,
  resolvable?: (row: DriftRow) => boolean,
): Promise<DriftChanges> {
  const active = new Map((await activeDriftOfAccount(db, accountId)).map((r) => [r.fingerprint, r]));
  const seen = new Set<string>();
  const fresh: Finding[] = [];
  let open = 0;
  for (const f of findings) {
    if (seen.has(f.fingerprint)) continue;
    seen.add(f.fingerprint);
    const existing = active.get(f.fingerprint);
    if (!existing) {
      fresh.push(f);
      continue;
    }
    if (existing.status !== "OPEN") continue;
    open++;
    if (
      existing.detail !== f.detail ||
      existing.severity !== f.severity ||
      existing.resourceId !== f.resourceRowId
    )
      await updateDrift(db, existing.id, {
        detail: f.detail,
        severity: f.severity,
        resourceId: f.resourceRowId,
      });
  }
  const inserted = await insertDrift(
    db,
    fresh.map((f) => ({
      kind: f.kind,
      severity: f.severity,
      status: "OPEN",
      accountId,
      resourceId: f.resourceRowId,
      allocationId: f.allocationId,
      cidr: f.cidr,
      detail: f.detail,
      fingerprint: f.fingerprint,
      detectedAt: now,
      updatedAt: now,
    })),
  );
  const resolved: [DriftRow, DriftRow][] = [];
  for (const row of active.values()) {
    if (row.status !== "OPEN" || seen.has(row.fingerprint)) continue;
    if (!syncedUnits.has(unitOfFingerprint(row.fingerprint))) continue;
    if (resolvable && !resolvable(row)) continue;
    resolved.push([row, await updateDrift(db, row.id, { status: "RESOLVED", resolvedAt: now })]);
  }
  await appendEvents(db, caller, [
    ...inserted.map((row) => driftEvent("drift.detected", null, row)),
    ...resolved.map(([before, after]) => driftEvent("drift.resolved", before, after)),
  ]);
  return { detected: inserted.length, resolved: resolved.length, open: open + inserted.length };
}

/** Marks one open item RESOLVED and records `drift.resolved` (inside the caller's transaction). */
export async function resolveDriftRow(db: Db, caller: Caller, row: DriftRow, now: string): Promise<DriftRow> {
  const after = await updateDrift(db, row.id, { status: "RESOLVED", resolvedAt: now });
  await appendEvent(db, caller, driftEvent("drift.resolved", row, after));
  return after;
}

/** An operator decides an open finding is fine: syncs no longer report or resolve it. */
export async function ignoreDrift(store: Store, caller: Caller, id: number): Promise<DriftRecord> {
  return store.write(async (db) => {
    const row = await driftById(db, id);
    if (!row) throw new NotFound("DriftItem", id, "id");
    if (row.status !== "OPEN") {
      throw new Conflict(`drift item ${id} is ${row.status}; only OPEN drift can be ignored`, {
        field: "id",
        status: row.status,
        conflicting: { type: "DriftItem", id: row.id, cidr: row.cidr },
      });
    }
    const after = await updateDrift(db, id, { status: "IGNORED" });
    await appendEvent(db, caller, driftEvent("drift.ignored", row, after));
    return toDriftRecord(after);
  });
}

export interface DriftFilter {
  accountId?: number | null;
  kind?: string | null;
  status?: DriftStatus | null;
  severity?: string | null;
}

/** One page of drift items, oldest first; the count runs on demand. */
export async function listDrift(
  store: Store,
  filter: DriftFilter,
  args: PageArgs,
  maxPageSize: number,
): Promise<{ page: Page<DriftRecord>; count: () => Promise<number> }> {
  const resolved = resolvePage(args, maxPageSize);
  const f: DriftRowFilter = filter;
  const page = await store.read((db) => driftPage(db, f, resolved));
  return {
    page: { ...page, items: page.items.map(toDriftRecord) },
    count: () => store.read((db) => countDrift(db, f)),
  };
}

/** Drift items by id in the order asked (null where missing): the DriftItem loader's batch function. */
export async function driftItemsById(store: Store, ids: readonly number[]): Promise<(DriftRecord | null)[]> {
  const rows = await store.read((db) => driftByIds(db, ids));
  const byId = new Map(rows.map((r) => [r.id, toDriftRecord(r)]));
  return ids.map((id) => byId.get(id) ?? null);
}
