/** Scope rows (address spaces). */
import { asc, count, eq, inArray } from "drizzle-orm";
import { keysetOrder, keysetWhere, toPage, type Page, type ResolvedPage } from "./pagination.js";
import { prefixes, scopes } from "./schema.js";
import type { Db } from "./store.js";

export type ScopeRow = typeof scopes.$inferSelect;
export type NewScopeRow = typeof scopes.$inferInsert;

export function insertScope(db: Db, row: NewScopeRow): ScopeRow {
  return db.insert(scopes).values(row).returning().get();
}

export function scopeById(db: Db, id: number): ScopeRow | undefined {
  return db.select().from(scopes).where(eq(scopes.id, id)).get();
}

export function scopeByName(db: Db, name: string): ScopeRow | undefined {
  return db.select().from(scopes).where(eq(scopes.name, name)).get();
}

export function scopesByIds(db: Db, ids: readonly number[]): ScopeRow[] {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(scopes)
    .where(inArray(scopes.id, [...ids]))
    .all();
}

/** The scope created by the migrator; prefixes without an explicit scope live here. */
export function defaultScope(db: Db): ScopeRow {
  const row = db.select().from(scopes).where(eq(scopes.isDefault, true)).get();
  if (!row) throw new Error("the default scope is missing (run `cloudpam migrate up`)");
  return row;
}

/** Every scope id, in id order (there are few: one per VRF). */
export function allScopeIds(db: Db): number[] {
  return db
    .select({ id: scopes.id })
    .from(scopes)
    .orderBy(asc(scopes.id))
    .all()
    .map((r) => r.id);
}

/** One keyset page of scopes in creation (id) order. O(log n + page). */
export function scopesPage(db: Db, page: ResolvedPage): Page<ScopeRow> {
  const rows = db
    .select()
    .from(scopes)
    .where(keysetWhere(page, scopes.id, scopes.id))
    .orderBy(...keysetOrder(page, scopes.id, scopes.id))
    .limit(page.limit + 1)
    .all();
  return toPage(page, rows, (r) => [r.id, r.id]);
}

export function countScopes(db: Db): number {
  return db.select({ n: count() }).from(scopes).get()?.n ?? 0;
}

export function updateScopeRow(db: Db, id: number, set: Partial<NewScopeRow>): ScopeRow {
  return db
    .update(scopes)
    .set({ ...set, updatedAt: new Date().toISOString() })
    .where(eq(scopes.id, id))
    .returning()
    .get();
}

export function deleteScopeRow(db: Db, id: number): void {
  db.delete(scopes).where(eq(scopes.id, id)).run();
}

/** Some prefix of the scope (live or history), to name in a "scope is not empty" conflict. */
export function anyPrefixInScope(db: Db, scopeId: number) {
  return db.select().from(prefixes).where(eq(prefixes.scopeId, scopeId)).limit(1).get();
}
