/**
 * Accounts: the cloud accounts, GCP projects, Azure subscriptions and on-prem sites that own pools and
 * allocations. The provider is derived from the key; regions are validated per provider; `settings`
 * tell cloud sync where to look (regions to scan, the AWS role to assume, the GCP project) and
 * `reconcilePolicy` whether it may change anything (OBSERVE, the default) or not.
 *
 * deleteAccount with `cascade` (one transaction, one event per change):
 * - pools of the account are kept and detached (accountId cleared; `pool.updated`);
 * - the account's allocations and reservations are deleted and their space returned to their pools
 *   (`allocation.deleted` / `reservation.deleted`); released allocations (history) are deleted too;
 * - cloud resources, drift items and sync state of the account go with it (foreign-key cascade).
 * Without `cascade`, pools or live allocations/reservations using the account refuse the delete (CONFLICT
 * naming them); released history alone does not block it and is removed with the account.
 */
import {
  accountByKey,
  accountsByIds,
  accountsPage,
  countAccounts,
  insertAccount,
  updateAccountRow,
  type AccountOrderField,
  type AccountRow,
  type AccountRowFilter,
} from "../db/accounts.js";
import { formatPrefix } from "../allocator/index.js";
import { resolvePage, type Page, type PageArgs } from "../db/pagination.js";
import { lockPoolRows, prefixesOfAccount, updatePrefixRow } from "../db/pools.js";
import {
  deleteCloudStateOfAccount,
  insertDeletion,
  markAccountDeleted,
  markPrefixesDeleted,
} from "../db/deletions.js";
import type { PrefixRow } from "../db/prefixes.js";
import { prefixesByIds, rowPrefix } from "../db/prefixes.js";
import type { Store } from "../db/store.js";
import type { Caller } from "./caller.js";
import { Conflict, Invalid, withArticle } from "./errors.js";
import { appendEvent } from "./events.js";
import { describePrefix, prefixRef, vacateInPool } from "./placement.js";
import { actorLabel } from "./roles.js";
import {
  appendDeletedEvents,
  prefixSnapshot,
  TIERS,
  toPoolRecord,
  toRemovedPrefixRecord,
  type PoolRecord,
  type RemovedPrefixRecord,
  type Tier,
} from "./pools.js";
import { freeText, parseCidr, requireAccount, requiredName, tagKey } from "./validation.js";

export type { AccountRow };

export const PROVIDERS = ["AWS", "GCP", "AZURE", "ONPREM"] as const;
export type Provider = (typeof PROVIDERS)[number];
export const RECONCILE_POLICIES = ["OBSERVE", "MANAGE"] as const;
export type ReconcilePolicy = (typeof RECONCILE_POLICIES)[number];

/** Provider settings used by cloud sync. */
export interface AccountSettings {
  /** Regions to scan (default: the account's regions). */
  regions?: string[];
  /** AWS: the IAM role CloudPAM assumes in the account. */
  roleArn?: string;
  /** AWS: the external id required by the role's trust policy. */
  externalId?: string;
  /** GCP: the project to read (default: the project of the key). */
  projectId?: string;
  /** Name of the scope (address space) synced CIDRs are compared in (default: the default scope). */
  scope?: string;
  /** Observed CIDRs inside these are IGNORED by sync (default ["172.31.0.0/16"]; [] classifies default VPCs). */
  ignoreCidrs?: string[];
  /** Cloud resources carrying this tag are IGNORED by sync (default "cloudpam:ignore"). */
  ignoreTag?: string;
  /** Cloud API calls in flight for this account, 1-64 (default 8). */
  concurrency?: number;
  /** AWS: SQS queue URL an EventBridge rule fills with the account's EC2 CloudTrail events. */
  notificationQueueUrl?: string;
  /** AWS: SQS queue URL poison notifications are moved to (else the queue's redrive policy applies). */
  deadLetterQueueUrl?: string;
  /** Deliveries of a notification that fails before it is dead-lettered, 1-100 (default 5). */
  maxReceiveCount?: number;
  /** GCP: Pub/Sub subscription (`projects/<p>/subscriptions/<s>`) of the audit-log sink. */
  notificationSubscription?: string;
}

