/**
 * Cloud changes within seconds: one consumer per AWS/GCP account whose settings name a change feed
 * (settings.notificationQueueUrl: SQS; settings.notificationSubscription: Pub/Sub), running beside the
 * polling loop (src/reconcile/loop.ts), which stays the safety net for lost notifications.
 *
 * A consumer long-polls its feed; every message is parsed into what to re-read (src/providers/
 * change-events.ts) and each target goes through syncTarget (one VPC/network re-read, classified and merged
 * into drift like a full sync). Then the message is deleted/acknowledged. A well-formed event about
 * something else is dropped. A message that cannot be parsed, or whose re-read failed, stays in the feed
 * and comes back (SQS visibility timeout / Pub/Sub ack deadline); at its `maxReceiveCount`-th delivery
 * (default 5) it is dead-lettered instead (SQS: moved to settings.deadLetterQueueUrl, else left for the
 * queue's redrive policy; Pub/Sub: the subscription's dead-letter policy, else dropped with an error log).
 * A feed that cannot be reached is retried with backoff (1 s doubling to 60 s); the loop never ends on
 * an error.
 *
 * The worker finds the accounts at start and every `services.reconcile.notificationRescanMs` (60 s):
 * consumers start for new or changed settings and stop for removed ones. Stop aborts the long polls,
 * waits for messages in processing and closes the clients (no timer left behind).
 */
import { Counter } from "prom-client";
import { accountById } from "../db/accounts.js";
import { cloudAccountIds } from "../db/cloud.js";
import { SYSTEM_ACTOR } from "../domain/roles.js";
import { registry } from "../metrics.js";
import { errorMessage } from "../providers/errors.js";
import { MalformedChangeMessage, parseAwsChange, parseGcpChange } from "../providers/change-events.js";
import type { ChangeFeed, ChangeMessage } from "../providers/types.js";
import { accountSettings, feedFor, providerNameOf, type AccountTarget } from "./provider-factory.js";
import type { ReconcileServices } from "./sync.js";
import { disposeTargetedProviders, syncTarget } from "./targeted.js";

export const DEFAULT_MAX_RECEIVE_COUNT = 5;
const BACKOFF_MIN_MS = 1_000;
const BACKOFF_MAX_MS = 60_000;

const notificationsTotal = new Counter({
  name: "cloudpam_notifications_total",
  help: "Change notifications by provider and outcome (processed | dropped | failed | dead_lettered)",
  labelNames: ["provider", "outcome"] as const,
  registers: [registry],
});
const feedErrors = new Counter({
  name: "cloudpam_notification_feed_errors_total",
  help: "Failed receives from change feeds (queue or subscription unreachable, denied, ...)",
  labelNames: ["provider"] as const,
  registers: [registry],
});

interface Consumer {
  accountId: number;
  /** The settings the consumer was built from: a change restarts it. */
  config: string;
  abort: AbortController;
  done: Promise<void>;
}

/** An abortable sleep; resolves early (without error) on abort. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve();
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function feedConfig(account: AccountTarget): string | null {
  const name = providerNameOf(account);
  const s = accountSettings(account);
  if (name === "aws" && s.notificationQueueUrl)
    return JSON.stringify([
      name,
      s.notificationQueueUrl,
      s.deadLetterQueueUrl ?? null,
      s.maxReceiveCount ?? null,
      s.roleArn ?? null,
      s.externalId ?? null,
      s.regions ?? null,
    ]);
  if (name === "gcp" && s.notificationSubscription)
    return JSON.stringify([name, s.notificationSubscription, s.maxReceiveCount ?? null]);
  return null;
}

/** Handles one message; true when it is done with (to delete/ack). Throws when it should come again. */
async function handleMessage(
  services: ReconcileServices,
  account: AccountTarget,
  feed: ChangeFeed,
  message: ChangeMessage,
): Promise<boolean> {
  const parsed = feed.provider === "aws" ? parseAwsChange(message.body) : parseGcpChange(message.body);
  const own = feed.provider === "aws" ? account.key.replace(/^aws:/, "") : projectOf(account);
  if (parsed.account !== null && parsed.account !== own) {
    services.logger.warn(
      { accountId: account.id, source: feed.source, eventAccount: parsed.account },
      "change notification about another account dropped",
    );
    return false;
  }
  if (parsed.targets.length === 0) return false;
  const caller = { actor: SYSTEM_ACTOR, requestId: `notify-${account.id}-${message.id}` };
  for (const target of parsed.targets) await syncTarget(services, caller, account.id, target);
  return true;
}

function projectOf(account: AccountTarget): string {
  return accountSettings(account).projectId ?? account.key.replace(/^gcp:/, "");
}

