/**
 * Account -> Provider. An account row says which cloud (`provider`) and how to reach it (`settings`,
 * a JSON object); this module turns that into an AwsProvider or GcpProvider built on the real SDKs.
 *
 * Account settings keys (all optional; validated by src/domain/accounts.ts, set with createAccount/updateAccount):
 *   regions      string[]  AWS: regions to scan (else the account's `regions`; at least one is needed).
 *                          GCP: regions to keep (else every region of the project).
 *   roleArn      string    AWS: role to assume in the account (STS AssumeRole, session "cloudpam").
 *   externalId   string    AWS: ExternalId for the role assumption.
 *   projectId    string    GCP: project id (else the account key without its `gcp:` prefix).
 *   scope        string    Name of the address space (scope) the account's CIDRs are compared in (else the
 *                          default scope); a sync of an account naming an unknown scope fails with BAD_USER_INPUT.
 *   ignoreCidrs  string[]  Observed CIDRs inside any of these are IGNORED (default ["172.31.0.0/16"], the
 *                          AWS default VPC range; pass [] to classify default VPCs too).
 *   ignoreTag    string    Resources carrying this tag (any value) are IGNORED (default "cloudpam:ignore").
 *   concurrency  number    Cloud calls in flight for this account (default 8).
 *   notificationQueueUrl  string  AWS: SQS queue of the account's EC2 CloudTrail events (EventBridge rule).
 *   deadLetterQueueUrl    string  AWS: SQS queue poison notifications are moved to.
 *   maxReceiveCount       number  Deliveries of a failing notification before it is dead-lettered (default 5).
 *   notificationSubscription string GCP: Pub/Sub subscription of the account's compute audit-log sink.
 *   (src/reconcile/notifications.ts consumes them.)
 *
 * Override hook: `services.reconcile.providerOverrides = { aws: {...}, gcp: {...} }` merges extra
 * SDK options into every provider built (endpoint, credentials, authClient, retry policy, page size).
 * Tests point the real EC2 / Compute clients at the loopback emulators with it; operators can use it for
 * VPC endpoints or private API gateways. A full `factory` replaces the construction altogether.
 */
// The cloud SDKs are loaded on first use (about 250 MB of resident memory and seconds of start-up
// between them): a server that never syncs never pays for them.
import type { AwsProviderOptions } from "../providers/aws.js";
import type { GcpProviderOptions } from "../providers/gcp.js";
import type { SqsFeedOptions } from "../providers/aws-notifications.js";
import type { PubSubFeedOptions } from "../providers/gcp-notifications.js";
import type { ChangeFeed } from "../providers/types.js";
import type { Provider, ProviderName } from "../providers/types.js";
import { Invalid, withArticle } from "../domain/errors.js";
import type { AccountSettings } from "../domain/accounts.js";

export type { AccountSettings };

/** What the factory needs to know about an account. */
export interface AccountTarget {
  id: number;
  key: string;
  provider: string;
  name: string;
  /** The account's `regions` column (JSON array text or parsed). */
  regions: string | string[];
  /** The account's `settings` column (JSON object text or parsed). */
  settings: string | Record<string, unknown>;
}

export interface ProviderOverrides {
  aws?: Partial<AwsProviderOptions>;
  gcp?: Partial<GcpProviderOptions>;
  /** SQS change feeds (endpoint, credentials — default: those of `aws` —, long-poll wait). */
  sqs?: Partial<Omit<SqsFeedOptions, "queueUrl" | "deadLetterQueueUrl">>;
  /** Pub/Sub change feeds (endpoint, port, insecure channel for the emulator). */
  pubsub?: Partial<Omit<PubSubFeedOptions, "subscription">>;
  /** Replaces construction entirely (custom providers). */
  factory?: (account: AccountTarget, settings: AccountSettings) => Provider;
}

/** A provider for one sync or one actuation, and how to let go of its HTTP agents. */
export interface ProviderHandle {
  provider: Provider;
  name: ProviderName;
  /** Regions scanned: AWS the configured ones; GCP ["global"] (one aggregated listing). */
  regions: string[];
  settings: AccountSettings;
  /** Logical cloud calls (pages included, retries not) made through this handle so far. */
  calls(): number;
  dispose(): Promise<void>;
}

const DEFAULT_IGNORE_CIDRS = ["172.31.0.0/16"];
export const DEFAULT_IGNORE_TAG = "cloudpam:ignore";

function parseJson(value: string | Record<string, unknown> | string[], field: string): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw new Invalid(field, `account ${field} is not valid JSON`);
  }
}

const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined;

