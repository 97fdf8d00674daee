/**
 * Change requests (destructive operations waiting for a second principal, issue #18), the approval policy
 * columns of their scope, and the few facts of a target they need. Await style, no SQLite-only calls, so
 * the same code runs on PostgreSQL.
 *
 * A PENDING row whose `expires_at` has passed counts as EXPIRED everywhere (filters and counts say so)
 * until a sweep or a decision writes EXPIRED; `now` is always passed in.
 */
import { and, count, eq, gt, inArray, isNull, lte, or, type SQL } from "drizzle-orm";
import { changeRequests, prefixes, scopes } from "./schema.js";
import type { Db } from "./store.js";
import { keysetOrder, keysetWhere, toPage, type Page, type ResolvedPage } from "./pagination.js";

export type ChangeRequestRow = typeof changeRequests.$inferSelect;
export type NewChangeRequestRow = typeof changeRequests.$inferInsert;

export async function insertChangeRequest(db: Db, row: NewChangeRequestRow): Promise<ChangeRequestRow> {
  const [inserted] = await db.insert(changeRequests).values(row).returning();
  return inserted!;
}

export async function changeRequestById(db: Db, id: number): Promise<ChangeRequestRow | undefined> {
  return (await db.select().from(changeRequests).where(eq(changeRequests.id, id)).limit(1))[0];
}

export async function changeRequestsByIds(db: Db, ids: readonly number[]): Promise<ChangeRequestRow[]> {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(changeRequests)
    .where(inArray(changeRequests.id, [...ids]));
}

/** Still open: PENDING, nobody has taken it up, and not past its expiry. */
function open(now: string): SQL {
  return and(
    eq(changeRequests.status, "PENDING"),
    isNull(changeRequests.decidedBy),
    gt(changeRequests.expiresAt, now),
  )!;
}

/** The open request for exactly this operation on this target with this input, if one exists. */
export async function openDuplicate(
  db: Db,
  row: Pick<ChangeRequestRow, "operation" | "targetType" | "targetId" | "input">,
  now: string,
): Promise<ChangeRequestRow | undefined> {
  return (
    await db
      .select()
      .from(changeRequests)
      .where(
        and(
          eq(changeRequests.targetType, row.targetType),
          eq(changeRequests.targetId, row.targetId),
          eq(changeRequests.operation, row.operation),
          eq(changeRequests.input, row.input),
          open(now),
        ),
      )
      .limit(1)
  )[0];
}

/**
 * Moves an open request to `set` (a decision, or the claim of an approval) in one conditional UPDATE, so of
 * two deciders racing on one request exactly one gets the row back; undefined for the other (and for a
 * request that is decided, taken up or expired).
 */
export async function decideOpen(
  db: Db,
  id: number,
  set: Partial<NewChangeRequestRow>,
  now: string,
): Promise<ChangeRequestRow | undefined> {
  return (
    await db
      .update(changeRequests)
      .set(set)
      .where(and(eq(changeRequests.id, id), open(now)))
      .returning()
  )[0];
}

/**
 * Moves a request from (`status`, decided by `decidedBy`) to `set`: the outcome of an approval (APPROVED →
 * FAILED inside its own transaction; a taken-up PENDING → APPROVED, FAILED or back to open). Undefined when
 * the request is no longer in that state.
 */
export async function settleChangeRequest(
  db: Db,
  id: number,
  from: { status: string; decidedBy: string },
  set: Partial<NewChangeRequestRow>,
): Promise<ChangeRequestRow | undefined> {
  return (
    await db
      .update(changeRequests)
      .set(set)
      .where(
        and(
          eq(changeRequests.id, id),
          eq(changeRequests.status, from.status),
          eq(changeRequests.decidedBy, from.decidedBy),
        ),
      )
      .returning()
  )[0];
}

/** How many PENDING requests are past their expiry (the sweep's cheap first look). */
export async function countDuePending(db: Db, now: string): Promise<number> {
  return (
    (
      await db
        .select({ n: count() })
        .from(changeRequests)
        .where(and(eq(changeRequests.status, "PENDING"), lte(changeRequests.expiresAt, now)))
    )[0]?.n ?? 0
  );
}

