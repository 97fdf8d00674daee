/** Scope rows (address spaces). */
import { and, asc, count, eq, inArray, isNull, or } from "drizzle-orm";
import { keysetOrder, keysetWhere, toPage, type Page, type ResolvedPage } from "./pagination.js";
import { prefixes, scopeLinks, scopes } from "./schema.js";
import { placeholder, preparedQuery } from "./prepared.js";
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

export type ScopeLinkRow = typeof scopeLinks.$inferSelect;

/** The pair as stored: lower id first. */
function ordered(a: number, b: number): [number, number] {
  return a < b ? [a, b] : [b, a];
}

/** The scopes linked to `scopeId`, in id order. O(links). */
export function linkedScopeIds(db: Db, scopeId: number): number[] {
  // Prepared once per connection: every allocation asks (issue #14).
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

export function scopeLinkRow(db: Db, a: number, b: number): ScopeLinkRow | undefined {
  const [x, y] = ordered(a, b);
  return db
    .select()
    .from(scopeLinks)
    .where(and(eq(scopeLinks.scopeId, x), eq(scopeLinks.linkedScopeId, y)))
    .get();
}

export function insertScopeLink(db: Db, a: number, b: number): ScopeLinkRow {
  const [x, y] = ordered(a, b);
  return db.insert(scopeLinks).values({ scopeId: x, linkedScopeId: y }).returning().get();
}

export function deleteScopeLink(db: Db, a: number, b: number): void {
  const [x, y] = ordered(a, b);
  db.delete(scopeLinks)
    .where(and(eq(scopeLinks.scopeId, x), eq(scopeLinks.linkedScopeId, y)))
    .run();
}

/** Live prefixes of the scope with no parent (every live prefix lies inside one), in address order. */
export function topLevelLive(db: Db, scopeId: number) {
  return db
    .select()
    .from(prefixes)
    .where(and(eq(prefixes.scopeId, scopeId), isNull(prefixes.parentId), isNull(prefixes.releasedAt)))
    .orderBy(asc(prefixes.family), asc(prefixes.rangeStart))
    .all();
}
