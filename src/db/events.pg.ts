/**
 * The event log on PostgreSQL, in commit order (./README.md, "Events in commit order").
 *
 * A sequence alone is not commit order: A takes id 10, B takes 11, B commits first, and a reader that
 * saw 11 moves its cursor past 10 before 10 is visible. So ids are handed out under a
 * transaction-scoped advisory lock (`EVENTS_LOCK_KEY`): the first `appendEvents` of a transaction
 * takes it and holds it until COMMIT or ROLLBACK. PostgreSQL makes a commit visible before it releases
 * the transaction's locks, so when the next transaction gets the lock and takes id n+1, every id <= n
 * is already committed (or rolled back, leaving a gap no one will ever fill). A reader that sees id n
 * therefore sees every committed id below it: "after cursor" never skips anything, across replicas.
 * The same transaction's NOTIFY wakes every replica at commit.
 *
 * Cost: event-writing transactions serialise from their first event to their commit (not over their
 * whole body), so domain code appends its events last.
 */
import { asc, gt, max, sql } from "drizzle-orm";
import { events } from "./schema.pg.js";
import { COMMIT_CHANNEL, type PgDb, type PgTx } from "./store.pg.js";

export type PgEventRow = typeof events.$inferSelect;
export type NewPgEventRow = typeof events.$inferInsert;

/** pg_advisory_xact_lock key of the event append ("evnt" in ASCII). */
export const EVENTS_LOCK_KEY = 0x65766e74;

/**
 * Appends events in the caller's transaction, with ids in commit order across every process on the
 * database; returns them with their ids. Notifies `COMMIT_CHANNEL` with the connection's
 * application_name (delivered at commit; the committing replica ignores its own).
 */
export async function appendEvents(tx: PgTx, rows: readonly NewPgEventRow[]): Promise<PgEventRow[]> {
  if (rows.length === 0) return [];
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${EVENTS_LOCK_KEY})`);
  const out: PgEventRow[] = [];
  for (let i = 0; i < rows.length; i += 100) {
    out.push(
      ...(await tx
        .insert(events)
        .values(rows.slice(i, i + 100))
        .returning()),
    );
  }
  await tx.execute(sql`SELECT pg_notify(${COMMIT_CHANNEL}, current_setting('application_name'))`);
  return out;
}

/** Up to `limit` committed events with id > `afterId`, oldest first. O(log n + limit). */
export async function pgEventsAfter(db: PgDb | PgTx, afterId: number, limit: number): Promise<PgEventRow[]> {
  return db.select().from(events).where(gt(events.id, afterId)).orderBy(asc(events.id)).limit(limit);
}

export async function pgLastEventId(db: PgDb | PgTx): Promise<number> {
  const [row] = await db.select({ id: max(events.id) }).from(events);
  return row?.id ?? 0;
}
