/**
 * Webhook delivery: one loop per active webhook reads the event log after the webhook's cursor (the
 * outbox), POSTs each matching event, and advances the cursor only once that event is settled —
 * delivered (2xx) or given up on after `maxAttempts` — in its own transaction. So delivery is in order
 * per webhook, at least once, and resumes after a restart exactly where it stopped.
 *
 * Attempts: timeout per attempt, redirects not followed (a 3xx is a failure), exponential backoff with
 * full jitter between attempts; every attempt is recorded in webhook_deliveries (RETRY / SUCCESS /
 * FAILED). Attempt numbers are counted from those rows, so a restart does not reset them.
 *
 * Several server processes on one database: each webhook is delivered by one process at a time, the
 * holder of its lease (renewed with every attempt, LEASE_MS long); when the holder stops it gives the
 * lease up, and when it dies another process takes over once the lease runs out, from the cursor.
 */
import { createHmac, randomUUID } from "node:crypto";
import { Counter, Histogram } from "prom-client";
import type { Store } from "../db/store.js";
import { eventsAfter } from "../db/events.js";
import {
  acquireWebhookLease,
  activeWebhookIds,
  advanceWebhookCursor,
  releaseWebhookLeases,
  attemptsSoFar,
  insertDelivery,
  webhookById,
  type WebhookRow,
} from "../db/webhooks.js";
import { registry } from "../metrics.js";
import type { Logger } from "../logger.js";
import { APP_VERSION } from "../version.js";
import { eventCursor, parseEventTypes, toEventRecord, typeMatches, type EventRecord } from "./events.js";
import { toGlobalId } from "../ids.js";
import type { DeliveryOutcome } from "./webhooks.js";

const deliveries = new Counter({
  name: "cloudpam_webhook_deliveries_total",
  help: "Webhook delivery attempts by outcome (SUCCESS, RETRY = failed and will retry, FAILED = given up)",
  labelNames: ["outcome"] as const,
  registers: [registry],
});

const deliveryLag = new Histogram({
  name: "cloudpam_webhook_delivery_lag_seconds",
  help: "Time from an event's commit to its settled webhook delivery (success or final failure)",
  labelNames: ["outcome"] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
  registers: [registry],
});

export interface WebhookWorkerOptions {
  maxAttempts: number;
  timeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

/** Signature header value: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export function signWebhookBody(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}

/** Full-jitter exponential backoff: uniform in [0, min(max, base * 2^(attempt-1))]. */
export function retryDelayMs(attempt: number, base: number, max: number, random = Math.random): number {
  return Math.floor(random() * Math.min(max, base * 2 ** Math.max(0, attempt - 1)));
}

/**
 * The JSON body POSTed for an event: the same shape as the GraphQL Event (snapshots at version 2 with
 * global ids, as the API shows them), plus the webhook id.
 */
export function webhookPayload(e: EventRecord, webhookId: number) {
  return {
    id: toGlobalId("Event", e.id),
    cursor: eventCursor(e.id),
    type: e.type,
    actor: e.actor,
    subjectType: e.subjectType,
    subjectId: toGlobalId(e.subjectType, e.subjectId),
    before: e.before,
    after: e.after,
    requestId: e.requestId,
    createdAt: e.createdAt,
    webhookId: toGlobalId("Webhook", webhookId),
  };
}

interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

class Stopped extends Error {}

/** How long a delivery lease lasts without renewal, and how often a process without it looks again. */
export const LEASE_MS = 30_000;
const LEASE_RETRY_MS = 1_000;

export class WebhookDispatcher {
  private readonly loops = new Map<number, Promise<void>>();
  private readonly wakers = new Map<number, () => void>();
  private readonly abort = new AbortController();
  private unsubscribe: (() => void) | null = null;
  private stopped = false;
  private syncing: Promise<void> | null = null;
  private syncAgain = false;
  /** This dispatcher's identity as a lease holder. */
  private readonly owner = randomUUID();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly options: WebhookWorkerOptions,
    private readonly onAdvance: (listener: () => void) => () => void,
  ) {}

