/**
 * Drizzle prepared queries for the hot paths, built once per connection (and per set of columns given for an
 * insert) instead of rebuilding the SQL on every call: drizzle's query building and SQL generation was about
 * half of an allocation's SQL cost (bench/README.md). Values are bound as placeholders, through each column's
 * driver mapping, and the rows come back mapped as from the unprepared query.
 */
import { sql, type Placeholder } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./store.js";

interface Prepared<R> {
  get(values: Record<string, unknown>): R | undefined;
  all(values: Record<string, unknown>): R[];
  run(values: Record<string, unknown>): unknown;
}

const inserts = new WeakMap<Db, Map<SQLiteTable, Map<string, Prepared<unknown>>>>();

/**
 * `db.insert(table).values(row).returning().get()`, prepared per set of defined columns (the others get their
 * SQL defaults, as in the unprepared insert). `returning: false` runs it without reading the row back.
 */
export function preparedInsert<T extends SQLiteTable>(
  db: Db,
  table: T,
  row: T["$inferInsert"],
  returning = true,
): T["$inferSelect"] {
  const values = row as Record<string, unknown>;
  const columns = Object.keys(values)
    .filter((k) => values[k] !== undefined)
    .sort();
  let byTable = inserts.get(db);
  if (!byTable) inserts.set(db, (byTable = new Map()));
  let byColumns = byTable.get(table);
  if (!byColumns) byTable.set(table, (byColumns = new Map()));
  const key = `${returning ? "r" : "n"}:${columns.join(",")}`;
  let q = byColumns.get(key);
  if (!q) {
    const placeholders = Object.fromEntries(columns.map((c) => [c, sql.placeholder(c)]));
    const insert = db.insert(table).values(placeholders as never);
    q = (returning ? insert.returning().prepare() : insert.prepare()) as unknown as Prepared<unknown>;
    byColumns.set(key, q);
  }
  if (!returning) {
    q.run(values);
    return undefined as never;
  }
  return q.get(values) as T["$inferSelect"];
}

const selects = new WeakMap<Db, Map<string, Prepared<unknown>>>();

/** A select prepared once per connection under `name`; `build` makes it (with `sql.placeholder`s). */
export function preparedQuery<R>(
  db: Db,
  name: string,
  build: (db: Db) => { prepare(): unknown },
): Prepared<R> {
  let byName = selects.get(db);
  if (!byName) selects.set(db, (byName = new Map()));
  let q = byName.get(name);
  if (!q) byName.set(name, (q = build(db).prepare() as Prepared<unknown>));
  return q as Prepared<R>;
}

export const placeholder = <N extends string>(name: N): Placeholder<N> => sql.placeholder(name);
