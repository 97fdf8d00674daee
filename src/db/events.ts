/** Event log queries. `id` is the global cursor: every read here is "rows after an id", in id order. */
import { and, asc, count, eq, gt, gte, inArray, like, lt, max, or, sql, type SQL } from "drizzle-orm";
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

/** Appends one event row inside the caller's transaction; returns it with its id. O(log n). */
export function insertEvent(db: Db, row: NewEventRow): EventRow {
  return preparedInsert(db, events, row);
}

/** Appends many events in id order, 100 rows per statement (bulk findings of a sync). */
export function insertEvents(db: Db, rows: readonly NewEventRow[]): EventRow[] {
  const out: EventRow[] = [];
  for (let i = 0; i < rows.length; i += 100) {
    out.push(
      ...db
        .insert(events)
        .values(rows.slice(i, i + 100))
        .returning()
        .all(),
    );
  }
  return out;
}

/** Up to `limit` events with id > `afterId`, oldest first. O(log n + limit) on the primary key. */
const preparedAfter = new WeakMap<Db, { all(params: { afterId: number; limit: number }): EventRow[] }>();

/** Events after a cursor, oldest first: the one read path of subscriptions and webhooks. O(log n + limit). */
export function eventsAfter(db: Db, afterId: number, limit: number): EventRow[] {
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

/** The id of the newest event (0 when the log is empty). O(log n). */
export function lastEventId(db: Db): number {
  return (
    db
      .select({ id: max(events.id) })
      .from(events)
      .get()?.id ?? 0
  );
}

export function eventsByIds(db: Db, ids: readonly number[]): EventRow[] {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(events)
    .where(inArray(events.id, [...ids]))
    .all();
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
export function eventsPage(db: Db, filter: EventRowFilter, page: ResolvedPage): Page<EventRow> {
  const rows = db
    .select()
    .from(events)
    .where(and(filterWhere(filter), keysetWhere(page, events.id, events.id)))
    .orderBy(...keysetOrder(page, events.id, events.id))
    .limit(page.limit + 1)
    .all();
  return toPage(page, rows, (r) => [r.id, r.id]);
}

export function countEvents(db: Db, filter: EventRowFilter): number {
  return db.select({ n: count() }).from(events).where(filterWhere(filter)).get()?.n ?? 0;
}
