/** Accounts as the API shows them (Account implements Node). `Account.pools` is added by the account resolver. */
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import type { AccountRecord } from "../domain/accounts.js";
import { ConnectionType, SortDirection } from "./connection.js";
import { Node, toGlobalId } from "./node.js";
import { Pool, RemovedPrefix } from "./pool.js";
import { Tier } from "./tier.js";

export enum Provider {
  AWS = "AWS",
  GCP = "GCP",
  AZURE = "AZURE",
  ONPREM = "ONPREM",
}
registerEnumType(Provider, {
  name: "Provider",
  description: "Where an account lives; derived from the account key.",
  valuesConfig: {
    AWS: { description: "An AWS account (`aws:<12 digits>`)." },
    GCP: { description: "A GCP project (`gcp:<project-id>`)." },
    AZURE: { description: "An Azure subscription (`azure:<subscription uuid>`)." },
    ONPREM: { description: "An on-premises site or network (`onprem:<slug>`)." },
  },
});

export enum ReconcilePolicy {
  OBSERVE = "OBSERVE",
  MANAGE = "MANAGE",
}
registerEnumType(ReconcilePolicy, {
  name: "ReconcilePolicy",
  description: "What cloud sync may do in an account.",
  valuesConfig: {
    OBSERVE: { description: "Read only: discover resources and report drift (the default)." },
    MANAGE: { description: "Also create and delete the subnets CloudPAM manages." },
  },
});

export enum AccountOrderField {
  KEY = "KEY",
  NAME = "NAME",
  CREATED_AT = "CREATED_AT",
}
registerEnumType(AccountOrderField, {
  name: "AccountOrderField",
  description: "What accounts are ordered by (ties broken by creation order).",
  valuesConfig: {
    KEY: { description: "The account key (indexed; the default)." },
    NAME: { description: "The display name." },
    CREATED_AT: { description: "Creation time." },
  },
});

@ObjectType({ description: "Provider settings read by cloud sync." })
export class AccountSettings {
  @Field(() => [String], { nullable: true, description: "Regions to scan; null = the account's regions." })
  regions!: string[] | null;

  @Field(() => String, { nullable: true, description: "AWS: the IAM role CloudPAM assumes in the account." })
  roleArn!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "AWS: the external id the role's trust policy requires.",
  })
  externalId!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "GCP: the project to read; null = the project of the key.",
  })
  projectId!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Name of the scope synced CIDRs are compared in; null = the default scope.",
  })
  scope!: string | null;

  @Field(() => [String], {
    nullable: true,
    description:
      'Observed CIDRs inside these are IGNORED by sync; null = ["172.31.0.0/16"] (AWS default VPCs).',
  })
  ignoreCidrs!: string[] | null;

  @Field(() => String, {
    nullable: true,
    description: "Cloud resources with this tag are IGNORED by sync; null = `cloudpam:ignore`.",
  })
  ignoreTag!: string | null;

  @Field(() => Int, { nullable: true, description: "Cloud API calls in flight for this account; null = 8." })
  concurrency!: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      "AWS: SQS queue URL of the account's EC2 change events (EventBridge rule); null = polling only.",
  })
  notificationQueueUrl!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "AWS: SQS queue URL poison notifications are moved to; null = the queue's redrive policy.",
  })
  deadLetterQueueUrl!: string | null;

  @Field(() => Int, {
    nullable: true,
    description: "Deliveries of a failing notification before it is dead-lettered; null = 5.",
  })
  maxReceiveCount!: number | null;

  @Field(() => String, {
    nullable: true,
    description: "GCP: Pub/Sub subscription of the compute audit-log sink; null = polling only.",
  })
  notificationSubscription!: string | null;
}

@ObjectType({
  implements: Node,
  description: "A cloud account, GCP project, Azure subscription or on-prem site.",
})
export class Account extends Node {
  /** Row id (not in the schema): for field resolvers and DataLoaders of other modules. */
  rowId!: number;
  __typename!: "Account";

  @Field(() => String, {
    description: "Unique key: `aws:<12 digits>`, `gcp:<project-id>`, `azure:<uuid>`, `onprem:<slug>`.",
  })
  key!: string;

  @Field(() => Provider, { description: "Provider, derived from the key." })
  provider!: Provider;

  @Field(() => String, { description: "Display name." })
  name!: string;