const GCP_PROJECT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const KEY_RULES: Record<Provider, { prefix: string; re: RegExp; example: string; what: string }> = {
  AWS: { prefix: "aws", re: /^\d{12}$/, example: "aws:123456789012", what: "a 12-digit AWS account id" },
  GCP: {
    prefix: "gcp",
    re: GCP_PROJECT,
    example: "gcp:my-project-42",
    what: "a GCP project id (6-30 characters: lowercase letters, digits and '-', starting with a letter, not ending with '-')",
  },
  AZURE: {
    prefix: "azure",
    re: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    example: "azure:00000000-0000-0000-0000-000000000000",
    what: "an Azure subscription id (a UUID)",
  },
  ONPREM: {
    prefix: "onprem",
    re: SLUG,
    example: "onprem:dc-east",
    what: "a slug (lowercase letters, digits and '-')",
  },
};
const REGION_RULES: Record<Provider, { re: RegExp; example: string }> = {
  AWS: { re: /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/, example: "us-east-1" },
  GCP: { re: /^[a-z]+-[a-z]+\d{1,2}$/, example: "europe-west4" },
  AZURE: { re: /^[a-z][a-z0-9]{2,39}$/, example: "westeurope" },
  ONPREM: { re: SLUG, example: "dc-east" },
};
const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/[\w+=,.@\-/]{1,512}$/;

/** Validates and canonicalises an account key; returns it with its provider. */
export function parseAccountKey(field: string, raw: string): { key: string; provider: Provider } {
  const text = raw.trim();
  const colon = text.indexOf(":");
  const prefix = colon < 0 ? "" : text.slice(0, colon).toLowerCase();
  const provider = PROVIDERS.find((p) => KEY_RULES[p].prefix === prefix);
  if (!provider) {
    throw new Invalid(
      field,
      `"${raw}" is not an account key; use aws:<12 digits>, gcp:<project-id>, azure:<subscription-uuid> or onprem:<slug>`,
      { value: raw },
    );
  }
  const rule = KEY_RULES[provider];
  const id = provider === "AZURE" ? text.slice(colon + 1).toLowerCase() : text.slice(colon + 1);
  if (!rule.re.test(id))
    throw new Invalid(
      field,
      `"${raw}" is not a valid ${provider} key: after "${prefix}:" comes ${rule.what}, e.g. ${rule.example}`,
      {
        value: raw,
      },
    );
  return { key: `${prefix}:${id}`, provider };
}

function cleanRegions(
  field: string,
  provider: Provider,
  regions: readonly string[] | null | undefined,
): string[] {
  const out: string[] = [];
  for (const r of regions ?? []) {
    const region = r.trim();
    if (!REGION_RULES[provider].re.test(region))
      throw new Invalid(
        field,
        `"${r}" is not ${withArticle(provider)} region (e.g. ${REGION_RULES[provider].example})`,
        { value: r },
      );
    if (!out.includes(region)) out.push(region);
  }
  return out;
}

function cleanLabel(field: string, value: string | null | undefined): string | null {
  if (value == null) return null;
  const text = value.trim();
  if (!text) return null;
  if (text.length > 64 || !/^[\w .:/@-]+$/.test(text))
    throw new Invalid(field, `${field} must be at most 64 letters, digits, spaces or . _ : / @ -`, { value });
  return text;
}

/** Settings as given by a caller (nulls = not set). */
export type AccountSettingsInput = { [K in keyof AccountSettings]?: AccountSettings[K] | null };