  async start(): Promise<void> {
    // New events wake the loops; webhook.* events (from any process) change the set of loops.
    this.unsubscribe = this.onAdvance(() => this.sync());
    this.sync();
    await this.syncing;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.abort.abort();
    for (const wake of this.wakers.values()) wake();
    await this.syncing;
    await Promise.all(this.loops.values());
    await this.store.write((db) => releaseWebhookLeases(db, this.owner)).catch(() => undefined);
  }

  /** Takes or renews this process's lease on a webhook; false while another process holds it. */
  private holdLease(id: number): Promise<boolean> {
    const now = Date.now();
    return this.store.write((db) =>
      acquireWebhookLease(
        db,
        id,
        this.owner,
        new Date(now).toISOString(),
        new Date(now + LEASE_MS).toISOString(),
      ),
    );
  }

  /** Starts loops for new active webhooks and wakes every loop. */
  private sync(): void {
    if (this.stopped) return;
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = (async () => {
      do {
        this.syncAgain = false;
        const ids = await this.store.read((db) => activeWebhookIds(db));
        for (const id of ids) {
          if (!this.loops.has(id)) {
            const loop = this.run(id)
              .catch((e) => {
                if (!(e instanceof Stopped))
                  this.logger.error({ err: e, webhookId: id }, "webhook loop failed");
              })
              .finally(() => {
                this.loops.delete(id);
                this.wakers.delete(id);
              });
            this.loops.set(id, loop);
          }
        }
        for (const wake of this.wakers.values()) wake();
      } while (this.syncAgain && !this.stopped);
    })()
      .catch((e) => this.logger.warn({ err: e }, "webhook dispatcher could not list webhooks"))
      .finally(() => (this.syncing = null));
  }

