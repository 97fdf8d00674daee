/**
 * The GCP change feed: a Pub/Sub subscription that a log sink fills with the project's Cloud Audit Log
 * entries for compute.subnetworks.* / compute.networks.*, consumed with @google-cloud/pubsub's v1
 * SubscriberClient by synchronous pull (unary Pull, up to 100 messages, held by the server until messages
 * arrive or its own deadline), acknowledged after processing. A message that fails is not acknowledged:
 * Pub/Sub delivers it again after the subscription's ack deadline. Poison messages: when the subscription
 * has a dead-letter policy (deliveryAttempt > 0) Pub/Sub moves them itself; without one, CloudPAM drops
 * (acknowledges) a message after `maxReceiveCount` failed deliveries, counted in memory, with an error log.
 *
 * Credentials: Application Default Credentials. `apiEndpoint` (`host:port`) not under googleapis.com puts
 * the client in emulator mode (plain-text gRPC), as PUBSUB_EMULATOR_HOST does.
 */
import { PubSub, v1 } from "@google-cloud/pubsub";
import type { ChangeFeed, ChangeMessage } from "./types.js";

export interface PubSubFeedOptions {
  /** `projects/<project>/subscriptions/<name>`. */
  subscription: string;
  /** `host:port` override (emulator, private endpoint). */
  apiEndpoint?: string;
  /** Messages per pull (default 100). */
  maxMessages?: number;
  /** Upper bound of one pull call in ms (default 60,000); the server answers earlier when messages come. */
  pullTimeoutMs?: number;
}

interface CancellablePromise<T> extends Promise<T> {
  cancel(): void;
}

interface PullResponse {
  receivedMessages?: {
    ackId?: string | null;
    deliveryAttempt?: number | null;
    message?: { messageId?: string | null; data?: Uint8Array | string | null } | null;
  }[];
}

const DEADLINE_EXCEEDED = 4;
const CANCELLED = 1;

export class PubSubChangeFeed implements ChangeFeed {
  readonly provider = "gcp" as const;
  readonly source: string;
  readonly client: v1.SubscriberClient;
  private readonly opts: PubSubFeedOptions;
  /** Failed deliveries per message id, for subscriptions without a dead-letter policy. */
  private readonly attempts = new Map<string, number>();

  constructor(opts: PubSubFeedOptions) {
    this.opts = opts;
    this.source = opts.subscription;
    const projectId = /^projects\/([^/]+)\//.exec(opts.subscription)?.[1];
    // PubSub works out the channel (emulator mode = insecure credentials) from apiEndpoint.
    const config = new PubSub({ projectId, ...(opts.apiEndpoint ? { apiEndpoint: opts.apiEndpoint } : {}) })
      .options;
    this.client = new v1.SubscriberClient({
      ...config,
      port: config.port === undefined ? undefined : Number(config.port),
      // With an endpoint override gax would otherwise ask the metadata server for the universe domain
      // (seconds off GCE) before the first call.
      ...(opts.apiEndpoint ? { universeDomain: "googleapis.com" } : {}),
    });
  }

  async receive(signal: AbortSignal): Promise<ChangeMessage[]> {
    if (signal.aborted) return [];
    await this.client.initialize();
    // innerApiCalls keeps gax's cancellable promise (the public pull() wraps it in a plain one).
    const pull = this.client.innerApiCalls.pull as unknown as (
      req: object,
      opts: object,
    ) => CancellablePromise<[PullResponse]>;
    const call = pull(
      { subscription: this.opts.subscription, maxMessages: this.opts.maxMessages ?? 100 },
      {
        timeout: this.opts.pullTimeoutMs ?? 60_000,
        retry: { retryCodes: [] },
        otherArgs: {
          headers: { "x-goog-request-params": `subscription=${encodeURIComponent(this.opts.subscription)}` },
        },
      },
    );
    const onAbort = () => call.cancel();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      const [res] = await call;
      return (res.receivedMessages ?? []).map((r) => {
        const id = r.message?.messageId ?? "";
        const data = r.message?.data ?? "";
        const attempt = r.deliveryAttempt ?? 0;
        return {
          id,
          body:
            typeof data === "string"
              ? Buffer.from(data, "base64").toString("utf8")
              : Buffer.from(data).toString("utf8"),
          receiveCount: attempt > 0 ? attempt : (this.attempts.get(id) ?? 0) + 1,
          handle: `${attempt > 0 ? "dlp" : "local"}|${r.ackId ?? ""}`,
        };
      });
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (signal.aborted || code === CANCELLED || code === DEADLINE_EXCEEDED) return [];
      throw err;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  async ack(message: ChangeMessage): Promise<void> {
    this.attempts.delete(message.id);
    await this.client.acknowledge({ subscription: this.opts.subscription, ackIds: [ackIdOf(message)] });
  }

  /** Counts a failed delivery (the message is redelivered after the ack deadline). */
  failed(message: ChangeMessage): void {
    if (message.handle.startsWith("dlp|")) return;
    if (this.attempts.size > 10_000) this.attempts.clear();
    this.attempts.set(message.id, message.receiveCount);
  }

  async deadLetter(message: ChangeMessage): Promise<boolean> {
    if (message.handle.startsWith("dlp|")) return false; // the subscription's dead-letter policy moves it
    await this.ack(message);
    return true;
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function ackIdOf(message: ChangeMessage): string {
  return message.handle.slice(message.handle.indexOf("|") + 1);
}
