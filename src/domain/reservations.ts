/**
 * Reservations: ranges of a pool held back and never handed out. A reservation takes its range from the
 * pool's free space like an allocation (the pool's child-length rules do not apply: they govern what is
 * handed out), in any pool status; unreserve gives the range back and soft-deletes the row (restore brings it
 * back within RETENTION_DAYS; the event log keeps its history).
 */
import { AllocatorError, formatPrefix, type Prefix } from "../allocator/index.js";
import { prefixesOfKindByIds } from "../db/allocations.js";
import { insertDeletion, markPrefixesDeleted } from "../db/deletions.js";
import { lockPoolRow } from "../db/pools.js";
import { insertPrefix, prefixById, rangeColumns, rowPrefix, type PrefixRow } from "../db/prefixes.js";
import type { Store } from "../db/store.js";
import type { Caller } from "./caller.js";
import { Invalid, NotFound } from "./errors.js";
import { appendEvent } from "./events.js";
import { placementError } from "./allocations.js";
import { occupyInPool, takeNextInPool, vacateInPool } from "./placement.js";
import { actorLabel } from "./roles.js";
import { freeText, parseCidr, requirePool } from "./validation.js";

export interface ReservationRecord {
  id: number;
  poolId: number;
  scopeId: number;
  cidr: string;
  family: number;
  prefixLength: number;
  reason: string | null;
  createdBy: string | null;
  createdAt: string;
  /** Soft delete (issue #18): only on a deleted object (lists with includeDeleted). */
  deletedAt?: string;
  deletedBy?: string | null;
}

export function toReservationRecord(row: PrefixRow): ReservationRecord {
  return {
    id: row.id,
    poolId: row.parentId!,
    scopeId: row.scopeId,
    cidr: row.cidr,
    family: row.family,
    prefixLength: row.prefixLen,
    reason: row.description,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    ...(row.deletedAt !== null ? { deletedAt: row.deletedAt, deletedBy: row.deletedBy } : {}),
  };
}

export interface ReserveInput {
  poolId: number;
  cidr?: string | null;
  prefixLength?: number | null;
  reason?: string | null;
}

/** Holds back exactly `cidr`, or the next free block of `prefixLength` (smallest-fit). */
export async function reserve(store: Store, caller: Caller, input: ReserveInput): Promise<ReservationRecord> {
  const cidr = input.cidr ? parseCidr("cidr", input.cidr) : null;
  const length = input.prefixLength ?? null;
  if (!cidr && length === null) throw new Invalid("cidr", "pass cidr or prefixLength");
  if (cidr && length !== null && cidr.length !== length)
    throw new Invalid("prefixLength", `prefixLength /${length} disagrees with cidr ${formatPrefix(cidr)}`);
  const reason = freeText("reason", input.reason);
  return store.write(async (db) => {
    await lockPoolRow(db, input.poolId);
    const pool = await requirePool(db, input.poolId, "poolId");
    const placement = cidr ? { prefix: cidr } : { length: length! };
    let prefix: Prefix;
    try {
      if (cidr) {
        await occupyInPool(db, pool, cidr, "cidr");
        prefix = cidr;
      } else prefix = await takeNextInPool(db, pool, length!);
    } catch (e) {
      throw e instanceof AllocatorError ? await placementError(e, db, pool, placement) : e;
    }
    const row = await insertPrefix(db, {
      kind: "reservation",
      scopeId: pool.scopeId,
      parentId: pool.id,
      status: "ACTIVE",
      description: reason,
      createdBy: actorLabel(caller.actor),
      createdAt: new Date().toISOString(),
      ...rangeColumns(prefix),
    });
    const record = toReservationRecord(row);
    await appendEvent(db, caller, {
      type: "reservation.created",
      subjectType: "Reservation",
      subjectId: row.id,
      after: record,
    });
    return record;
  });
}

/** Gives the range back to the pool and (soft-)deletes the reservation. */
export async function unreserve(store: Store, caller: Caller, id: number): Promise<ReservationRecord> {
  return store.write(async (db) => {
    const unlocked = await prefixById(db, id);
    if (!unlocked || unlocked.kind !== "reservation" || unlocked.deletedAt !== null)
      throw new NotFound("Reservation", id, "id");
    await lockPoolRow(db, unlocked.parentId!);
    const row = await prefixById(db, id); // as it is under the pool's lock
    if (!row || row.deletedAt !== null) throw new NotFound("Reservation", id, "id");
    await vacateInPool(db, (await prefixById(db, row.parentId!))!, rowPrefix(row));
    // Soft delete (issue #18): the row stays, marked, until restore or the purge.
    const deletion = await insertDeletion(db, {
      subjectType: "Reservation",
      subjectId: row.id,
      deletedBy: actorLabel(caller.actor),
      deletedAt: new Date().toISOString(),
    });
    await markPrefixesDeleted(db, [row.id], deletion);
    const record = toReservationRecord(row);
    await appendEvent(db, caller, {
      type: "reservation.deleted",
      subjectType: "Reservation",
      subjectId: row.id,
      before: record,
    });
    return record;
  });
}

/** Reservations by id in the order asked (null where missing): the Reservation loader's batch function. */
export async function reservationsById(
  store: Store,
  ids: readonly number[],
): Promise<(ReservationRecord | null)[]> {
  const rows = await store.read((db) => prefixesOfKindByIds(db, "reservation", ids));
  const byId = new Map(rows.map((r) => [r.id, toReservationRecord(r)]));
  return ids.map((id) => byId.get(id) ?? null);
}
