/** Background workers started with the server and stopped on shutdown (webhook delivery, reconcile loop, ...). */
import type { Services } from "./context.js";
import { eventHubWorker } from "../domain/event-hub.js";
import { webhookWorker } from "../domain/webhook-worker.js";
import { reconcileWorker } from "../reconcile/loop.js";
import { opsMetricsWorker } from "./ops-metrics.js";

export interface Worker {
  name: string;
  start(services: Services): Promise<void> | void;
  stop(services: Services): Promise<void> | void;
}

// The event hub first: the webhook worker follows it.
export const workers: Worker[] = [eventHubWorker, webhookWorker, reconcileWorker, opsMetricsWorker];