  @Field(() => String, { nullable: true, description: "Free-text description." })
  description!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Platform or team that owns the account, e.g. `payments`.",
  })
  platform!: string | null;

  @Field(() => Tier, { nullable: true, description: "Tier of the account." })
  tier!: Tier | null;

  @Field(() => String, { nullable: true, description: "Environment label, e.g. `prod-eu`." })
  environment!: string | null;

  @Field(() => [String], {
    description: "Regions the account uses (validated per provider, e.g. `us-east-1`, `europe-west4`).",
  })
  regions!: string[];

  @Field(() => AccountSettings, { description: "Provider settings used by cloud sync." })
  settings!: AccountSettings;

  @Field(() => ReconcilePolicy, { description: "What cloud sync may do in the account." })
  reconcilePolicy!: ReconcilePolicy;

  @Field(() => Date, { description: "When the account was created." })
  createdAt!: Date;

  @Field(() => Date, { description: "When the account was last changed." })
  updatedAt!: Date;

  @Field(() => Date, {
    nullable: true,
    description:
      "When the account was deleted; null unless it is (deleted objects are only listed with includeDeleted: true). `restore` brings it back within RETENTION_DAYS.",
  })
  deletedAt!: Date | null;

  @Field(() => String, {
    nullable: true,
    description: "Who deleted it (token or user); null unless deleted.",
  })
  deletedBy!: string | null;
}

export function toAccount(account: AccountRecord): Account {
  const s = account.settings;
  return {
    __typename: "Account",
    id: toGlobalId("Account", account.id),
    rowId: account.id,
    key: account.key,
    provider: account.provider as Provider,
    name: account.name,
    description: account.description,
    platform: account.platform,
    tier: account.tier as Tier | null,
    environment: account.environment,
    regions: account.regions,
    settings: {
      regions: s.regions ?? null,
      roleArn: s.roleArn ?? null,
      externalId: s.externalId ?? null,
      projectId: s.projectId ?? null,
      scope: s.scope ?? null,
      ignoreCidrs: s.ignoreCidrs ?? null,
      ignoreTag: s.ignoreTag ?? null,
      concurrency: s.concurrency ?? null,
      notificationQueueUrl: s.notificationQueueUrl ?? null,
      deadLetterQueueUrl: s.deadLetterQueueUrl ?? null,
      maxReceiveCount: s.maxReceiveCount ?? null,
      notificationSubscription: s.notificationSubscription ?? null,
    },
    reconcilePolicy: account.reconcilePolicy as ReconcilePolicy,
    createdAt: new Date(account.createdAt),
    updatedAt: new Date(account.updatedAt),
    deletedAt: account.deletedAt ? new Date(account.deletedAt) : null,
    deletedBy: account.deletedBy ?? null,
  };
}

export const AccountConnection = ConnectionType("Account", Account);
export type AccountConnection = InstanceType<typeof AccountConnection>;

@InputType({ description: "Narrows an account list; every field given must match." })
export class AccountFilter {
  @Field(() => Provider, { nullable: true, description: "Only accounts of this provider." })
  provider?: Provider | null;

  @Field(() => Tier, { nullable: true, description: "Only accounts of this tier." })
  tier?: Tier | null;

  @Field(() => String, { nullable: true, description: "Only accounts with exactly this environment." })
  environment?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Only accounts of exactly this platform (owning team).",
  })
  platform?: string | null;

  @Field(() => String, { nullable: true, description: "Only accounts whose regions include this one." })
  region?: string | null;

  @Field(() => String, { nullable: true, description: "Case-insensitive substring of the key or the name." })
  search?: string | null;
}

@InputType({ description: "Order of an account list." })
export class AccountOrder {
  @Field(() => AccountOrderField, { description: "What to order by." })
  field!: AccountOrderField;

  @Field(() => SortDirection, { nullable: true, description: "Direction (default ASC)." })
  direction?: SortDirection | null;
}

@InputType({ description: "Provider settings used by cloud sync." })
export class AccountSettingsInput {
  @Field(() => [String], { nullable: true, description: "Regions to scan (validated per provider)." })
  regions?: string[] | null;

  @Field(() => String, { nullable: true, description: "AWS only: IAM role ARN in this account to assume." })
  roleArn?: string | null;

