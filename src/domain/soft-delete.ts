/**
 * Soft delete with undo (issue #18): `restore` and the purge of expired deletes.
 *
 * A delete (deletePool, unreserve, deleteAccount) marks what it takes in one `deletions` operation
 * (src/db/deletions.ts) and vacates the space exactly as a hard delete did, so the space is free at once and
 * every query leaves the rows out. `restore` brings one operation back whole, within the retention
 * (RETENTION_DAYS), when nothing has taken its space since: the root re-occupies its range in its parent through
 * the allocator's exact-take path (`occupyInPool`), a top-level pool passes the top-level overlap check, an
 * account's allocations re-occupy theirs; otherwise CONFLICT names what is in the way. Restoring a row that was
 * taken by another object's delete (an allocation of a deleted pool) is refused with the object to restore
 * (`details.deletedWith`). The purge removes operations older than the retention, one transaction per batch;
 * events are kept.
 */
import { accountsByIds } from "../db/accounts.js";
import {
  anyAccountById,
  deleteDeletion,
  deletionById,
  expiredDeletions,
  liveAccountWithKey,
  prefixesOfDeletion,
  purgeDeletion,
  unmarkAccount,
  unmarkPrefixesOfDeletion,
  type DeletionRow,
} from "../db/deletions.js";
import { lockPoolRows, updatePrefixRow } from "../db/pools.js";
import { prefixById, rowPrefix, type PrefixRow } from "../db/prefixes.js";
import type { Db, Store } from "../db/store.js";
import { toGlobalId } from "../ids.js";
import { accountSnapshot, toAccountRecord, type AccountRecord } from "./accounts.js";
import { toAllocationRecord, type AllocationRecord } from "./allocations.js";
import type { Caller } from "./caller.js";
import { Conflict, Forbidden, NotFound } from "./errors.js";
import { appendEvents, type EventInput } from "./events.js";
import { assertTopLevelFree, describePrefix, lockTopLevel, occupyInPool, prefixRef } from "./placement.js";
import { prefixSnapshot, toPoolRecord, type PoolRecord } from "./pools.js";
import { toReservationRecord, type ReservationRecord } from "./reservations.js";
import { can } from "./roles.js";

export interface RetentionSettings {
  /** How long a deleted object can be restored (RETENTION_DAYS). */
  retentionMs: number;
  /** The clock (tests inject one). */
  now?: () => Date;
}

export function retentionSettings(config: { retentionDays: number }): RetentionSettings {
  return { retentionMs: config.retentionDays * 86_400_000 };
}

export type RestorableType = "Pool" | "Allocation" | "Reservation" | "Account";

/** One object brought back, as its record (the schema maps it by `type`). */
export type RestoredObject =
  | { type: "Pool"; record: PoolRecord }
  | { type: "Allocation"; record: AllocationRecord }
  | { type: "Reservation"; record: ReservationRecord }
  | { type: "Account"; record: AccountRecord };

export interface RestoreResult {
  /** The object named by the input. */
  restored: RestoredObject;
  /** What its delete took with it and came back with it: pools shortest first, then the rest in address order. */
  cascaded: RestoredObject[];
  /** Pools an account delete detached from the account and the restore attached again. */
  reattachedPools: PoolRecord[];
}

const KIND: Record<Exclude<RestorableType, "Account">, PrefixRow["kind"]> = {
  Pool: "pool",
  Allocation: "allocation",
  Reservation: "reservation",
};
const TYPE_OF: Record<PrefixRow["kind"], Exclude<RestorableType, "Account">> = {
  pool: "Pool",
  allocation: "Allocation",
  reservation: "Reservation",
};

function restoredPrefix(row: PrefixRow): RestoredObject {
  if (row.kind === "pool") return { type: "Pool", record: toPoolRecord(row) };
  if (row.kind === "allocation") return { type: "Allocation", record: toAllocationRecord(row) };
  return { type: "Reservation", record: toReservationRecord(row) };
}

/** Pools shortest (outermost) first, then allocations and reservations; address order within each. */
function cascadeOrder(a: PrefixRow, b: PrefixRow): number {
  return (
    Number(a.kind !== "pool") - Number(b.kind !== "pool") ||
    (a.kind === "pool" ? a.prefixLen - b.prefixLen : 0) ||
    (a.rangeStart < b.rangeStart ? -1 : a.rangeStart > b.rangeStart ? 1 : 0) ||
    a.id - b.id
  );
}

/** Whether the row is live once restored: everything but an allocation released before the delete. */
const becomesLive = (r: PrefixRow) => !(r.kind === "allocation" && r.status === "RELEASED");

function expired(
  type: RestorableType,
  id: number,
  deletion: DeletionRow,
  settings: RetentionSettings,
): NotFound {
  const days = settings.retentionMs / 86_400_000;
  const e = new NotFound(type, toGlobalId(type, id), "id");
  e.message = `${type} ${toGlobalId(type, id)} was deleted at ${deletion.deletedAt}, more than the retention of ${days} day(s) (RETENTION_DAYS) ago; it can no longer be restored`;
  e.details.deletedAt = deletion.deletedAt;
  return e;
}

