/**
 * TRANSITIONAL, SQLite only: the synchronous forms of scope and account reads and of the event append, for
 * domain code that is not yet in await style (pools, allocations, reservations, plans, placement, pool
 * lifecycle, reconcile actuation, cloud sync: being converted under #15). They import these under the async
 * functions' names (`import { scopeByIdSync as scopeById } …`), so converting a caller is: import from
 * ./scopes.js instead and `await` the call. Delete this file when nothing imports it. Never for new code:
 * on a PostgreSQL handle every function here throws.
 */
import { asc, eq, or } from "drizzle-orm";
import { accounts, events, scopeLinks, scopes } from "./schema.js";
import type { AccountRow } from "./accounts.js";
import type { EventRow, NewEventRow } from "./events.js";
import { isPg } from "./dialect.js";
import { placeholder, preparedInsert, preparedQuery } from "./prepared.js";
import type { ScopeRow } from "./scopes.js";
import type { Db } from "./store.js";

function sqliteOnly(db: Db, name: string): void {
  if (isPg(db))
    throw new Error(`${name}: a SQLite-only transitional form; await the function of src/db instead`);
}

/** @deprecated transitional: `await scopeById(db, id)` (./scopes.ts). */
export function scopeByIdSync(db: Db, id: number): ScopeRow | undefined {
  sqliteOnly(db, "scopeByIdSync");
  return db.select().from(scopes).where(eq(scopes.id, id)).get();
}

/** @deprecated transitional: `await scopeByName(db, name)` (./scopes.ts). */
export function scopeByNameSync(db: Db, name: string): ScopeRow | undefined {
  sqliteOnly(db, "scopeByNameSync");
  return db.select().from(scopes).where(eq(scopes.name, name)).get();
}

/** @deprecated transitional: `await defaultScope(db)` (./scopes.ts). */
export function defaultScopeSync(db: Db): ScopeRow {
  sqliteOnly(db, "defaultScopeSync");
  const row = db.select().from(scopes).where(eq(scopes.isDefault, true)).get();
  if (!row) throw new Error("the default scope is missing (run `cloudpam migrate up`)");
  return row;
}

/** @deprecated transitional: `await allScopeIds(db)` (./scopes.ts). */
export function allScopeIdsSync(db: Db): number[] {
  sqliteOnly(db, "allScopeIdsSync");
  return db
    .select({ id: scopes.id })
    .from(scopes)
    .orderBy(asc(scopes.id))
    .all()
    .map((r) => r.id);
}

/** @deprecated transitional: `await linkedScopeIds(db, id)` (./scopes.ts). */
export function linkedScopeIdsSync(db: Db, scopeId: number): number[] {
  sqliteOnly(db, "linkedScopeIdsSync");
  // The statement ./scopes.ts prepares under the same name (the allocate hot path asks, #14).
  return preparedQuery<{ a: number; b: number }>(db, "linkedScopeIds", (d) =>
    d
      .select({ a: scopeLinks.scopeId, b: scopeLinks.linkedScopeId })
      .from(scopeLinks)
      .where(or(eq(scopeLinks.scopeId, placeholder("id")), eq(scopeLinks.linkedScopeId, placeholder("id")))),
  )
    .all({ id: scopeId })
    .map((r) => (r.a === scopeId ? r.b : r.a))
    .sort((x, y) => x - y);
}

/** @deprecated transitional: `await accountById(db, id)` (./accounts.ts). */
export function accountByIdSync(db: Db, id: number): AccountRow | undefined {
  sqliteOnly(db, "accountByIdSync");
  // The statement ./accounts.ts prepares under the same name.
  return preparedQuery<AccountRow>(db, "accountById", (d) =>
    d
      .select()
      .from(accounts)
      .where(eq(accounts.id, placeholder("id"))),
  ).get({ id });
}

/** @deprecated transitional: `await appendEventRows(db, rows)` (./events.ts). */
export function appendEventRowsSync(db: Db, rows: readonly NewEventRow[]): EventRow[] {
  sqliteOnly(db, "appendEventRowsSync");
  if (rows.length === 1) return [preparedInsert(db, events, rows[0]!)];
  const out: EventRow[] = [];
  for (let i = 0; i < rows.length; i += 100)
    out.push(
      ...db
        .insert(events)
        .values(rows.slice(i, i + 100))
        .returning()
        .all(),
    );
  return out;
}
