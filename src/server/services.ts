/** The composition of the long-lived services (kept apart from app.ts so that a bare route can use it). */
import type { Config } from "../config.js";
import type { Store } from "../db/store.js";
import type { Logger } from "../logger.js";
import { EventHub } from "../domain/event-hub.js";
import { WebhookDispatcher } from "../domain/webhook-worker.js";
import { createReconcileState } from "../reconcile/sync.js";
import type { Services } from "./context.js";
import { createJwtVerifier } from "./oidc.js";

/**
 * Every long-lived service of one server process, created here and nowhere else. The workers start
 * and stop what needs it (event hub, webhook dispatcher); `ws` is set once the HTTP server exists.
 */
export function createServices(config: Config, store: Store, logger: Logger): Services {
  const eventHub = new EventHub(store, logger, { maxLag: config.subscriptionMaxLag });
  const webhooks = new WebhookDispatcher(
    store,
    logger,
    {
      maxAttempts: config.webhookMaxAttempts,
      timeoutMs: config.webhookTimeoutMs,
      retryBaseMs: config.webhookRetryBaseMs,
      retryMaxMs: config.webhookRetryMaxMs,
    },
    (listener) => eventHub.onAdvance(listener),
  );
  return {
    config,
    store,
    logger,
    startedAt: new Date(),
    eventHub,
    webhooks,
    reconcile: createReconcileState(),
    jwtVerifier: config.oidc.issuer ? createJwtVerifier(config.oidc, logger) : null,
    ws: null,
  };
}