  @Field(() => String, { nullable: true, description: "AWS only: external id required by the role." })
  externalId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "GCP only: project to read (default: the key's project).",
  })
  projectId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Name of the scope sync compares CIDRs in (default: the default scope).",
  })
  scope?: string | null;

  @Field(() => [String], {
    nullable: true,
    description:
      'CIDRs whose observed sub-ranges sync marks IGNORED (default ["172.31.0.0/16"]; [] ignores none).',
  })
  ignoreCidrs?: string[] | null;

  @Field(() => String, {
    nullable: true,
    description: "Tag key that makes sync ignore a resource (default `cloudpam:ignore`).",
  })
  ignoreTag?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: "Cloud API calls in flight for this account, 1-64 (default 8).",
  })
  concurrency?: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      "AWS only: SQS queue URL an EventBridge rule fills with the account's EC2 CloudTrail events (changes seen within seconds).",
  })
  notificationQueueUrl?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "AWS only: SQS queue URL poison notifications are moved to (else the queue's redrive policy).",
  })
  deadLetterQueueUrl?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: "Deliveries of a failing notification before it is dead-lettered, 1-100 (default 5).",
  })
  maxReceiveCount?: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      "GCP only: Pub/Sub subscription (projects/<p>/subscriptions/<s>) of the compute audit-log sink.",
  })
  notificationSubscription?: string | null;
}

@InputType({ description: "A new account." })
export class CreateAccountInput {
  @Field(() => String, {
    description: "Unique key; the provider is derived from it, e.g. `aws:123456789012`.",
  })
  key!: string;

  @Field(() => String, { description: "Display name, 1-255 characters." })
  name!: string;

  @Field(() => String, { nullable: true, description: "Free-text description." })
  description?: string | null;

  @Field(() => String, { nullable: true, description: "Owning platform or team." })
  platform?: string | null;

  @Field(() => Tier, { nullable: true, description: "Tier." })
  tier?: Tier | null;

  @Field(() => String, { nullable: true, description: "Environment label." })
  environment?: string | null;

  @Field(() => [String], {
    nullable: true,
    description: "Regions used by the account (validated per provider).",
  })
  regions?: string[] | null;

  @Field(() => AccountSettingsInput, { nullable: true, description: "Provider settings for cloud sync." })
  settings?: AccountSettingsInput | null;

  @Field(() => ReconcilePolicy, { nullable: true, description: "What cloud sync may do (default OBSERVE)." })
  reconcilePolicy?: ReconcilePolicy | null;
}

@InputType({
  description:
    "Changes to an account: only the fields present change; an explicit null clears. The key is immutable.",
})
export class UpdateAccountInput {
  @Field(() => ID, { description: "Global id of the account." })
  id!: string;

  @Field(() => String, { nullable: true, description: "New display name (cannot be cleared)." })
  name?: string | null;

  @Field(() => String, { nullable: true, description: "New description; null clears." })
  description?: string | null;

  @Field(() => String, { nullable: true, description: "New platform; null clears." })
  platform?: string | null;

  @Field(() => Tier, { nullable: true, description: "New tier; null clears." })
  tier?: Tier | null;

  @Field(() => String, { nullable: true, description: "New environment; null clears." })
  environment?: string | null;

  @Field(() => [String], { nullable: true, description: "New regions (replace the list); null clears." })
  regions?: string[] | null;

  @Field(() => AccountSettingsInput, {
    nullable: true,
    description: "New provider settings (replace them); null clears.",
  })
  settings?: AccountSettingsInput | null;

  @Field(() => ReconcilePolicy, {
    nullable: true,
    description: "New reconcile policy; null resets to OBSERVE.",
  })
  reconcilePolicy?: ReconcilePolicy | null;
}

@InputType({ description: "The account to delete." })
export class DeleteAccountInput {
  @Field(() => ID, { description: "Global id of the account." })
  id!: string;

  @Field(() => Boolean, {
    nullable: true,
    description:
      "Also delete what uses it: its pools are detached (kept, without account), its allocations and reservations deleted (space returned). Default false: refused with CONFLICT while anything uses it.",
  })
  cascade?: boolean | null;
}

@ObjectType({ description: "The created account." })
export class CreateAccountPayload {
  @Field(() => Account, { description: "The new account." })
  account!: Account;
}

@ObjectType({ description: "The updated account." })
export class UpdateAccountPayload {
  @Field(() => Account, { description: "The account after the change." })
  account!: Account;
}

@ObjectType({ description: "The deleted account and what changed with it." })
export class DeleteAccountPayload {
  @Field(() => ID, { description: "Global id the account had." })
  deletedAccountId!: string;

  @Field(() => [Pool], { description: "Pools that used the account: kept, now without account (cascade)." })
  detachedPools!: Pool[];

  @Field(() => [RemovedPrefix], {
    description: "Allocations and reservations deleted with the account (cascade).",
  })
  removed!: RemovedPrefix[];
}
