/**
 * Soft delete (issue #18): the statements of the `deletions` table and of the soft-delete columns of
 * `prefixes` and `accounts` (`deleted_at`, `deleted_by`, `deletion_id`).
 *
 * A delete operation is one `deletions` row; every row it marks carries its id, so a restore brings back exactly
 * what that delete took and the purge removes exactly that. A marked prefix also gets `released_at` (when it was
 * live), so every live filter, the live partial indexes and the live unique index leave it out without a change;
 * what it was before is told by its status (only an allocation is ever released on its own, and then its status
 * is RELEASED): restore clears `released_at` of every row but a RELEASED allocation.
 *
 * Await style, dialect-neutral (the same statements on SQLite and PostgreSQL).
 */
import { and, asc, eq, inArray, isNotNull, isNull, lt, sql } from "drizzle-orm";
import type { AccountRow } from "./accounts.js";
import type { PrefixRow } from "./prefixes.js";
import { accounts, cloudResources, deletions, driftItems, prefixes, syncState } from "./schema.js";
import type { Db } from "./store.js";

export type DeletionRow = typeof deletions.$inferSelect;
export type DeletionSubject = "Pool" | "Reservation" | "Account";

/** Rows per UPDATE/DELETE by id list: under SQLite's bound-variable limit. */
const CHUNK = 5000;

export async function insertDeletion(
  db: Db,
  row: {
    subjectType: DeletionSubject;
    subjectId: number;
    deletedBy: string;
    deletedAt: string;
    detail?: string;
  },
): Promise<DeletionRow> {
  const [inserted] = await db.insert(deletions).values(row).returning();
  return inserted!;
}

export async function deletionById(db: Db, id: number): Promise<DeletionRow | undefined> {
  return (await db.select().from(deletions).where(eq(deletions.id, id)).limit(1))[0];
}

/**
 * Marks prefix rows deleted by one delete operation (and released, when they were live), in chunks. The rows'
 * free space is the caller's business (it vacates the root in its parent, as a hard delete did).
 */
export async function markPrefixesDeleted(
  db: Db,
  ids: readonly number[],
  deletion: Pick<DeletionRow, "id" | "deletedAt" | "deletedBy">,
): Promise<void> {
  for (let i = 0; i < ids.length; i += CHUNK)
    await db
      .update(prefixes)
      .set({
        deletedAt: deletion.deletedAt,
        deletedBy: deletion.deletedBy,
        deletionId: deletion.id,
        releasedAt: sql`coalesce(${prefixes.releasedAt}, ${deletion.deletedAt})`,
        updatedAt: deletion.deletedAt,
      })
      .where(inArray(prefixes.id, ids.slice(i, i + CHUNK)));
}

/** The prefix rows one delete operation marked, in id order. */
export async function prefixesOfDeletion(db: Db, deletionId: number): Promise<PrefixRow[]> {
  return db.select().from(prefixes).where(eq(prefixes.deletionId, deletionId)).orderBy(asc(prefixes.id));
}

/**
 * Un-marks the rows of a delete operation: live again (released_at cleared) except allocations that were released
 * before the delete. Returns them, in id order.
 */
export async function unmarkPrefixesOfDeletion(
  db: Db,
  deletionId: number,
  now: string,
): Promise<PrefixRow[]> {
  const ids = (
    await db.select({ id: prefixes.id }).from(prefixes).where(eq(prefixes.deletionId, deletionId))
  ).map((r) => r.id);
  await db
    .update(prefixes)
    .set({
      deletedAt: null,
      deletedBy: null,
      deletionId: null,
      releasedAt: sql`CASE WHEN ${prefixes.kind} = 'allocation' AND ${prefixes.status} = 'RELEASED' THEN ${prefixes.releasedAt} ELSE NULL END`,
      updatedAt: now,
    })
    .where(eq(prefixes.deletionId, deletionId));
  return prefixRowsByIds(db, ids);
}

/** Prefix rows by id, in id order (deleted or not). */
export async function prefixRowsByIds(db: Db, ids: readonly number[]): Promise<PrefixRow[]> {
  const out: PrefixRow[] = [];
  for (let i = 0; i < ids.length; i += CHUNK)
    out.push(
      ...(await db
        .select()
        .from(prefixes)
        .where(inArray(prefixes.id, ids.slice(i, i + CHUNK)))
        .orderBy(asc(prefixes.id))),
    );
  return out.sort((a, b) => a.id - b.id);
}

