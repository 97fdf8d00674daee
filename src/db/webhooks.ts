/** Webhook endpoints (with their outbox cursor) and the record of every delivery attempt. */
import { and, count, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { webhookDeliveries, webhooks } from "./schema.js";
import type { Db } from "./store.js";
import { keysetOrder, keysetWhere, toPage, type Page, type ResolvedPage } from "./pagination.js";

export type WebhookRow = typeof webhooks.$inferSelect;
export type NewWebhookRow = typeof webhooks.$inferInsert;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export type NewDeliveryRow = typeof webhookDeliveries.$inferInsert;

export function insertWebhook(db: Db, row: NewWebhookRow): WebhookRow {
  return db.insert(webhooks).values(row).returning().get();
}

export function webhookById(db: Db, id: number): WebhookRow | undefined {
  return db.select().from(webhooks).where(eq(webhooks.id, id)).get();
}

export function updateWebhookRow(db: Db, id: number, set: Partial<NewWebhookRow>): WebhookRow | undefined {
  return db.update(webhooks).set(set).where(eq(webhooks.id, id)).returning().get();
}

export function deleteWebhookRow(db: Db, id: number): void {
  db.delete(webhooks).where(eq(webhooks.id, id)).run();
}

/** Ids of the webhooks that deliver. */
export function activeWebhookIds(db: Db): number[] {
  return db
    .select({ id: webhooks.id })
    .from(webhooks)
    .where(eq(webhooks.active, true))
    .all()
    .map((r) => r.id);
}

export function webhooksPage(db: Db, page: ResolvedPage): Page<WebhookRow> {
  const rows = db
    .select()
    .from(webhooks)
    .where(keysetWhere(page, webhooks.id, webhooks.id))
    .orderBy(...keysetOrder(page, webhooks.id, webhooks.id))
    .limit(page.limit + 1)
    .all();
  return toPage(page, rows, (r) => [r.id, r.id]);
}

export function countWebhooks(db: Db): number {
  return db.select({ n: count() }).from(webhooks).get()?.n ?? 0;
}

/**
 * Moves the outbox cursor forward (never back): the delivery of every event up to `eventId` is settled.
 * Returns false when the webhook is gone.
 */
export function advanceWebhookCursor(db: Db, id: number, eventId: number): boolean {
  db.update(webhooks)
    .set({ cursor: eventId })
    .where(and(eq(webhooks.id, id), lt(webhooks.cursor, eventId)))
    .run();
  return !!webhookById(db, id);
}

/**
 * Takes or renews the delivery lease of a webhook for `owner` until `until`; false while another
 * owner's lease is still running. One indexed UPDATE.
 */
export function acquireWebhookLease(db: Db, id: number, owner: string, now: string, until: string): boolean {
  const r = db
    .update(webhooks)
    .set({ leaseOwner: owner, leaseUntil: until })
    .where(
      and(
        eq(webhooks.id, id),
        or(isNull(webhooks.leaseOwner), eq(webhooks.leaseOwner, owner), lt(webhooks.leaseUntil, now)),
      ),
    )
    .run();
  return r.changes > 0;
}

/** Gives up `owner`'s leases (on shutdown), so another process takes over at once. */
export function releaseWebhookLeases(db: Db, owner: string): void {
  db.update(webhooks).set({ leaseOwner: null, leaseUntil: null }).where(eq(webhooks.leaseOwner, owner)).run();
}

export function insertDelivery(db: Db, row: NewDeliveryRow): DeliveryRow {
  return db.insert(webhookDeliveries).values(row).returning().get();
}

/** How many attempts were already recorded for one event of one webhook (attempt numbers survive restarts). */
export function attemptsSoFar(db: Db, webhookId: number, eventId: number): number {
  return (
    db
      .select({ n: count() })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.webhookId, webhookId), eq(webhookDeliveries.eventId, eventId)))
      .get()?.n ?? 0
  );
}

/**
 * One keyset page of deliveries for each of `webhookIds`, in one statement (a window function per
 * webhook), so a page of webhooks with their deliveries costs the same number of queries at any size.
 */
export function deliveriesPages(
  db: Db,
  webhookIds: readonly number[],
  page: ResolvedPage,
): Map<number, Page<DeliveryRow>> {
  const out = new Map<number, Page<DeliveryRow>>();
  if (webhookIds.length === 0) return out;
  const ascending = page.backward === page.descending;
  const order = ascending ? sql`id ASC` : sql`id DESC`;
  const cursorCond = (() => {
    if (!page.cursor) return sql`1 = 1`;
    const id = page.cursor[1];
    return page.backward !== page.descending ? sql`id > ${id}` : sql`id < ${id}`;
  })();
  const ids = sql.join(
    webhookIds.map((id) => sql`${id}`),
    sql`, `,
  );
  const rows = db.all<Record<string, unknown>>(sql`
    SELECT * FROM (
      SELECT *, row_number() OVER (PARTITION BY webhook_id ORDER BY ${order}) AS rn
      FROM webhook_deliveries WHERE webhook_id IN (${ids}) AND ${cursorCond}
    ) WHERE rn <= ${page.limit + 1} ORDER BY webhook_id, rn`);
  const grouped = new Map<number, DeliveryRow[]>();
  for (const r of rows) {
    const row: DeliveryRow = {
      id: r.id as number,
      webhookId: r.webhook_id as number,
      eventId: r.event_id as number,
      attempt: r.attempt as number,
      statusCode: (r.status_code as number | null) ?? null,
      durationMs: r.duration_ms as number,
      error: (r.error as string | null) ?? null,
      outcome: r.outcome as string,
      createdAt: r.created_at as string,
    };
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

export function countDeliveries(db: Db, webhookIds: readonly number[]): Map<number, number> {
  const rows = db
    .select({ webhookId: webhookDeliveries.webhookId, n: count() })
    .from(webhookDeliveries)
    .where(inArray(webhookDeliveries.webhookId, [...webhookIds]))
    .groupBy(webhookDeliveries.webhookId)
    .all();
  return new Map(rows.map((r) => [r.webhookId, r.n]));
}