/**
 * Restores a deleted object and what its delete took with it, in one transaction with a `<kind>.restored` event
 * per object. Needs the role of the delete: admin for pools and accounts, operate for reservations (the
 * resolver checks operate).
 */
export async function restore(
  store: Store,
  caller: Caller,
  target: { type: RestorableType; id: number },
  settings: RetentionSettings,
): Promise<RestoreResult> {
  return store.write(async (db) => {
    const now = (settings.now ?? (() => new Date()))();
    const gid = toGlobalId(target.type, target.id);
    let deletionId: number | null;
    let label: string;
    if (target.type === "Account") {
      const account = await anyAccountById(db, target.id);
      if (!account) throw new NotFound("Account", gid, "id");
      label = `account '${account.name}' (${account.key})`;
      deletionId = account.deletionId;
      if (!account.deletedAt)
        throw new Conflict(`${label} is not deleted`, {
          field: "id",
          conflicting: { type: "Account", id: account.id, name: account.name },
        });
    } else {
      const row = await prefixById(db, target.id);
      if (!row || row.kind !== KIND[target.type]) throw new NotFound(target.type, gid, "id");
      label = describePrefix(row);
      deletionId = row.deletionId;
      if (!row.deletedAt)
        throw new Conflict(`${label} is not deleted`, { field: "id", conflicting: prefixRef(row) });
    }
    const deletion = deletionId === null ? undefined : await deletionById(db, deletionId);
    if (!deletion) throw new NotFound(target.type, gid, "id");
    if (deletion.subjectType !== target.type || deletion.subjectId !== target.id) {
      const root = toGlobalId(deletion.subjectType, deletion.subjectId);
      throw new Conflict(
        `${label} was deleted with ${deletion.subjectType} ${root}; restore that ${deletion.subjectType.toLowerCase()} to bring it back`,
        { field: "id", deletedWith: { type: deletion.subjectType, id: root } },
      );
    }
    if (Date.parse(deletion.deletedAt) + settings.retentionMs < now.getTime())
      throw expired(target.type, target.id, deletion, settings);
    if (
      (target.type === "Pool" || target.type === "Account") &&
      !(caller.actor.role && can(caller.actor.role, "admin"))
    )
      throw new Forbidden(`restoring ${withType(target.type)} needs the ADMIN role (as deleting it does)`, {
        field: "id",
      });
    const stamp = now.toISOString();
    return target.type === "Account"
      ? restoreAccount(db, caller, deletion, stamp)
      : restorePrefixes(db, caller, deletion, target.id, stamp);
  });
}

function withType(type: RestorableType): string {
  return type === "Account" ? "an account" : `a ${type.toLowerCase()}`;
}

/** Live allocations (and pools) must not come back pointing at an account deleted since. */
async function assertAccountsLive(db: Db, rows: readonly PrefixRow[]): Promise<void> {
  const ids = [
    ...new Set(rows.filter(becomesLive).flatMap((r) => (r.accountId === null ? [] : [r.accountId]))),
  ];
  if (ids.length === 0) return;
  const live = new Set((await accountsByIds(db, ids)).map((a) => a.id));
  const gone = ids.find((id) => !live.has(id));
  if (gone === undefined) return;
  const account = (await anyAccountById(db, gone))!;
  const user = rows.find((r) => r.accountId === gone)!;
  throw new Conflict(
    `${describePrefix(user)} belongs to account '${account.name}' (${account.key}), which was deleted since; restore that account first`,
    { field: "id", conflicting: { type: "Account", id: account.id, name: account.name } },
  );
}

async function restorePrefixes(
  db: Db,
  caller: Caller,
  deletion: DeletionRow,
  rootId: number,
  stamp: string,
): Promise<RestoreResult> {
  const unlocked = await prefixesOfDeletion(db, deletion.id);
  const root0 = unlocked.find((r) => r.id === rootId)!;
  // The parent first, then the pools of the taken subtree (ascending), as a delete locks them.
  await lockPoolRows(db, [root0.parentId]);
  await lockPoolRows(
    db,
    unlocked.filter((r) => r.kind === "pool").map((r) => r.id),
  );
  const rows = await prefixesOfDeletion(db, deletion.id); // as they are under the locks
  const root = rows.find((r) => r.id === rootId)!;
  const prefix = rowPrefix(root);
  if (root.parentId === null) {
    // A top-level pool comes back at the top of its scope: serialise with other top-level writes there (PG).
    await lockTopLevel(db, root.scopeId);
    await assertTopLevelFree(db, root.scopeId, prefix, "id");
  } else {
    const parent = await prefixById(db, root.parentId);
    if (!parent || parent.deletedAt !== null)
      throw new Conflict(
        `${describePrefix(root)} was in ${parent ? describePrefix(parent) : `pool ${root.parentId}`}, which is deleted; restore that pool first`,
        { field: "id", conflicting: parent ? prefixRef(parent) : { type: "Pool", id: root.parentId } },
      );
    await assertAccountsLive(db, rows);
    await occupyInPool(db, parent, prefix, "id");
  }
  if (root.parentId === null) await assertAccountsLive(db, rows);
  const back = await unmarkPrefixesOfDeletion(db, deletion.id, stamp);
  const restoredRoot = back.find((r) => r.id === rootId)!;
  const others = back.filter((r) => r.id !== rootId).sort(cascadeOrder);
  await deleteDeletion(db, deletion.id);
  await appendEvents(db, caller, [restoredRoot, ...others].map(restoredEvent));
  return {
    restored: restoredPrefix(restoredRoot),
    cascaded: others.map(restoredPrefix),
    reattachedPools: [],
  };
}