function cleanSettings(
  provider: Provider,
  key: string,
  s: AccountSettingsInput | null | undefined,
): AccountSettings {
  if (!s) return {};
  const out: AccountSettings = {};
  if (s.regions != null) out.regions = cleanRegions("settings.regions", provider, s.regions);
  if (s.roleArn != null) {
    if (provider !== "AWS")
      throw new Invalid("settings.roleArn", `roleArn applies to AWS accounts only, not ${provider}`);
    const m = ROLE_ARN.exec(s.roleArn.trim());
    if (!m)
      throw new Invalid(
        "settings.roleArn",
        `"${s.roleArn}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`,
        {
          value: s.roleArn,
        },
      );
    if (`aws:${m[1]}` !== key)
      throw new Invalid(
        "settings.roleArn",
        `the role ${s.roleArn} belongs to account ${m[1]}, not to ${key}`,
        { value: s.roleArn },
      );
    out.roleArn = s.roleArn.trim();
  }
  if (s.externalId != null) {
    if (provider !== "AWS")
      throw new Invalid("settings.externalId", `externalId applies to AWS accounts only, not ${provider}`);
    if (!/^[\w+=,.@:/-]{2,1224}$/.test(s.externalId))
      throw new Invalid(
        "settings.externalId",
        "externalId must be 2-1224 characters of letters, digits and +=,.@:/-",
      );
    out.externalId = s.externalId;
  }
  if (s.projectId != null) {
    if (provider !== "GCP")
      throw new Invalid("settings.projectId", `projectId applies to GCP accounts only, not ${provider}`);
    if (!GCP_PROJECT.test(s.projectId))
      throw new Invalid("settings.projectId", `"${s.projectId}" is not a GCP project id`, {
        value: s.projectId,
      });
    out.projectId = s.projectId;
  }
  if (s.scope != null) out.scope = requiredName("settings.scope", s.scope);
  if (s.ignoreCidrs != null)
    out.ignoreCidrs = s.ignoreCidrs.map((c) => formatPrefix(parseCidr("settings.ignoreCidrs", c)));
  if (s.ignoreTag != null) out.ignoreTag = tagKey("settings.ignoreTag", s.ignoreTag.trim());
  if (s.notificationQueueUrl != null)
    out.notificationQueueUrl = queueUrl(provider, "settings.notificationQueueUrl", s.notificationQueueUrl);
  if (s.deadLetterQueueUrl != null)
    out.deadLetterQueueUrl = queueUrl(provider, "settings.deadLetterQueueUrl", s.deadLetterQueueUrl);
  if (s.maxReceiveCount != null) {
    if (!Number.isInteger(s.maxReceiveCount) || s.maxReceiveCount < 1 || s.maxReceiveCount > 100)
      throw new Invalid(
        "settings.maxReceiveCount",
        `maxReceiveCount must be an integer from 1 to 100 (got ${s.maxReceiveCount})`,
      );
    out.maxReceiveCount = s.maxReceiveCount;
  }
  if (s.notificationSubscription != null) {
    if (provider !== "GCP")
      throw new Invalid(
        "settings.notificationSubscription",
        `notificationSubscription applies to GCP accounts only, not ${provider}`,
      );
    if (
      !/^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/subscriptions\/[A-Za-z][\w.~+%-]{2,254}$/.test(
        s.notificationSubscription,
      )
    )
      throw new Invalid(
        "settings.notificationSubscription",
        `"${s.notificationSubscription}" is not a Pub/Sub subscription name (projects/<project>/subscriptions/<name>)`,
        { value: s.notificationSubscription },
      );
    out.notificationSubscription = s.notificationSubscription;
  }
  if (s.concurrency != null) {
    if (!Number.isInteger(s.concurrency) || s.concurrency < 1 || s.concurrency > 64)
      throw new Invalid(
        "settings.concurrency",
        `concurrency must be an integer from 1 to 64 (got ${s.concurrency})`,
      );
    out.concurrency = s.concurrency;
  }
  return out;
}

function queueUrl(provider: Provider, field: string, value: string): string {
  const name = field.replace(/^settings\./, "");
  if (provider !== "AWS") throw new Invalid(field, `${name} applies to AWS accounts only, not ${provider}`);
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new Invalid(
      field,
      `"${value}" is not an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<queue>)`,
      { value },
    );
  }
  if (!/^https?:$/.test(url.protocol) || !/^\/\d{12}\/[\w-]{1,80}(\.fifo)?$/.test(url.pathname))
    throw new Invalid(
      field,
      `"${value}" is not an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<queue>)`,
      { value },
    );
  return url.toString();
}

export function accountSettings(row: AccountRow): AccountSettings {
  return JSON.parse(row.settings) as AccountSettings;
}

export function accountRegions(row: AccountRow): string[] {
  return JSON.parse(row.regions) as string[];
}

/** An account as the domain hands it out, regions and settings decoded (src/schema never sees a database row). */
export interface AccountRecord {
  id: number;
  key: string;
  provider: Provider;
  name: string;
  description: string | null;
  platform: string | null;
  tier: Tier | null;
  environment: string | null;
  regions: string[];
  settings: AccountSettings;
  reconcilePolicy: ReconcilePolicy;
  /** ISO-8601 UTC. */
  createdAt: string;
  updatedAt: string;
  /** Soft delete (issue #18): only on a deleted object (lists with includeDeleted). */
  deletedAt?: string;
  deletedBy?: string | null;
}

