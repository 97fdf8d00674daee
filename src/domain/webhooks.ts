/**
 * Webhooks: HTTP endpoints that receive events. Each webhook reads the event log with its own cursor
 * (the outbox); the delivery worker (webhook-worker.ts) advances it. Changes to webhooks are events too
 * (`webhook.created|updated|deleted`; snapshots never contain the secret).
 */
import { randomBytes } from "node:crypto";
import type { Store } from "../db/store.js";
import { lastEventId } from "../db/events.js";
import {
  countDeliveries,
  countWebhooks,
  deleteWebhookRow,
  deliveriesPages,
  insertWebhook,
  updateWebhookRow,
  webhookById,
  webhooksPage,
  type DeliveryRow,
  type WebhookRow,
} from "../db/webhooks.js";
import { resolvePage, type Page, type PageArgs } from "../db/pagination.js";
import { appendEvent, parseEventTypes } from "./events.js";
import { Invalid, NotFound } from "./errors.js";
import type { Caller } from "./caller.js";

export interface WebhookInfo {
  id: number;
  url: string;
  eventTypes: string[];
  active: boolean;
  /** Last event id whose delivery is settled (delivered or given up on). */
  cursor: number;
  createdAt: string;
  updatedAt: string;
}

export type DeliveryOutcome = "SUCCESS" | "RETRY" | "FAILED";

export interface DeliveryInfo {
  id: number;
  webhookId: number;
  eventId: number;
  attempt: number;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  outcome: DeliveryOutcome;
  createdAt: string;
}

export function toWebhookInfo(row: WebhookRow): WebhookInfo {
  return {
    id: row.id,
    url: row.url,
    eventTypes: JSON.parse(row.eventTypes) as string[],
    active: row.active,
    cursor: row.cursor,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function toDeliveryInfo(row: DeliveryRow): DeliveryInfo {
  return { ...row, outcome: row.outcome as DeliveryOutcome };
}

/** Only absolute http(s) URLs; returns the normalised URL. */
export function validateWebhookUrl(url: string, field = "url"): string {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw new Invalid(field, `"${url}" is not an absolute URL; use http://… or https://…`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new Invalid(field, `webhook URLs must use http or https, not "${u.protocol.replace(/:$/, "")}"`);
  }
  return u.toString();
}

const MIN_SECRET = 16;

function validateSecret(secret: string, field = "secret"): string {
  if (secret.length < MIN_SECRET || secret.length > 256) {
    throw new Invalid(field, `the signing secret must be ${MIN_SECRET}-256 characters long`);
  }
  return secret;
}

function validateTypes(types: readonly string[] | null | undefined, field = "eventTypes"): string[] {
  const list = [...new Set(types ?? [])];
  parseEventTypes(list, field);
  return list;
}

export interface CreateWebhookInput {
  url: string;
  eventTypes?: readonly string[] | null;
  /** Omitted: a random secret is generated and returned once. */
  secret?: string | null;
}

/** Creates a webhook that receives events committed after it (its cursor starts at the end of the log). */
export async function createWebhook(
  store: Store,
  caller: Caller,
  input: CreateWebhookInput,
): Promise<{ webhook: WebhookInfo; generatedSecret: string | null }> {
  const url = validateWebhookUrl(input.url);
  const eventTypes = validateTypes(input.eventTypes);
  const generatedSecret = input.secret ? null : `whsec_${randomBytes(24).toString("base64url")}`;
  const secret = input.secret ? validateSecret(input.secret) : generatedSecret!;
  return store.write(async (db) => {
    const now = new Date().toISOString();
    const row = await insertWebhook(db, {
      url,
      eventTypes: JSON.stringify(eventTypes),
      secret,
      active: true,
      cursor: await lastEventId(db),
      createdAt: now,
      updatedAt: now,
    });
    const created = await appendEvent(db, caller, {
      type: "webhook.created",
      subjectType: "Webhook",
      subjectId: row.id,
      after: toWebhookInfo(row),
    });
    // Start after our own creation event: the webhook receives what happens from now on.
    const started = (await updateWebhookRow(db, row.id, { cursor: created.id }))!;
    return { webhook: toWebhookInfo(started), generatedSecret };
  });
}

export interface UpdateWebhookInput {
  url?: string | null;
  eventTypes?: readonly string[] | null;
  secret?: string | null;
  active?: boolean | null;
}

export async function updateWebhook(
  store: Store,
  caller: Caller,
  id: number,
  input: UpdateWebhookInput,
): Promise<WebhookInfo> {
  const set: Partial<WebhookRow> = {};
  if (input.url != null) set.url = validateWebhookUrl(input.url);
  if (input.eventTypes != null) set.eventTypes = JSON.stringify(validateTypes(input.eventTypes));
  if (input.secret != null) set.secret = validateSecret(input.secret);
  if (input.active != null) set.active = input.active;
  return store.write(async (db) => {
    const before = await webhookById(db, id);
    if (!before) throw new NotFound("Webhook", id, "id");
    const after = (await updateWebhookRow(db, id, { ...set, updatedAt: new Date().toISOString() }))!;
    await appendEvent(db, caller, {
      type: "webhook.updated",
      subjectType: "Webhook",
      subjectId: id,
      before: toWebhookInfo(before),
      after: toWebhookInfo(after),
    });
    return toWebhookInfo(after);
  });
}

/** Deletes a webhook and its delivery history. */
export async function deleteWebhook(store: Store, caller: Caller, id: number): Promise<WebhookInfo> {
  return store.write(async (db) => {
    const before = await webhookById(db, id);
    if (!before) throw new NotFound("Webhook", id, "id");
    await deleteWebhookRow(db, id);
    await appendEvent(db, caller, {
      type: "webhook.deleted",
      subjectType: "Webhook",
      subjectId: id,
      before: toWebhookInfo(before),
    });
    return toWebhookInfo(before);
  });
}

export async function listWebhooks(
  store: Store,
  args: PageArgs,
  maxPageSize: number,
): Promise<{ page: Page<WebhookInfo>; count: () => Promise<number> }> {
  const resolved = resolvePage(args, maxPageSize);
  const page = await store.read((db) => webhooksPage(db, resolved));
  return {
    page: { ...page, items: page.items.map(toWebhookInfo) },
    count: () => store.read((db) => countWebhooks(db)),
  };
}

export async function webhooksById(store: Store, ids: readonly number[]): Promise<(WebhookInfo | null)[]> {
  return store.read(async (db) => {
    const rows = await Promise.all(ids.map((id) => webhookById(db, id)));
    return rows.map((r) => (r ? toWebhookInfo(r) : null));
  });
}

/** A page of delivery attempts for each webhook, oldest first: the batch function of `Webhook.deliveries`. */
export async function deliveriesOf(
  store: Store,
  webhookIds: readonly number[],
  args: PageArgs,
  maxPageSize: number,
): Promise<Page<DeliveryInfo>[]> {
  const resolved = resolvePage(args, maxPageSize);
  const pages = await store.read((db) => deliveriesPages(db, webhookIds, resolved));
  return webhookIds.map((id) => {
    const p = pages.get(id)!;
    return { ...p, items: p.items.map(toDeliveryInfo) };
  });
}

export async function countDeliveriesOf(store: Store, webhookIds: readonly number[]): Promise<number[]> {
  const counts = await store.read((db) => countDeliveries(db, webhookIds));
  return webhookIds.map((id) => counts.get(id) ?? 0);
}