/** An account row whether deleted or not (restore reads a deleted one). */
export async function anyAccountById(db: Db, id: number): Promise<AccountRow | undefined> {
  return (await db.select().from(accounts).where(eq(accounts.id, id)).limit(1))[0];
}

/** The live account holding `key`, other than `exceptId`. */
export async function liveAccountWithKey(
  db: Db,
  key: string,
  exceptId: number,
): Promise<AccountRow | undefined> {
  return (
    await db
      .select()
      .from(accounts)
      .where(and(eq(accounts.key, key), isNull(accounts.deletedAt), sql`${accounts.id} <> ${exceptId}`))
      .limit(1)
  )[0];
}

export async function markAccountDeleted(
  db: Db,
  id: number,
  deletion: Pick<DeletionRow, "id" | "deletedAt" | "deletedBy">,
): Promise<AccountRow> {
  const [row] = await db
    .update(accounts)
    .set({
      deletedAt: deletion.deletedAt,
      deletedBy: deletion.deletedBy,
      deletionId: deletion.id,
      updatedAt: deletion.deletedAt,
    })
    .where(eq(accounts.id, id))
    .returning();
  return row!;
}

export async function unmarkAccount(db: Db, id: number, now: string): Promise<AccountRow> {
  const [row] = await db
    .update(accounts)
    .set({ deletedAt: null, deletedBy: null, deletionId: null, updatedAt: now })
    .where(eq(accounts.id, id))
    .returning();
  return row!;
}

/**
 * What the cloud showed of an account (resources and their CIDRs, drift items, sync state): a delete removes it
 * (as the hard delete's cascade did); it is observation, not plan, and the next sync of a restored account reads
 * it again.
 */
export async function deleteCloudStateOfAccount(db: Db, accountId: number): Promise<void> {
  await db.delete(driftItems).where(eq(driftItems.accountId, accountId));
  await db.delete(syncState).where(eq(syncState.accountId, accountId));
  await db.delete(cloudResources).where(eq(cloudResources.accountId, accountId));
}

/**
 * Removes for ever the soft-deleted prefix rows of a scope that is being deleted (they cannot come back without
 * it), and the delete operations of pools and reservations left without rows. An account delete keeps its other
 * rows. Returns the number of rows removed.
 */
export async function discardDeletedInScope(db: Db, scopeId: number): Promise<number> {
  const removed = await db
    .delete(prefixes)
    .where(and(eq(prefixes.scopeId, scopeId), isNotNull(prefixes.deletedAt)))
    .returning({ id: prefixes.id });
  await db
    .delete(deletions)
    .where(
      and(
        inArray(deletions.subjectType, ["Pool", "Reservation"]),
        sql`NOT EXISTS (SELECT 1 FROM ${prefixes} WHERE ${prefixes.deletionId} = ${deletions.id})`,
      ),
    );
  return removed.length;
}

export async function deleteDeletion(db: Db, id: number): Promise<void> {
  await db.delete(deletions).where(eq(deletions.id, id));
}

/** Delete operations older than `cutoff` (ISO time), oldest first, at most `limit`. O(log n + limit). */
export async function expiredDeletions(db: Db, cutoff: string, limit: number): Promise<DeletionRow[]> {
  return db
    .select()
    .from(deletions)
    .where(lt(deletions.deletedAt, cutoff))
    .orderBy(asc(deletions.deletedAt), asc(deletions.id))
    .limit(limit);
}

/**
 * Removes for ever what one delete operation marked: its prefix rows (free blocks and idempotency keys go with
 * them by their foreign keys; drift items lose the reference), its account row (with what still references it:
 * the account id of history rows brought back by another restore is cleared), and the operation. Events stay.
 * One DELETE per table: foreign keys between rows of one statement are checked at its end on both backends.
 * Returns the number of rows removed.
 */
export async function purgeDeletion(db: Db, deletion: DeletionRow): Promise<number> {
  const removed = await db
    .delete(prefixes)
    .where(eq(prefixes.deletionId, deletion.id))
    .returning({ id: prefixes.id });
  let n = removed.length;
  const account = await db
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.deletionId, deletion.id));
  for (const a of account) {
    await db
      .update(prefixes)
      .set({ accountId: null })
      .where(and(eq(prefixes.accountId, a.id), isNotNull(prefixes.accountId)));
    await db.delete(accounts).where(eq(accounts.id, a.id));
    n++;
  }
  await deleteDeletion(db, deletion.id);
  return n;
}
