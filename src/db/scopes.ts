/**
 * Scope rows (address spaces) and scope links. Await style, dialect-neutral (./README.md): the same code runs
 * on SQLite and, through `asDb`, on PostgreSQL; test/postgres/scopes-db.test.ts runs it on both.
 */
import { and, asc, count, eq, inArray, isNull, or } from "drizzle-orm";
import { keysetOrder, keysetWhere, toPage, type Page, type ResolvedPage } from "./pagination.js";
import { prefixes, scopeLinks, scopes } from "./schema.js";
import { isPg } from "./dialect.js";
import { placeholder, preparedQuery } from "./prepared.js";
import type { PrefixRow } from "./prefixes.js";
import type { Db } from "./store.js";

export type ScopeRow = typeof scopes.$inferSelect;
export type NewScopeRow = typeof scopes.$inferInsert;

export async function insertScope(db: Db, row: NewScopeRow): Promise<ScopeRow> {
  const [inserted] = await db.insert(scopes).values(row).returning();
  return inserted!;
}

export async function scopeById(db: Db, id: number): Promise<ScopeRow | undefined> {
  return (await db.select().from(scopes).where(eq(scopes.id, id)).limit(1))[0];
}

export async function scopeByName(db: Db, name: string): Promise<ScopeRow | undefined> {
  return (await db.select().from(scopes).where(eq(scopes.name, name)).limit(1))[0];
}

export async function scopesByIds(db: Db, ids: readonly number[]): Promise<ScopeRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(scopes)
    .where(inArray(scopes.id, [...ids]));
}

/** The scope created by the migrator; prefixes without an explicit scope live here. */
export async function defaultScope(db: Db): Promise<ScopeRow> {
  const [row] = await db.select().from(scopes).where(eq(scopes.isDefault, true)).limit(1);
  if (!row) throw new Error("the default scope is missing (run `cloudpam migrate up`)");
  return row;
}

/** Every scope id, in id order (there are few: one per VRF). */
export async function allScopeIds(db: Db): Promise<number[]> {
  const rows = await db.select({ id: scopes.id }).from(scopes).orderBy(asc(scopes.id));
  return rows.map((r) => r.id);
}

/** One keyset page of scopes in creation (id) order. O(log n + page). */
export async function scopesPage(db: Db, page: ResolvedPage): Promise<Page<ScopeRow>> {
  const rows = await db
    .select()
    .from(scopes)
    .where(keysetWhere(page, scopes.id, scopes.id))
    .orderBy(...keysetOrder(page, scopes.id, scopes.id))
    .limit(page.limit + 1);
  return toPage(page, rows, (r) => [r.id, r.id]);
}

export async function countScopes(db: Db): Promise<number> {
  return (await db.select({ n: count() }).from(scopes))[0]?.n ?? 0;
}

export async function updateScopeRow(db: Db, id: number, set: Partial<NewScopeRow>): Promise<ScopeRow> {
  const [row] = await db
    .update(scopes)
    .set({ ...set, updatedAt: new Date().toISOString() })
    .where(eq(scopes.id, id))
    .returning();
  return row!;
}

export async function deleteScopeRow(db: Db, id: number): Promise<void> {
  await db.delete(scopes).where(eq(scopes.id, id));
}

/**
 * Some prefix of the scope (live or history; soft-deleted rows, issue #18, do not count), to name in a "scope is
 * not empty" conflict.
 */
export async function anyPrefixInScope(db: Db, scopeId: number): Promise<PrefixRow | undefined> {
  return (
    await db
      .select()
      .from(prefixes)
      .where(and(eq(prefixes.scopeId, scopeId), isNull(prefixes.deletedAt)))
      .limit(1)
  )[0];
}

export type ScopeLinkRow = typeof scopeLinks.$inferSelect;

/** The pair as stored: lower id first. */
function ordered(a: number, b: number): [number, number] {
  return a < b ? [a, b] : [b, a];
}

const linkedWhere = (id: number | ReturnType<typeof placeholder<"id">>) =>
  or(eq(scopeLinks.scopeId, id), eq(scopeLinks.linkedScopeId, id));

/** The scopes linked to `scopeId`, in id order. O(links). */
export async function linkedScopeIds(db: Db, scopeId: number): Promise<number[]> {
  const columns = { a: scopeLinks.scopeId, b: scopeLinks.linkedScopeId };
  const rows = isPg(db)
    ? await db.select(columns).from(scopeLinks).where(linkedWhere(scopeId))
    : // Prepared once per connection on SQLite: every allocation asks (issue #14).
      preparedQuery<{ a: number; b: number }>(db, "linkedScopeIds", (d) =>
        d
          .select(columns)
          .from(scopeLinks)
          .where(linkedWhere(placeholder("id"))),
      ).all({ id: scopeId });
  return rows.map((r) => (r.a === scopeId ? r.b : r.a)).sort((x, y) => x - y);
}

export async function scopeLinkRow(db: Db, a: number, b: number): Promise<ScopeLinkRow | undefined> {
  const [x, y] = ordered(a, b);
  return (
    await db
      .select()
      .from(scopeLinks)
      .where(and(eq(scopeLinks.scopeId, x), eq(scopeLinks.linkedScopeId, y)))
      .limit(1)
  )[0];
}

export async function insertScopeLink(db: Db, a: number, b: number): Promise<ScopeLinkRow> {
  const [x, y] = ordered(a, b);
  const [row] = await db.insert(scopeLinks).values({ scopeId: x, linkedScopeId: y }).returning();
  return row!;
}

export async function deleteScopeLink(db: Db, a: number, b: number): Promise<void> {
  const [x, y] = ordered(a, b);
  await db.delete(scopeLinks).where(and(eq(scopeLinks.scopeId, x), eq(scopeLinks.linkedScopeId, y)));
}

/** Live prefixes of the scope with no parent (every live prefix lies inside one), in address order. */
export async function topLevelLive(db: Db, scopeId: number): Promise<PrefixRow[]> {
  return db
    .select()
    .from(prefixes)
    .where(and(eq(prefixes.scopeId, scopeId), isNull(prefixes.parentId), isNull(prefixes.releasedAt)))
    .orderBy(asc(prefixes.family), asc(prefixes.rangeStart));
}
