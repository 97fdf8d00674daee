/** Drift items: findings of reconciliation, OPEN until they disappear (RESOLVED) or someone IGNOREs them. */
import { and, count, eq, inArray, type SQL } from "drizzle-orm";
import { keysetOrder, keysetWhere, toPage, type Page, type ResolvedPage } from "./pagination.js";
import { driftItems } from "./schema.js";
import type { Db } from "./store.js";

export type DriftRow = typeof driftItems.$inferSelect;
export type NewDriftRow = typeof driftItems.$inferInsert;

/** OPEN and IGNORED items of an account: what a new sync compares its findings with. */
export function activeDriftOfAccount(db: Db, accountId: number): DriftRow[] {
  return db
    .select()
    .from(driftItems)
    .where(and(eq(driftItems.accountId, accountId), inArray(driftItems.status, ["OPEN", "IGNORED"])))
    .all();
}

export function insertDrift(db: Db, rows: NewDriftRow[]): DriftRow[] {
  const out: DriftRow[] = [];
  for (let i = 0; i < rows.length; i += 100)
    out.push(
      ...db
        .insert(driftItems)
        .values(rows.slice(i, i + 100))
        .returning()
        .all(),
    );
  return out;
}

export function updateDrift(db: Db, id: number, patch: Partial<NewDriftRow>): DriftRow {
  return db
    .update(driftItems)
    .set({ ...patch, updatedAt: new Date().toISOString() })
    .where(eq(driftItems.id, id))
    .returning()
    .get();
}

export function driftById(db: Db, id: number): DriftRow | undefined {
  return db.select().from(driftItems).where(eq(driftItems.id, id)).get();
}

export function driftByIds(db: Db, ids: readonly number[]): DriftRow[] {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(driftItems)
    .where(inArray(driftItems.id, [...ids]))
    .all();
}

export function openDriftByFingerprint(db: Db, fingerprint: string): DriftRow | undefined {
  return db
    .select()
    .from(driftItems)
    .where(and(eq(driftItems.fingerprint, fingerprint), eq(driftItems.status, "OPEN")))
    .get();
}

/** OPEN items about one cloud resource (adoption resolves its UNMANAGED ones). */
export function openDriftOfResource(db: Db, resourceRowId: number): DriftRow[] {
  return db
    .select()
    .from(driftItems)
    .where(and(eq(driftItems.resourceId, resourceRowId), eq(driftItems.status, "OPEN")))
    .all();
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
export function driftPage(db: Db, f: DriftRowFilter, page: ResolvedPage): Page<DriftRow> {
  const rows = db
    .select()
    .from(driftItems)
    .where(and(driftWhere(f), keysetWhere(page, driftItems.id, driftItems.id)))
    .orderBy(...keysetOrder(page, driftItems.id, driftItems.id))
    .limit(page.limit + 1)
    .all();
  return toPage(page, rows, (r) => [r.id, r.id]);
}

export function countDrift(db: Db, f: DriftRowFilter): number {
  return db.select({ n: count() }).from(driftItems).where(driftWhere(f)).get()?.n ?? 0;
}