/** Parses and checks an account's settings; unknown keys are kept out. */
export function accountSettings(account: Pick<AccountTarget, "settings" | "regions">): AccountSettings {
  const raw = parseJson(account.settings, "settings");
  const s = (raw && typeof raw === "object" && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
  const accountRegions = strings(parseJson(account.regions, "regions")) ?? [];
  const out: AccountSettings = {
    regions: strings(s.regions) ?? (accountRegions.length ? accountRegions : undefined),
    ignoreCidrs: strings(s.ignoreCidrs) ?? DEFAULT_IGNORE_CIDRS,
    ignoreTag: typeof s.ignoreTag === "string" ? s.ignoreTag : DEFAULT_IGNORE_TAG,
  };
  if (typeof s.roleArn === "string") out.roleArn = s.roleArn;
  if (typeof s.externalId === "string") out.externalId = s.externalId;
  if (typeof s.projectId === "string") out.projectId = s.projectId;
  if (typeof s.scope === "string") out.scope = s.scope;
  if (typeof s.concurrency === "number" && s.concurrency >= 1) out.concurrency = Math.floor(s.concurrency);
  if (typeof s.notificationQueueUrl === "string") out.notificationQueueUrl = s.notificationQueueUrl;
  if (typeof s.deadLetterQueueUrl === "string") out.deadLetterQueueUrl = s.deadLetterQueueUrl;
  if (typeof s.maxReceiveCount === "number" && s.maxReceiveCount >= 1)
    out.maxReceiveCount = Math.floor(s.maxReceiveCount);
  if (typeof s.notificationSubscription === "string")
    out.notificationSubscription = s.notificationSubscription;
  return out;
}

export function providerNameOf(account: Pick<AccountTarget, "provider" | "key">): ProviderName | null {
  const p = account.provider.toLowerCase();
  return p === "aws" || p === "gcp" ? p : null;
}

/** Counts logical calls by wrapping the provider's CallGate.run on this instance only. */
function countCalls(gate: { run: (...args: never[]) => unknown }): () => number {
  let n = 0;
  const run = gate.run.bind(gate) as (...args: unknown[]) => unknown;
  (gate as { run: unknown }).run = (...args: unknown[]) => {
    n++;
    return run(...args);
  };
  return () => n;
}

/**
 * Builds the provider of an account. Throws Invalid (field `accountId`) when the account's cloud is not
 * one CloudPAM can reach or its settings lack what the cloud needs.
 */
export async function providerFor(
  account: AccountTarget,
  overrides: ProviderOverrides = {},
): Promise<ProviderHandle> {
  const name = providerNameOf(account);
  if (!name) {
    throw new Invalid(
      "accountId",
      `account '${account.name}' is ${withArticle(account.provider)} account; only aws and gcp accounts can be synced`,
    );
  }
  const settings = accountSettings(account);
  if (overrides.factory) {
    const provider = overrides.factory(account, settings);
    return {
      provider,
      name,
      regions: name === "aws" ? (settings.regions ?? []) : ["global"],
      settings,
      calls: () => 0,
      dispose: async () => undefined,
    };
  }
  if (name === "aws") {
    const regions = settings.regions ?? [];
    if (regions.length === 0) {
      throw new Invalid(
        "accountId",
        `account '${account.name}' names no regions to scan; set its regions or settings.regions`,
      );
    }
    const { AwsProvider } = await import("../providers/aws.js");
    const provider = new AwsProvider({
      regions,
      roleArn: settings.roleArn,
      externalId: settings.externalId,
      concurrency: settings.concurrency,
      ...overrides.aws,
    });
    const calls = countCalls(provider.gate as never);
    return {
      provider,
      name,
      regions,
      settings,
      calls,
      dispose: async () => provider.destroy(),
    };
  }
  const projectId = settings.projectId ?? account.key.replace(/^gcp:/, "");
  const { GcpProvider } = await import("../providers/gcp.js");
  const provider = new GcpProvider({ projectId, concurrency: settings.concurrency, ...overrides.gcp });
  const calls = countCalls(provider.gate as never);
  return {
    provider,
    name,
    regions: ["global"],
    settings,
    calls,
    dispose: () => provider.close(),
  };
}

/**
 * The change feed of an account (its SQS queue or Pub/Sub subscription), or null when its settings name
 * none. Credentials as for the account's provider (AWS: the assumed role when `roleArn` is set).
 */
export async function feedFor(
  account: AccountTarget,
  overrides: ProviderOverrides = {},
): Promise<ChangeFeed | null> {
  const name = providerNameOf(account);
  const settings = accountSettings(account);
  if (name === "aws" && settings.notificationQueueUrl) {
    const { SqsChangeFeed } = await import("../providers/aws-notifications.js");
    const aws = overrides.aws ?? {};
    return new SqsChangeFeed({
      region: settings.regions?.[0] ?? "us-east-1",
      roleArn: settings.roleArn,
      externalId: settings.externalId,
      credentials: aws.credentials,
      stsEndpoint: aws.stsEndpoint,
      ...overrides.sqs,
      queueUrl: settings.notificationQueueUrl,
      deadLetterQueueUrl: settings.deadLetterQueueUrl,
    });
  }
  if (name === "gcp" && settings.notificationSubscription) {
    const { PubSubChangeFeed } = await import("../providers/gcp-notifications.js");
    return new PubSubChangeFeed({ ...overrides.pubsub, subscription: settings.notificationSubscription });
  }
  return null;
}
