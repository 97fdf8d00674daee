/**
 * Drift items: findings of reconciliation, OPEN until they disappear (RESOLVED) or someone IGNOREs them.
 * Await style, dialect-neutral (./README.md); test/postgres/drift-db.test.ts runs this module on both backends.
 */
import { and, count, eq, inArray, type SQL } from "drizzle-orm";
import { keysetOrder, keysetWhere, toPage, type Page, type ResolvedPage } from "./pagination.js";
import { driftItems } from "./schema.js";
import type { Db } from "./store.js";

export type DriftRow = typeof driftItems.$inferSelect;
export type NewDriftRow = typeof driftItems.$inferInsert;

/** OPEN and IGNORED items of an account: what a new sync compares its findings with. */
export async function activeDriftOfAccount(db: Db, accountId: number): Promise<DriftRow[]> {
  return db
    .select()
    .from(driftItems)
    .where(and(eq(driftItems.accountId, accountId), inArray(driftItems.status, ["OPEN", "IGNORED"])));
}

/** Inserts in order, 100 rows per statement; returns the rows with their ids. */
export async function insertDrift(db: Db, rows: NewDriftRow[]): Promise<DriftRow[]> {
  const out: DriftRow[] = [];
  for (let i = 0; i < rows.length; i += 100)
    out.push(
      ...(await db
        .insert(driftItems)
        .values(rows.slice(i, i + 100))
        .returning()),
    );
  return out;
}

export async function updateDrift(db: Db, id: number, patch: Partial<NewDriftRow>): Promise<DriftRow> {
  const [row] = await db
    .update(driftItems)
    .set({ ...patch, updatedAt: new Date().toISOString() })
    .where(eq(driftItems.id, id))
    .returning();
  return row!;
}

export async function driftById(db: Db, id: number): Promise<DriftRow | undefined> {
  return (await db.select().from(driftItems).where(eq(driftItems.id, id)).limit(1))[0];
}

export async function driftByIds(db: Db, ids: readonly number[]): Promise<DriftRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(driftItems)
    .where(inArray(driftItems.id, [...ids]));
}

export async function openDriftByFingerprint(db: Db, fingerprint: string): Promise<DriftRow | undefined> {
  return (
    await db
      .select()
      .from(driftItems)
      .where(and(eq(driftItems.fingerprint, fingerprint), eq(driftItems.status, "OPEN")))
      .limit(1)
  )[0];
}

/** OPEN items about one cloud resource (adoption resolves its UNMANAGED ones). */
export async function openDriftOfResource(db: Db, resourceRowId: number): Promise<DriftRow[]> {
  return db
    .select()
    .from(driftItems)
    .where(and(eq(driftItems.resourceId, resourceRowId), eq(driftItems.status, "OPEN")));
}

export interface DriftRowFilter {
  accountId?: number | null;
  kind?: string | null;
  status?: string | null;
  severity?: string | null;
}

function driftWhere(f: DriftRowFilter): SQL | undefined {
  return and(
    f.accountId != null ? eq(driftItems.accountId, f.accountId) : undefined,
    f.kind ? eq(driftItems.kind, f.kind) : undefined,
    f.status ? eq(driftItems.status, f.status) : undefined,
    f.severity ? eq(driftItems.severity, f.severity) : undefined,
  );
}

/** One keyset page in id (detection) order; drift_items_account_idx serves the per-account filter. */
export async function driftPage(db: Db, f: DriftRowFilter, page: ResolvedPage): Promise<Page<DriftRow>> {
  const rows = await db
    .select()
    .from(driftItems)
    .where(and(driftWhere(f), keysetWhere(page, driftItems.id, driftItems.id)))
    .orderBy(...keysetOrder(page, driftItems.id, driftItems.id))
    .limit(page.limit + 1);
  return toPage(page, rows, (r) => [r.id, r.id]);
}

export async function countDrift(db: Db, f: DriftRowFilter): Promise<number> {
  return (await db.select({ n: count() }).from(driftItems).where(driftWhere(f)))[0]?.n ?? 0;
}
