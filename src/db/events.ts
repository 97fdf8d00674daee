/** Event log queries. */
import { events } from "./schema.js";
import type { Db } from "./store.js";

export type EventRow = typeof events.$inferSelect;
export type NewEventRow = typeof events.$inferInsert;

/** Appends one event row inside the caller's transaction; returns it with its id. O(log n). */
export function insertEvent(db: Db, row: NewEventRow): EventRow {
  return db.insert(events).values(row).returning().get();
}