export function toAccountRecord(row: AccountRow): AccountRecord {
  return {
    id: row.id,
    key: row.key,
    provider: row.provider as Provider,
    name: row.name,
    description: row.description,
    platform: row.platform,
    tier: row.tier as Tier | null,
    environment: row.environment,
    regions: accountRegions(row),
    settings: accountSettings(row),
    reconcilePolicy: row.reconcilePolicy as ReconcilePolicy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    ...(row.deletedAt !== null ? { deletedAt: row.deletedAt, deletedBy: row.deletedBy } : {}),
  };
}

export function accountSnapshot(row: AccountRow) {
  return {
    id: row.id,
    key: row.key,
    provider: row.provider,
    name: row.name,
    description: row.description,
    platform: row.platform,
    tier: row.tier,
    environment: row.environment,
    regions: accountRegions(row),
    settings: accountSettings(row),
    reconcilePolicy: row.reconcilePolicy,
  };
}

function accountRef(row: AccountRow) {
  return { type: "Account", id: row.id, name: row.name };
}

function oneOf<T extends string>(field: string, values: readonly T[], v: string): T {
  if (!(values as readonly string[]).includes(v))
    throw new Invalid(field, `"${v}" is not one of ${values.join(", ")}`);
  return v as T;
}

export interface CreateAccountInput {
  key: string;
  name: string;
  description?: string | null;
  platform?: string | null;
  tier?: string | null;
  environment?: string | null;
  regions?: readonly string[] | null;
  settings?: AccountSettingsInput | null;
  reconcilePolicy?: string | null;
}

export async function createAccount(
  store: Store,
  caller: Caller,
  input: CreateAccountInput,
): Promise<AccountRecord> {
  const { key, provider } = parseAccountKey("key", input.key);
  const values = {
    key,
    provider,
    name: requiredName("name", input.name),
    description: freeText("description", input.description),
    platform: cleanLabel("platform", input.platform),
    tier: input.tier == null ? null : oneOf("tier", TIERS, input.tier),
    environment: cleanLabel("environment", input.environment),
    regions: JSON.stringify(cleanRegions("regions", provider, input.regions)),
    settings: JSON.stringify(cleanSettings(provider, key, input.settings)),
    reconcilePolicy: oneOf("reconcilePolicy", RECONCILE_POLICIES, input.reconcilePolicy ?? "OBSERVE"),
  };
  return store.write(async (db) => {
    const existing = await accountByKey(db, key);
    if (existing)
      throw new Conflict(`an account with key ${key} already exists ('${existing.name}')`, {
        field: "key",
        conflicting: accountRef(existing),
      });
    const row = await insertAccount(db, values);
    await appendEvent(db, caller, {
      type: "account.created",
      subjectType: "Account",
      subjectId: row.id,
      after: accountSnapshot(row),
    });
    return toAccountRecord(row);
  });
}

export type UpdateAccountInput = {
  [K in Exclude<keyof CreateAccountInput, "key">]?: CreateAccountInput[K] | null;
};

/** Changes only the fields present (undefined = keep, null = clear; name cannot be cleared). The key is immutable. */
export async function updateAccount(
  store: Store,
  caller: Caller,
  id: number,
  patch: UpdateAccountInput,
): Promise<AccountRecord> {
  if (patch.name === null) throw new Invalid("name", "an account's name cannot be cleared");
  return store.write(async (db) => {
    const before = await requireAccount(db, id, "id");
    const provider = before.provider as Provider;
    const set: Partial<AccountRow> = {};
    if (patch.name != null) set.name = requiredName("name", patch.name);
    if (patch.description !== undefined) set.description = freeText("description", patch.description);
    if (patch.platform !== undefined) set.platform = cleanLabel("platform", patch.platform);
    if (patch.tier !== undefined) set.tier = patch.tier === null ? null : oneOf("tier", TIERS, patch.tier);
    if (patch.environment !== undefined) set.environment = cleanLabel("environment", patch.environment);
    if (patch.regions !== undefined)
      set.regions = JSON.stringify(cleanRegions("regions", provider, patch.regions));
    if (patch.settings !== undefined)
      set.settings = JSON.stringify(cleanSettings(provider, before.key, patch.settings));
    if (patch.reconcilePolicy !== undefined)
      set.reconcilePolicy = oneOf("reconcilePolicy", RECONCILE_POLICIES, patch.reconcilePolicy ?? "OBSERVE");
    const after = await updateAccountRow(db, id, set);
    await appendEvent(db, caller, {
      type: "account.updated",
      subjectType: "Account",
      subjectId: id,
      before: accountSnapshot(before),
      after: accountSnapshot(after),
    });
    return toAccountRecord(after);
  });
}