  private idle(id: number): Promise<void> {
    return new Promise((resolve) => this.wakers.set(id, resolve));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.stopped) return reject(new Stopped());
      const onAbort = () => {
        clearTimeout(t);
        reject(new Stopped());
      };
      const t = setTimeout(() => {
        this.abort.signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      this.abort.signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  /**
   * One batch per turn: the events after the cursor (up to 100) are read once and the lease taken once, then
   * every matching event is delivered in order (the lease renewed when a third of it has passed); events the
   * webhook does not match are skipped, and only a trailing run of them costs a cursor write of its own. So a
   * delivered event costs one write (its delivery row and the cursor), not three.
   */
  private async run(id: number): Promise<void> {
    while (!this.stopped) {
      const hook = await this.store.read((db) => webhookById(db, id));
      if (!hook || !hook.active) return;
      const types = JSON.parse(hook.eventTypes) as string[];
      const patterns = types.length ? parseEventTypes(types) : null;
      const idle = this.idle(id);
      const rows = await this.store.read((db) => eventsAfter(db, hook.cursor, 100));
      if (rows.length === 0) {
        await idle;
        continue;
      }
      if (!(await this.holdLease(id))) {
        // Another process delivers this webhook; look again when woken or in a second (it may have died).
        await Promise.race([idle, this.sleep(LEASE_RETRY_MS)]);
        continue;
      }
      let leasedAt = Date.now();
      let skippedTo: number | null = null;
      let settledAll = true;
      for (const row of rows) {
        if (!typeMatches(patterns, row.type)) {
          skippedTo = row.id;
          continue;
        }
        if (Date.now() - leasedAt > LEASE_MS / 3) {
          if (!(await this.holdLease(id))) {
            settledAll = false;
            break;
          }
          leasedAt = Date.now();
        }
        // Re-read per event: a new URL or secret applies to the next event; deleted/paused stops here.
        const current = await this.store.read((db) => webhookById(db, id));
        if (!current || !current.active) return;
        if (!(await this.deliver(current, toEventRecord(row)))) {
          settledAll = false;
          break;
        }
        skippedTo = null; // the settled event's cursor write covers what was skipped before it
      }
      // Nothing to deliver at the end of the batch: skip it in one write.
      if (settledAll && skippedTo !== null && !(await this.advance(id, skippedTo))) return;
    }
  }

  private advance(id: number, eventId: number): Promise<boolean> {
    return this.store.write((db) => advanceWebhookCursor(db, id, eventId));
  }

  /**
   * Delivers one event with retries, then settles it (final delivery row + cursor, one transaction). True once
   * settled; false when the webhook was deleted or paused, or the lease lost, before that.
   */
  private async deliver(first: WebhookRow, event: EventRecord): Promise<boolean> {
    const body = JSON.stringify(webhookPayload(event, first.id));
    let attempt = (await this.store.read((db) => attemptsSoFar(db, first.id, event.id))) + 1;
    for (;;) {
      if (this.stopped) throw new Stopped();
      // Re-read per attempt: a new URL or secret applies to the next attempt; deleted/paused stops here.
      const hook = attempt === 1 ? first : await this.store.read((db) => webhookById(db, first.id));
      if (!hook || !hook.active) return false;
      // A retry may come long after the last renewal: never attempt without the lease.
      if (attempt > 1 && !(await this.holdLease(hook.id))) return false;
      const result = await this.attempt(hook, event, body, attempt);
      if (this.stopped && !result.ok && result.error === "aborted") throw new Stopped();
      const final = result.ok || attempt >= this.options.maxAttempts;
      const outcome: DeliveryOutcome = result.ok ? "SUCCESS" : final ? "FAILED" : "RETRY";
      const row = {
        webhookId: hook.id,
        eventId: event.id,
        attempt,
        statusCode: result.statusCode,
        durationMs: result.durationMs,
        error: result.error,
        outcome,
        createdAt: new Date().toISOString(),
      };
      const exists = await this.store.write(async (db) => {
        if (!(await webhookById(db, hook.id))) return false;
        await insertDelivery(db, row);
        return final ? advanceWebhookCursor(db, hook.id, event.id) : true;
      });
      deliveries.inc({ outcome });
      if (final) {
        deliveryLag.observe({ outcome }, (Date.now() - Date.parse(event.createdAt)) / 1000);
        if (!result.ok) {
          this.logger.warn(
            { webhookId: hook.id, eventId: event.id, attempts: attempt, error: result.error },
            "webhook delivery failed; moving on to the next event",
          );
        }
        return exists;
      }
      if (!exists) return false;
      await this.sleep(retryDelayMs(attempt, this.options.retryBaseMs, this.options.retryMaxMs));
      attempt++;
    }
  }

  private async attempt(
    hook: WebhookRow,
    event: EventRecord,
    body: string,
    attempt: number,
  ): Promise<AttemptResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const url = new URL(hook.url);
      if (url.protocol !== "http:" && url.protocol !== "https:") {
        return {
          ok: false,
          statusCode: null,
          durationMs: 0,
          error: `unsupported URL scheme ${url.protocol}`,
        };
      }
      const res = await fetch(url, {
        method: "POST",
        redirect: "manual",
        signal: AbortSignal.any([timeout, this.abort.signal]),
        headers: {
          "content-type": "application/json",
          "user-agent": `CloudPAM-Webhook/${APP_VERSION}`,
          "x-cloudpam-event-id": eventCursor(event.id),
          "x-cloudpam-event-type": event.type,
          "x-cloudpam-delivery-attempt": String(attempt),
          "x-cloudpam-signature": signWebhookBody(hook.secret, body, Math.floor(Date.now() / 1000)),
        },
        body,
      });
      // Drain (bounded) so the connection can be reused; the body itself is not used.
      await res.body?.cancel().catch(() => undefined);
      const durationMs = elapsed();
      if (res.status >= 200 && res.status < 300)
        return { ok: true, statusCode: res.status, durationMs, error: null };
      const error =
        res.status >= 300 && res.status < 400
          ? `redirect to ${res.headers.get("location") ?? "?"} not followed`
          : `HTTP ${res.status}`;
      return { ok: false, statusCode: res.status, durationMs, error };
    } catch (e) {
      const durationMs = elapsed();
      if (this.abort.signal.aborted) return { ok: false, statusCode: null, durationMs, error: "aborted" };
      if (timeout.aborted) {
        return {
          ok: false,
          statusCode: null,
          durationMs,
          error: `timed out after ${this.options.timeoutMs} ms`,
        };
      }
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      return {
        ok: false,
        statusCode: null,
        durationMs,
        error: cause?.code ? `${cause.code}: ${cause.message ?? ""}`.trim() : (e as Error).message,
      };
    }
  }
}
