/** Background workers started with the server and stopped on shutdown (webhook delivery, reconcile loop, ...). */
import type { Worker } from "./context.js";
import { createReconcileWorker } from "../reconcile/loop.js";
import { createNotificationWorker } from "../reconcile/notifications.js";
import { opsMetricsWorker } from "./ops-metrics.js";
import { expireChangeRequests } from "../domain/change-requests.js";
import { purgeExpired, retentionSettings } from "../domain/soft-delete.js";

/** The workers of one app, in start order: the event hub first (the webhook dispatcher follows it). */
export function createWorkers(): Worker[] {
  return [
    { name: "event-hub", start: (s) => s.eventHub.start(), stop: (s) => s.eventHub.stop() },
    { name: "webhook-delivery", start: (s) => s.webhooks.start(), stop: (s) => s.webhooks.stop() },
    createReconcileWorker(),
    createNotificationWorker(),
    opsMetricsWorker,
    createChangeRequestExpiryWorker(),
    createPurgeWorker(),
  ];
}

/**
 * Marks change requests EXPIRED (with their change.expired events) once their TTL has passed: every minute,
 * or every quarter of the TTL when that is shorter. Readers see an overdue request as EXPIRED before that
 * (and deciding it expires it at once); the sweep only writes the status and the event.
 */
function createChangeRequestExpiryWorker(): Worker {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> = Promise.resolve();
  return {
    name: "change-request-expiry",
    start(services) {
      const everyMs = Math.max(50, Math.min(60_000, (services.config.changeRequestTtlHours * 3_600_000) / 4));
      let busy = false;
      timer = setInterval(() => {
        if (busy) return; // a slow sweep is not overtaken by the next one
        busy = true;
        running = expireChangeRequests(services.store)
          .catch((err: unknown) =>
            services.logger.warn({ err: (err as Error).message }, "change request expiry sweep failed"),
          )
          .finally(() => (busy = false));
      }, everyMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}

/**
 * Removes soft-deleted objects older than RETENTION_DAYS (issue #18) every PURGE_INTERVAL_SECONDS (0 = never):
 * one transaction per batch of delete operations; events stay. Stopped (and awaited) on shutdown.
 */
function createPurgeWorker(): Worker {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<unknown> = Promise.resolve();
  return {
    name: "purge",
    start(services) {
      const everyMs = services.config.purgeIntervalSeconds * 1000;
      if (everyMs <= 0) return;
      let busy = false;
      timer = setInterval(() => {
        if (busy) return;
        busy = true;
        running = purgeExpired(services.store, retentionSettings(services.config))
          .then((n) => {
            if (n.deletions > 0) services.logger.info(n, "purged deleted objects past RETENTION_DAYS");
          })
          .catch((err: unknown) => services.logger.warn({ err: (err as Error).message }, "purge failed"))
          .finally(() => (busy = false));
      }, everyMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
