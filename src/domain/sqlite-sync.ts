/**
 * TRANSITIONAL, SQLite only: synchronous forms of `appendEvent`, `appendEvents`, `requireScope` and
 * `requireAccount` for domain code not yet in await style (pools, allocations, reservations, plans, pool
 * lifecycle, reconcile actuation: being converted under #15). Callers import them under the async names
 * (`import { appendEventSync as appendEvent } from "./sqlite-sync.js"`), so converting a caller is: import
 * from ./events.js / ./scopes.js / ./validation.js instead and `await` the call. Delete this file (and
 * src/db/sqlite-sync.ts) when nothing imports it; never for new code (on PostgreSQL every function throws).
 */
import { accountByIdSync, appendEventRowsSync, scopeByIdSync } from "../db/sqlite-sync.js";
import { noteCommit, type Db } from "../db/store.js";
import type { AccountRow } from "../db/accounts.js";
import type { EventRow } from "../db/events.js";
import type { ScopeRow } from "../db/scopes.js";
import type { Caller } from "./caller.js";
import { NotFound } from "./errors.js";
import { CommittedEvent, eventRow, type EventInput } from "./events.js";

/** @deprecated transitional: `await appendEvent(db, caller, event)` (./events.ts). */
export function appendEventSync(db: Db, caller: Caller, event: EventInput): EventRow {
  const [row] = appendEventRowsSync(db, [eventRow(caller, event)]);
  noteCommit(db, new CommittedEvent(row!));
  return row!;
}

/** @deprecated transitional: `await appendEvents(db, caller, list)` (./events.ts). */
export function appendEventsSync(db: Db, caller: Caller, list: readonly EventInput[]): EventRow[] {
  if (list.length === 0) return [];
  const rows = appendEventRowsSync(
    db,
    list.map((e) => eventRow(caller, e)),
  );
  for (const row of rows) noteCommit(db, new CommittedEvent(row));
  return rows;
}

/** @deprecated transitional: `await requireScope(db, id, field)` (./scopes.ts). */
export function requireScopeSync(db: Db, id: number, field = "scopeId"): ScopeRow {
  const row = scopeByIdSync(db, id);
  if (!row) throw new NotFound("Scope", id, field);
  return row;
}

/** @deprecated transitional: `await requireAccount(db, id, field)` (./validation.ts). */
export function requireAccountSync(db: Db, id: number, field: string): AccountRow {
  const row = accountByIdSync(db, id);
  if (!row) throw new NotFound("Account", id, field);
  return row;
}