async function consume(
  services: ReconcileServices,
  account: AccountTarget,
  feed: ChangeFeed,
  signal: AbortSignal,
): Promise<void> {
  const maxReceives = accountSettings(account).maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT;
  const log = { accountId: account.id, provider: feed.provider, source: feed.source };
  let backoff = BACKOFF_MIN_MS;
  services.logger.info(log, "change notifications: consumer started");
  while (!signal.aborted) {
    let messages: ChangeMessage[];
    try {
      messages = await feed.receive(signal);
      backoff = BACKOFF_MIN_MS;
    } catch (err) {
      if (signal.aborted) break;
      feedErrors.inc({ provider: feed.provider });
      services.logger.warn(
        { ...log, err: errorMessage(err), retryInMs: backoff },
        "change notifications: receive failed; polling still covers the account",
      );
      await sleep(backoff * (0.5 + Math.random() / 2), signal);
      backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
      continue;
    }
    // Messages of one batch are handled together: re-reads of the account queue up (and coalesce) anyway.
    await Promise.all(
      messages.map(async (m) => {
        try {
          const acted = await handleMessage(services, account, feed, m);
          await feed.ack(m);
          notificationsTotal.inc({ provider: feed.provider, outcome: acted ? "processed" : "dropped" });
        } catch (err) {
          const poison = err instanceof MalformedChangeMessage;
          if (m.receiveCount >= maxReceives) {
            try {
              const moved = await feed.deadLetter(m);
              notificationsTotal.inc({ provider: feed.provider, outcome: "dead_lettered" });
              services.logger.error(
                { ...log, messageId: m.id, receiveCount: m.receiveCount, err: errorMessage(err), moved },
                moved
                  ? "change notification dead-lettered"
                  : "change notification failed for the last time; left to the queue's redrive policy",
              );
            } catch (dlqErr) {
              services.logger.error(
                { ...log, messageId: m.id, err: errorMessage(dlqErr) },
                "change notification could not be dead-lettered",
              );
            }
            return;
          }
          feed.failed?.(m);
          notificationsTotal.inc({ provider: feed.provider, outcome: "failed" });
          services.logger.warn(
            { ...log, messageId: m.id, receiveCount: m.receiveCount, poison, err: errorMessage(err) },
            "change notification failed; it will come again",
          );
        }
      }),
    );
  }
  await feed.close().catch(() => undefined);
  services.logger.info(log, "change notifications: consumer stopped");
}

/** The notification consumers as a background worker (one per app). */
export function createNotificationWorker() {
  let consumers = new Map<number, Consumer>();
  let timer: NodeJS.Timeout | null = null;
  let stopped = true;
  let scanning: Promise<void> = Promise.resolve();
  let services: ReconcileServices | null = null;

  const stopConsumer = async (c: Consumer) => {
    c.abort.abort();
    await c.done;
  };

  const scan = async (): Promise<void> => {
    const s = services;
    if (!s || stopped) return;
    try {
      const ids = await s.store.read((db) => cloudAccountIds(db));
      const wanted = new Map<number, { account: AccountTarget; config: string }>();
      for (const id of ids) {
        const account = await s.store.read((db) => accountById(db, id));
        const config = account ? feedConfig(account) : null;
        if (account && config) wanted.set(id, { account, config });
      }
      for (const [id, c] of consumers) {
        if (wanted.get(id)?.config === c.config) continue;
        consumers.delete(id);
        await stopConsumer(c);
      }
      for (const [id, { account, config }] of wanted) {
        if (consumers.has(id) || stopped) continue;
        let feed: ChangeFeed | null;
        try {
          feed = await feedFor(account, s.reconcile.providerOverrides);
        } catch (err) {
          s.logger.warn({ accountId: id, err: errorMessage(err) }, "change notifications: feed not built");
          continue;
        }
        if (!feed) continue;
        // Load the provider's SDK now, not on the first notification (seconds for the GCP one).
        void (feed.provider === "aws" ? import("../providers/aws.js") : import("../providers/gcp.js"));
        const abort = new AbortController();
        const done = consume(s, account, feed, abort.signal).catch((err: unknown) =>
          s.logger.error({ accountId: id, err: errorMessage(err) }, "change notifications: consumer ended"),
        );
        consumers.set(id, { accountId: id, config, abort, done });
      }
    } catch (err) {
      s.logger.warn({ err: errorMessage(err) }, "change notifications: could not list accounts");
    }
  };

  const rescan = (): Promise<void> => {
    scanning = scanning.then(scan);
    return scanning;
  };

  const schedule = () => {
    if (stopped || !services) return;
    timer = setTimeout(() => {
      void rescan().finally(schedule);
    }, services.reconcile.notificationRescanMs);
    timer.unref();
  };

  return {
    name: "cloud-notifications",
    async start(s: ReconcileServices): Promise<void> {
      services = s;
      stopped = false;
      s.reconcile.notifications = { rescan };
      await rescan();
      schedule();
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await scanning;
      const all = [...consumers.values()];
      consumers = new Map();
      await Promise.all(all.map(stopConsumer));
      if (services) await disposeTargetedProviders(services.reconcile);
      if (services) services.reconcile.notifications = null;
      services = null;
    },
  };
}
