/**
 * Event log queries. `id` is the global cursor: every read here is "rows after an id", in id order.
 * Await style, dialect-neutral (./README.md); the append goes through ./events.pg.ts on PostgreSQL (commit-order
 * ids), and the two hot statements stay prepared per connection on SQLite. test/postgres/events-db.test.ts runs
 * this module on both backends.
 */
import { and, asc, count, eq, gt, gte, inArray, like, lt, max, or, sql, type SQL } from "drizzle-orm";
import { isPg, pgHandle } from "./dialect.js";
import { appendEvents as pgAppendEvents } from "./events.pg.js";
import { preparedInsert } from "./prepared.js";
import { events } from "./schema.js";
import type { Db } from "./store.js";
import { keysetOrder, keysetWhere, toPage, type Page, type ResolvedPage } from "./pagination.js";

export type EventRow = typeof events.$inferSelect;
export type NewEventRow = typeof events.$inferInsert;

/** What the audit log can be filtered by; every field narrows the result. */
export interface EventRowFilter {
  /** Exact types (`pool.created`) or prefixes (`allocation.` for `allocation.*`). */
  types?: { exact: string[]; prefixes: string[] } | null;
  subjectType?: string | null;
  subjectId?: string | null;
  actor?: string | null;
  /** ISO-8601 bounds on created_at: from inclusive, to exclusive. */
  from?: string | null;
  to?: string | null;
}

/**
 * Appends event rows inside the caller's write transaction, in order; returns them with their ids. The one
 * append path of the domain (`appendEvent`), so ids are in commit order on both backends (./README.md,
 * "Events in commit order"): on SQLite the single writer makes them so (one prepared insert per row: O(log n)
 * each); on PostgreSQL `appendEvents` (./events.pg.ts) takes the event lock held until commit and NOTIFYs every
 * replica. Call it last in a transaction: on PostgreSQL event-writing transactions serialise from here to
 * their commit.
 */
export async function appendEventRows(db: Db, rows: readonly NewEventRow[]): Promise<EventRow[]> {
  if (rows.length === 0) return [];
  if (isPg(db)) return (await pgAppendEvents(pgHandle(db), rows)) as EventRow[];
  if (rows.length === 1) return [preparedInsert(db, events, rows[0]!)];
  // Many rows (bulk findings of a sync, a plan): 100 rows per statement.
  const out: EventRow[] = [];
  for (let i = 0; i < rows.length; i += 100) {
    out.push(
      ...(await db
        .insert(events)
        .values(rows.slice(i, i + 100))
        .returning()),
    );
  }
  return out;
}

/** Events after a cursor, oldest first: the one read path of subscriptions and webhooks. O(log n + limit). */
export async function eventsAfter(db: Db, afterId: number, limit: number): Promise<EventRow[]> {
  if (isPg(db))
    return db.select().from(events).where(gt(events.id, afterId)).orderBy(asc(events.id)).limit(limit);
  // SQLite: prepared once per connection (every subscriber and webhook worker polls it).
  let q = preparedAfter.get(db);
  if (!q) {
    q = db
      .select()
      .from(events)
      .where(gt(events.id, sql.placeholder("afterId")))
      .orderBy(asc(events.id))
      .limit(sql.placeholder("limit"))
      .prepare();
    preparedAfter.set(db, q);
  }
  return q.all({ afterId, limit });
}

const preparedAfter = new WeakMap<Db, { all(params: { afterId: number; limit: number }): EventRow[] }>();

/** The id of the newest event (0 when the log is empty). O(log n). */
export async function lastEventId(db: Db): Promise<number> {
  return (await db.select({ id: max(events.id) }).from(events))[0]?.id ?? 0;
}

export async function eventsByIds(db: Db, ids: readonly number[]): Promise<EventRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(events)
    .where(inArray(events.id, [...ids]));
}

function filterWhere(f: EventRowFilter): SQL | undefined {
  const parts: (SQL | undefined)[] = [];
  if (f.types) {
    const alternatives: (SQL | undefined)[] = [];
    if (f.types.exact.length) alternatives.push(inArray(events.type, f.types.exact));
    for (const p of f.types.prefixes) alternatives.push(like(events.type, `${p}%`));
    // An empty list of types matches nothing (the caller asked for no types).
    parts.push(alternatives.length ? or(...alternatives) : eq(events.id, -1));
  }
  if (f.subjectType) parts.push(eq(events.subjectType, f.subjectType));
  if (f.subjectId) parts.push(eq(events.subjectId, f.subjectId));
  if (f.actor) parts.push(eq(events.actor, f.actor));
  if (f.from) parts.push(gte(events.createdAt, f.from));
  if (f.to) parts.push(lt(events.createdAt, f.to));
  return and(...parts);
}

/** One keyset page of the audit log, ordered by id. O(log n + page) for id-only filters. */
export async function eventsPage(
  db: Db,
  filter: EventRowFilter,
  page: ResolvedPage,
): Promise<Page<EventRow>> {
  const rows = await db
    .select()
    .from(events)
    .where(and(filterWhere(filter), keysetWhere(page, events.id, events.id)))
    .orderBy(...keysetOrder(page, events.id, events.id))
    .limit(page.limit + 1);
  return toPage(page, rows, (r) => [r.id, r.id]);
}

export async function countEvents(db: Db, filter: EventRowFilter): Promise<number> {
  return (await db.select({ n: count() }).from(events).where(filterWhere(filter)))[0]?.n ?? 0;
}
