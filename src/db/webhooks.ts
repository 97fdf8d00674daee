/**
 * Webhook endpoints (with their outbox cursor) and the record of every delivery attempt.
 * Await style, no SQLite-only calls (`.all() / .get() / .run()`), so the same code runs on PostgreSQL
 * through `asDb` (store.pg.ts); test/postgres/webhooks-db.test.ts runs it on both.
 */
import {
  and,
  asc,
  count,
  desc,
  eq,
  getTableColumns,
  gt,
  inArray,
  isNull,
  lt,
  lte,
  or,
  sql,
} from "drizzle-orm";
import { webhookDeliveries, webhooks } from "./schema.js";
import type { Db } from "./store.js";
import { keysetOrder, keysetWhere, toPage, type Page, type ResolvedPage } from "./pagination.js";

export type WebhookRow = typeof webhooks.$inferSelect;
export type NewWebhookRow = typeof webhooks.$inferInsert;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export type NewDeliveryRow = typeof webhookDeliveries.$inferInsert;

export async function insertWebhook(db: Db, row: NewWebhookRow): Promise<WebhookRow> {
  const [inserted] = await db.insert(webhooks).values(row).returning();
  return inserted!;
}

export async function webhookById(db: Db, id: number): Promise<WebhookRow | undefined> {
  return (await db.select().from(webhooks).where(eq(webhooks.id, id)).limit(1))[0];
}

export async function updateWebhookRow(
  db: Db,
  id: number,
  set: Partial<NewWebhookRow>,
): Promise<WebhookRow | undefined> {
  return (await db.update(webhooks).set(set).where(eq(webhooks.id, id)).returning())[0];
}

export async function deleteWebhookRow(db: Db, id: number): Promise<void> {
  await db.delete(webhooks).where(eq(webhooks.id, id));
}

/** Ids of the webhooks that deliver. */
export async function activeWebhookIds(db: Db): Promise<number[]> {
  const rows = await db.select({ id: webhooks.id }).from(webhooks).where(eq(webhooks.active, true));
  return rows.map((r) => r.id);
}

export async function webhooksPage(db: Db, page: ResolvedPage): Promise<Page<WebhookRow>> {
  const rows = await db
    .select()
    .from(webhooks)
    .where(keysetWhere(page, webhooks.id, webhooks.id))
    .orderBy(...keysetOrder(page, webhooks.id, webhooks.id))
    .limit(page.limit + 1);
  return toPage(page, rows, (r) => [r.id, r.id]);
}

export async function countWebhooks(db: Db): Promise<number> {
  return (await db.select({ n: count() }).from(webhooks))[0]?.n ?? 0;
}

/**
 * Moves the outbox cursor forward (never back): the delivery of every event up to `eventId` is settled.
 * Returns false when the webhook is gone.
 */
export async function advanceWebhookCursor(db: Db, id: number, eventId: number): Promise<boolean> {
  await db
    .update(webhooks)
    .set({ cursor: eventId })
    .where(and(eq(webhooks.id, id), lt(webhooks.cursor, eventId)));
  return !!(await webhookById(db, id));
}

/**
 * Takes or renews the delivery lease of a webhook for `owner` until `until`; false while another
 * owner's lease is still running. One indexed UPDATE.
 */
export async function acquireWebhookLease(
  db: Db,
  id: number,
  owner: string,
  now: string,
  until: string,
): Promise<boolean> {
  const taken = await db
    .update(webhooks)
    .set({ leaseOwner: owner, leaseUntil: until })
    .where(
      and(
        eq(webhooks.id, id),
        or(isNull(webhooks.leaseOwner), eq(webhooks.leaseOwner, owner), lt(webhooks.leaseUntil, now)),
      ),
    )
    .returning({ id: webhooks.id });
  return taken.length > 0;
}

/** Gives up `owner`'s leases (on shutdown), so another process takes over at once. */
export async function releaseWebhookLeases(db: Db, owner: string): Promise<void> {
  await db.update(webhooks).set({ leaseOwner: null, leaseUntil: null }).where(eq(webhooks.leaseOwner, owner));
}

export async function insertDelivery(db: Db, row: NewDeliveryRow): Promise<DeliveryRow> {
  const [inserted] = await db.insert(webhookDeliveries).values(row).returning();
  return inserted!;
}

/** How many attempts were already recorded for one event of one webhook (attempt numbers survive restarts). */
export async function attemptsSoFar(db: Db, webhookId: number, eventId: number): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.webhookId, webhookId), eq(webhookDeliveries.eventId, eventId)));
  return row?.n ?? 0;
}

/**
 * One keyset page of deliveries for each of `webhookIds`, in one statement (a window function per
 * webhook), so a page of webhooks with their deliveries costs the same number of queries at any size.
 */
export async function deliveriesPages(
  db: Db,
  webhookIds: readonly number[],
  page: ResolvedPage,
): Promise<Map<number, Page<DeliveryRow>>> {
  const out = new Map<number, Page<DeliveryRow>>();
  if (webhookIds.length === 0) return out;
  const ascending = page.backward === page.descending;
  const d = webhookDeliveries;
  // As keysetWhere: reading ascending continues above the cursor. (The raw-SQL version this replaced had the
  // comparison the wrong way round: `deliveries(first:, after:)` returned the deliveries before the cursor.)
  const cursorCond = page.cursor
    ? ascending
      ? gt(d.id, page.cursor[1])
      : lt(d.id, page.cursor[1])
    : undefined;
  const ranked = db
    .select({
      ...getTableColumns(d),
      rn: sql<number>`row_number() OVER (PARTITION BY ${d.webhookId} ORDER BY ${ascending ? asc(d.id) : desc(d.id)})`.as(
        "rn",
      ),
    })
    .from(d)
    .where(and(inArray(d.webhookId, [...webhookIds]), cursorCond))
    .as("ranked");
  const rows = await db
    .select()
    .from(ranked)
    .where(lte(ranked.rn, page.limit + 1))
    .orderBy(asc(ranked.webhookId), asc(ranked.rn));
  const grouped = new Map<number, DeliveryRow[]>();
  for (const { rn: _rn, ...row } of rows) {
    const list = grouped.get(row.webhookId) ?? [];
    list.push(row);
    grouped.set(row.webhookId, list);
  }
  for (const id of webhookIds)
    out.set(
      id,
      toPage(page, grouped.get(id) ?? [], (r) => [r.id, r.id]),
    );
  return out;
}

export async function countDeliveries(db: Db, webhookIds: readonly number[]): Promise<Map<number, number>> {
  const rows = await db
    .select({ webhookId: webhookDeliveries.webhookId, n: count() })
    .from(webhookDeliveries)
    .where(inArray(webhookDeliveries.webhookId, [...webhookIds]))
    .groupBy(webhookDeliveries.webhookId);
  return new Map(rows.map((r) => [r.webhookId, r.n]));
}