function restoredEvent(r: PrefixRow): EventInput {
  return {
    type: `${r.kind}.restored`,
    subjectType: TYPE_OF[r.kind],
    subjectId: r.id,
    after: prefixSnapshot(r),
  };
}

async function restoreAccount(
  db: Db,
  caller: Caller,
  deletion: DeletionRow,
  stamp: string,
): Promise<RestoreResult> {
  const account = (await anyAccountById(db, deletion.subjectId))!;
  const other = await liveAccountWithKey(db, account.key, account.id);
  if (other)
    throw new Conflict(
      `the key ${account.key} of account '${account.name}' is now used by account '${other.name}'; delete or re-key that account first`,
      { field: "id", conflicting: { type: "Account", id: other.id, name: other.name } },
    );
  const unlocked = await prefixesOfDeletion(db, deletion.id);
  await lockPoolRows(
    db,
    unlocked.filter(becomesLive).map((r) => r.parentId),
  );
  const rows = await prefixesOfDeletion(db, deletion.id);
  for (const r of rows.filter(becomesLive).sort(cascadeOrder)) {
    const parent = r.parentId === null ? undefined : await prefixById(db, r.parentId);
    if (!parent || parent.deletedAt !== null)
      throw new Conflict(
        `${describePrefix(r)} of the account was in ${parent ? describePrefix(parent) : "a pool"}, which is deleted; restore that pool first`,
        { field: "id", conflicting: parent ? prefixRef(parent) : { type: "Pool", id: r.parentId ?? 0 } },
      );
    await occupyInPool(db, parent, rowPrefix(r), "id");
  }
  const back = (await unmarkPrefixesOfDeletion(db, deletion.id, stamp)).sort(cascadeOrder);
  const restoredAccount = await unmarkAccount(db, account.id, stamp);
  const detail = JSON.parse(deletion.detail) as { detachedPoolIds?: number[] };
  const reattached: { before: PrefixRow; after: PrefixRow }[] = [];
  for (const poolId of detail.detachedPoolIds ?? []) {
    const pool = await prefixById(db, poolId);
    // Only pools still live and still without an account: one given another account since keeps it.
    if (!pool || pool.kind !== "pool" || pool.releasedAt !== null || pool.accountId !== null) continue;
    reattached.push({ before: pool, after: await updatePrefixRow(db, pool.id, { accountId: account.id }) });
  }
  await deleteDeletion(db, deletion.id);
  await appendEvents(db, caller, [
    {
      type: "account.restored",
      subjectType: "Account",
      subjectId: account.id,
      after: accountSnapshot(restoredAccount),
    },
    ...back.map(restoredEvent),
    ...reattached.map((p): EventInput => ({
      type: "pool.updated",
      subjectType: "Pool",
      subjectId: p.after.id,
      before: prefixSnapshot(p.before),
      after: prefixSnapshot(p.after),
    })),
  ]);
  return {
    restored: { type: "Account", record: toAccountRecord(restoredAccount) },
    cascaded: back.map(restoredPrefix),
    reattachedPools: reattached.map((p) => toPoolRecord(p.after)),
  };
}

export interface PurgeOptions extends RetentionSettings {
  /** Delete operations per transaction (default 50). */
  batchSize?: number;
}

/**
 * Removes every delete operation older than the retention, with its rows, one transaction per batch of
 * operations, oldest first. Returns what it removed.
 */
export async function purgeExpired(
  store: Store,
  options: PurgeOptions,
): Promise<{ deletions: number; rows: number }> {
  const now = (options.now ?? (() => new Date()))();
  const cutoff = new Date(now.getTime() - options.retentionMs).toISOString();
  const batch = options.batchSize ?? 50;
  let deletions = 0;
  let rows = 0;
  for (;;) {
    // Counted from the committed result (a retried PostgreSQL transaction runs its body again).
    const { n, removed } = await store.write(async (db) => {
      const list = await expiredDeletions(db, cutoff, batch);
      let removed = 0;
      for (const d of list) removed += await purgeDeletion(db, d);
      return { n: list.length, removed };
    });
    deletions += n;
    rows += removed;
    if (n < batch) return { deletions, rows };
  }
}