export interface DeletedAccount {
  account: AccountRecord;
  /** Pools that used the account, now without one. */
  detachedPools: PoolRecord[];
  /** Allocations and reservations (live and released) deleted with the account. */
  removed: RemovedPrefixRecord[];
}

export async function deleteAccount(
  store: Store,
  caller: Caller,
  id: number,
  cascade: boolean,
): Promise<DeletedAccount> {
  return store.write(async (db) => {
    const account = await requireAccount(db, id, "id");
    const rows = await prefixesOfAccount(db, id);
    const pools = rows.filter((r) => r.kind === "pool");
    const live = rows.filter((r) => r.kind !== "pool" && r.releasedAt === null);
    if (!cascade && pools.length + live.length > 0) {
      const users = [...pools, ...live];
      throw new Conflict(
        `account '${account.name}' (${account.key}) is used by ${users.length} pool(s)/allocation(s), e.g. ${describePrefix(users[0]!)}; ` +
          "reassign them or pass cascade: true (pools are detached, allocations deleted)",
        { field: "cascade", conflicting: users.slice(0, 20).map(prefixRef) },
      );
    }
    const parents = new Map(
      (await prefixesByIds(db, [...new Set(live.map((r) => r.parentId!))])).map((p) => [p.id, p]),
    );
    await lockPoolRows(db, parents.keys());
    for (const r of live) await vacateInPool(db, parents.get(r.parentId!)!, rowPrefix(r));
    const removed = rows.filter((r) => r.kind !== "pool");
    // Soft delete (issue #18): the account and its allocations stay, marked as one delete operation (which
    // remembers the detached pools, so restore can attach them again); its key is free for a new account.
    const deletion = await insertDeletion(db, {
      subjectType: "Account",
      subjectId: id,
      deletedBy: actorLabel(caller.actor),
      deletedAt: new Date().toISOString(),
      detail: JSON.stringify({ detachedPoolIds: pools.map((p) => p.id) }),
    });
    await markPrefixesDeleted(
      db,
      removed.map((r) => r.id),
      deletion,
    );
    const detachedPools: PrefixRow[] = [];
    for (const p of pools) detachedPools.push(await updatePrefixRow(db, p.id, { accountId: null }));
    await markAccountDeleted(db, id, deletion);
    await deleteCloudStateOfAccount(db, id);
    // The events last (src/db/README.md), in the order they always had.
    await appendDeletedEvents(db, caller, removed);
    for (const [i, p] of pools.entries())
      await appendEvent(db, caller, {
        type: "pool.updated",
        subjectType: "Pool",
        subjectId: p.id,
        before: prefixSnapshot(p),
        after: prefixSnapshot(detachedPools[i]!),
      });
    await appendEvent(db, caller, {
      type: "account.deleted",
      subjectType: "Account",
      subjectId: id,
      before: accountSnapshot(account),
    });
    return {
      account: toAccountRecord(account),
      detachedPools: detachedPools.map(toPoolRecord),
      removed: removed.map(toRemovedPrefixRecord),
    };
  });
}

export interface AccountFilter {
  provider?: string | null;
  tier?: string | null;
  environment?: string | null;
  platform?: string | null;
  region?: string | null;
  search?: string | null;
  /** Deleted accounts too (issue #18; auditors). */
  includeDeleted?: boolean | null;
}

export async function listAccounts(
  store: Store,
  filter: AccountFilter,
  order: AccountOrderField,
  descending: boolean,
  args: PageArgs,
  maxPageSize: number,
): Promise<{ page: Page<AccountRecord>; count: () => Promise<number> }> {
  const rowFilter: AccountRowFilter = { ...filter, search: filter.search?.trim() || null };
  const resolved = resolvePage(args, maxPageSize, descending);
  const page = await store.read((db) => accountsPage(db, rowFilter, order, resolved));
  return {
    page: { ...page, items: page.items.map(toAccountRecord) },
    count: () => store.read((db) => countAccounts(db, rowFilter)),
  };
}

/** Accounts by id in the order asked (null where missing): the Account DataLoader's batch function. */
export async function accountsById(store: Store, ids: readonly number[]): Promise<(AccountRecord | null)[]> {
  const rows = await store.read((db) => accountsByIds(db, ids));
  const byId = new Map(rows.map((r) => [r.id, toAccountRecord(r)]));
  return ids.map((id) => byId.get(id) ?? null);
}