/** Writes EXPIRED on PENDING requests past their expiry (at most `limit`); returns the rows it changed. */
export async function expirePending(db: Db, now: string, limit: number): Promise<ChangeRequestRow[]> {
  const due = await db
    .select({ id: changeRequests.id })
    .from(changeRequests)
    .where(and(eq(changeRequests.status, "PENDING"), lte(changeRequests.expiresAt, now)))
    .orderBy(changeRequests.id)
    .limit(limit);
  if (due.length === 0) return [];
  return db
    .update(changeRequests)
    .set({ status: "EXPIRED", decidedAt: now })
    .where(
      and(
        inArray(
          changeRequests.id,
          due.map((r) => r.id),
        ),
        eq(changeRequests.status, "PENDING"),
        lte(changeRequests.expiresAt, now),
      ),
    )
    .returning();
}

export interface ChangeRequestRowFilter {
  statuses?: readonly string[] | null;
  operations?: readonly string[] | null;
  scopeId?: number | null;
  targetType?: string | null;
  targetId?: number | null;
}

/** A status as readers see it: PENDING past expiry is EXPIRED. */
function statusIs(status: string, now: string): SQL {
  if (status === "PENDING")
    return and(eq(changeRequests.status, "PENDING"), gt(changeRequests.expiresAt, now))!;
  if (status === "EXPIRED")
    return or(
      eq(changeRequests.status, "EXPIRED"),
      and(eq(changeRequests.status, "PENDING"), lte(changeRequests.expiresAt, now)),
    )!;
  return eq(changeRequests.status, status);
}

function filterWhere(f: ChangeRequestRowFilter, now: string): SQL | undefined {
  return and(
    f.statuses?.length ? or(...f.statuses.map((s) => statusIs(s, now))) : undefined,
    f.operations?.length ? inArray(changeRequests.operation, [...f.operations]) : undefined,
    f.scopeId != null ? eq(changeRequests.scopeId, f.scopeId) : undefined,
    f.targetType != null ? eq(changeRequests.targetType, f.targetType) : undefined,
    f.targetId != null ? eq(changeRequests.targetId, f.targetId) : undefined,
  );
}

/** One keyset page in request (id) order. */
export async function changeRequestsPage(
  db: Db,
  filter: ChangeRequestRowFilter,
  page: ResolvedPage,
  now: string,
): Promise<Page<ChangeRequestRow>> {
  const rows = await db
    .select()
    .from(changeRequests)
    .where(and(filterWhere(filter, now), keysetWhere(page, changeRequests.id, changeRequests.id)))
    .orderBy(...keysetOrder(page, changeRequests.id, changeRequests.id))
    .limit(page.limit + 1);
  return toPage(page, rows, (r) => [r.id, r.id]);
}

export async function countChangeRequests(
  db: Db,
  filter: ChangeRequestRowFilter,
  now: string,
): Promise<number> {
  return (await db.select({ n: count() }).from(changeRequests).where(filterWhere(filter, now)))[0]?.n ?? 0;
}

/** The approval policy columns of a scope (undefined when the scope does not exist). */
export async function scopeApprovalPolicy(db: Db, scopeId: number) {
  return (
    await db
      .select({
        deletePool: scopes.approveDeletePool,
        releaseAllocation: scopes.approveReleaseAllocation,
        actuation: scopes.approveActuation,
      })
      .from(scopes)
      .where(eq(scopes.id, scopeId))
      .limit(1)
  )[0];
}

/** What a change request needs to know of its target prefix: kind, scope, range, whether released. */
export async function prefixTarget(db: Db, id: number) {
  return (
    await db
      .select({
        id: prefixes.id,
        kind: prefixes.kind,
        scopeId: prefixes.scopeId,
        cidr: prefixes.cidr,
        name: prefixes.name,
        releasedAt: prefixes.releasedAt,
      })
      .from(prefixes)
      .where(eq(prefixes.id, id))
      .limit(1)
  )[0];
}
