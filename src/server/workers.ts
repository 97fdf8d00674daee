/** Background workers started with the server and stopped on shutdown (webhook delivery, reconcile loop, ...). */
import type { Worker } from "./context.js";
import { createReconcileWorker } from "../reconcile/loop.js";
import { opsMetricsWorker } from "./ops-metrics.js";

/** The workers of one app, in start order: the event hub first (the webhook dispatcher follows it). */
export function createWorkers(): Worker[] {
  return [
    { name: "event-hub", start: (s) => s.eventHub.start(), stop: (s) => s.eventHub.stop() },
    { name: "webhook-delivery", start: (s) => s.webhooks.start(), stop: (s) => s.webhooks.stop() },
    createReconcileWorker(),
    opsMetricsWorker,
  ];
}
