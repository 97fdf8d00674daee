/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Narrows an account list; every field given must match. */
export type AccountFilter = {
  /** Only accounts with exactly this environment. */
  environment?: string | null | undefined;
  /** Only accounts of exactly this platform (owning team). */
  platform?: string | null | undefined;
  /** Only accounts of this provider. */
  provider?: Provider | null | undefined;
  /** Only accounts whose regions include this one. */
  region?: string | null | undefined;
  /** Case-insensitive substring of the key or the name. */
  search?: string | null | undefined;
  /** Only accounts of this tier. */
  tier?: Tier | null | undefined;
};

/** Provider settings used by cloud sync. */
export type AccountSettingsInput = {
  /** Cloud API calls in flight for this account, 1-64 (default 8). */
  concurrency?: number | null | undefined;
  /** AWS only: SQS queue URL poison notifications are moved to (else the queue's redrive policy). */
  deadLetterQueueUrl?: string | null | undefined;
  /** AWS only: external id required by the role. */
  externalId?: string | null | undefined;
  /** CIDRs whose observed sub-ranges sync marks IGNORED (default ["172.31.0.0/16"]; [] ignores none). */
  ignoreCidrs?: Array<string> | null | undefined;
  /** Tag key that makes sync ignore a resource (default `cloudpam:ignore`). */
  ignoreTag?: string | null | undefined;
  /** Deliveries of a failing notification before it is dead-lettered, 1-100 (default 5). */
  maxReceiveCount?: number | null | undefined;
  /** AWS only: SQS queue URL an EventBridge rule fills with the account's EC2 CloudTrail events (changes seen within seconds). */
  notificationQueueUrl?: string | null | undefined;
  /** GCP only: Pub/Sub subscription (projects/<p>/subscriptions/<s>) of the compute audit-log sink. */
  notificationSubscription?: string | null | undefined;
  /** GCP only: project to read (default: the key's project). */
  projectId?: string | null | undefined;
  /** Regions to scan (validated per provider). */
  regions?: Array<string> | null | undefined;
  /** AWS only: IAM role ARN in this account to assume. */
  roleArn?: string | null | undefined;
  /** Name of the scope sync compares CIDRs in (default: the default scope). */
  scope?: string | null | undefined;
};

/** An unmanaged cloud CIDR to turn into an allocation. */
export type AdoptResourceInput = {
  /** Which CIDR of the resource (default: its primary). */
  cidr?: string | null | undefined;
  /** Name of the allocation (default: the resource's name or id). */
  name?: string | null | undefined;
  /** Global id of the pool the allocation is carved from (it must contain the CIDR). */
  poolId: string | number;
  /** Global id of the CloudResource. */
  resourceId: string | number;
};

/** What to allocate: the next free block of `prefixLength` (or the pool's default child length when both `prefixLength` and `cidr` are absent), or exactly `cidr`. */
export type AllocateInput = {
  /** Global id of the account the range is for (its tier must be allowed by the pool). */
  accountId: string | number;
  /** Exactly this range (it must be free in the pool). */
  cidr?: string | null | undefined;
  /** Free-text description. */
  description?: string | null | undefined;
  /** Makes retries safe: the same key with the same input returns the first result; with a different input, CONFLICT. */
  idempotencyKey?: string | null | undefined;
  /** Name, 1-255 characters. */
  name?: string | null | undefined;
  /** Global id of the pool to allocate from (it must be ACTIVE). */
  poolId: string | number;
  /** Prefix length of the block, e.g. 24; within the pool's rules. */
  prefixLength?: number | null | undefined;
  /** How to pick the block (default SMALLEST_FIT). */
  strategy?: AllocationStrategy | null | undefined;
  /** Tags: an object of string values (at most 50). */
  tags?: Record<string, unknown> | null | undefined;
};

/** Whether an allocation holds its range. */
export type AllocationStatus =
  /** Live: the range is taken from its pool. */
  | 'ALLOCATED'
  /** Released: the range is free again; the row stays for history. */
  | 'RELEASED';

/** How allocate picks the next free block. */
export type AllocationStrategy =
  /** The free block with the lowest address that holds the request. */
  | 'FIRST_FIT'
  /** The smallest free block that holds the request, lowest address first (keeps large blocks whole). */
  | 'SMALLEST_FIT';

/** What a row of the analytics table is. */
export type AnalyticsBlockKind =
  /** An allocation. */
  | 'ALLOCATION'
  /** A child pool (a pool carved from another pool). */
  | 'POOL';

/** One sort key of the analytics table. */
export type AnalyticsBlockOrder = {
  /** Sort direction. */
  direction?: SortDirection;
  /** What to sort by. */
  field: AnalyticsBlockOrderField;
};

/** A sort key of the analytics table. Missing values (no account, no name) sort first in ascending order. */
export type AnalyticsBlockOrderField =
  /** The account key. */
  | 'ACCOUNT'
  /** Creation time. */
  | 'CREATED_AT'
  /** The account's environment. */
  | 'ENVIRONMENT'
  /** Pools before allocations (alphabetical: ALLOCATION < POOL in ASC). */
  | 'KIND'
  /** The row's name. */
  | 'NAME'
  /** Scope, then address family, then start address; at equal starts the longer range (the parent) first. */
  | 'NETWORK'
  /** The account's platform. */
  | 'PLATFORM'
  /** The parent pool, in network order. */
  | 'POOL'
  /** The account's provider. */
  | 'PROVIDER'
  /** The scope name. */
  | 'SCOPE'
  /** The row's status. */
  | 'STATUS'
  /** The account's tier. */
  | 'TIER';

/** Status of a row: a pool status (PLANNED, ACTIVE, DEPRECATED) or an allocation status (ALLOCATED, RELEASED). */
export type AnalyticsBlockStatus =
  /** A pool in use. */
  | 'ACTIVE'
  /** A live allocation. */
  | 'ALLOCATED'
  /** A pool being emptied. */
  | 'DEPRECATED'
  /** A pool not in use yet. */
  | 'PLANNED'
  /** A released allocation (history; left out unless asked for). */
  | 'RELEASED';

/** Which rows of the analytics table (and of the aggregates and CSV exports) to include. Lists are alternatives (OR); different fields combine (AND). */
export type AnalyticsFilter = {
  /** Rows of these accounts (global ids). */
  accountIds?: Array<string | number> | null | undefined;
  /** Rows created at or after this time. */
  createdAfter?: string | null | undefined;
  /** Rows created before this time. */
  createdBefore?: string | null | undefined;
  /** Rows whose account has one of these environments. */
  environments?: Array<string> | null | undefined;
  /** Kinds of rows; default both. */
  kinds?: Array<AnalyticsBlockKind> | null | undefined;
  /** Rows whose account has one of these platforms. */
  platforms?: Array<string> | null | undefined;
  /** Rows directly inside one of these pools (global ids). */
  poolIds?: Array<string | number> | null | undefined;
  /** Rows whose account has one of these providers. */
  providers?: Array<Provider> | null | undefined;
  /** Rows whose account operates in one of these regions. */
  regions?: Array<string> | null | undefined;
  /** Rows in one of these scopes (global ids). */
  scopeIds?: Array<string | number> | null | undefined;
  /** Rows with one of these statuses; default every status but RELEASED. */
  statuses?: Array<AnalyticsBlockStatus> | null | undefined;
  /** Rows whose account has one of these tiers. */
  tiers?: Array<Tier> | null | undefined;
  /** Rows inside or equal to this network, e.g. "10.0.0.0/16" (address containment, not text). */
  within?: string | null | undefined;
};

/** Approval switches: only the fields present change (on create, absent = false). */
export type ApprovalPolicyInput = {
  /** provisionSubnet / deprovisionSubnet need approval. */
  actuation?: boolean | null | undefined;
  /** deletePool needs approval. */
  deletePool?: boolean | null | undefined;
  /** releaseAllocation needs approval. */
  releaseAllocation?: boolean | null | undefined;
};

/** What occupies a block. */
export type BlockStatus =
  /** Nothing: the whole block is free. */
  | 'FREE'
  /** The block lies inside a larger allocation, reservation or child pool. */
  | 'INSIDE'
  /** Smaller allocations, reservations or child pools, with free space between them. */
  | 'PARTIAL'
  /** Exactly one allocation, reservation or child pool of the block's size. */
  | 'USED';

/** Kind of observed network resource. */
export type CloudResourceType =
  /** An AWS subnet or a GCP subnetwork. */
  | 'SUBNET'
  /** An AWS VPC or a GCP VPC network. */
  | 'VPC';

/** A new account. */
export type CreateAccountInput = {
  /** Free-text description. */
  description?: string | null | undefined;
  /** Environment label. */
  environment?: string | null | undefined;
  /** Unique key; the provider is derived from it, e.g. `aws:123456789012`. */
  key: string;
  /** Display name, 1-255 characters. */
  name: string;
  /** Owning platform or team. */
  platform?: string | null | undefined;
  /** What cloud sync may do (default OBSERVE). */
  reconcilePolicy?: ReconcilePolicy | null | undefined;
  /** Regions used by the account (validated per provider). */
  regions?: Array<string> | null | undefined;
  /** Provider settings for cloud sync. */
  settings?: AccountSettingsInput | null | undefined;
  /** Tier. */
  tier?: Tier | null | undefined;
};

/** A new pool: an explicit `cidr` (top-level, or inside `parentId`), or `parentId` + `prefixLength` to carve the parent's next free block (smallest-fit). */
export type CreatePoolInput = {
  /** Owning account (global id). */
  accountId?: string | number | null | undefined;
  /** Exact range of the new pool. */
  cidr?: string | null | undefined;
  /** Free-text description. */
  description?: string | null | undefined;
  /** Export this pool's utilisation on /metrics (default false). */
  monitored?: boolean | null | undefined;
  /** Name, 1-255 characters (trimmed). */
  name: string;
  /** Parent pool (global id); omit for a top-level pool. */
  parentId?: string | number | null | undefined;
  /** Prefix length to carve from the parent (default: the parent's defaultChildPrefixLength). */
  prefixLength?: number | null | undefined;
  /** Allocation rules. */
  rules?: PoolRulesInput | null | undefined;
  /** Scope (global id); default: the parent's scope, else the default scope. */
  scopeId?: string | number | null | undefined;
  /** Status (default ACTIVE). */
  status?: PoolStatus | null | undefined;
  /** Tags: a JSON object of string values. */
  tags?: Record<string, unknown> | null | undefined;
};

/** A new scope. */
export type CreateScopeInput = {
  /** Operations that wait for a second principal's approval (default: none). */
  approvals?: ApprovalPolicyInput | null | undefined;
  /** Free-text description. */
  description?: string | null | undefined;
  /** Unique name, 1-255 characters. */
  name: string;
};

/** How the caller authenticated. */
export type CredentialKind =
  /** No credential: the server runs with AUTH=off and grants every caller ADMIN. */
  | 'ANONYMOUS'
  /** A JWT from the configured OIDC issuer (OIDC_ISSUER). */
  | 'OIDC'
  /** A CloudPAM API token (`cpam_…`). */
  | 'TOKEN';

/** The account to delete. */
export type DeleteAccountInput = {
  /** Also delete what uses it: its pools are detached (kept, without account), its allocations and reservations deleted (space returned). Default false: refused with CONFLICT while anything uses it. */
  cascade?: boolean | null | undefined;
  /** Global id of the account. */
  id: string | number;
};

/** Which drift items to list. */
export type DriftFilter = {
  /** Only drift of this account. */
  accountId?: string | number | null | undefined;
  /** Only this kind. */
  kind?: DriftKind | null | undefined;
  /** Only this severity. */
  severity?: DriftSeverity | null | undefined;
  /** Only this status. */
  status?: DriftStatus | null | undefined;
};

/** What does not match. */
export type DriftKind =
  /** A resource bound to an allocation has a different CIDR. */
  | 'CIDR_MISMATCH'
  /** An allocation is bound to a VPC/subnet that no longer exists. */
  | 'MISSING_IN_CLOUD'
  /** A cloud CIDR overlaps an allocation or pool assigned to another account. */
  | 'OVERLAP'
  /** A cloud CIDR that no allocation of the account covers. */
  | 'UNMANAGED';

/** How urgent: OVERLAP and CIDR_MISMATCH are HIGH, MISSING_IN_CLOUD and IPv4 UNMANAGED MEDIUM, IPv6 UNMANAGED LOW. */
export type DriftSeverity =
  /** Addresses may be used twice. */
  | 'HIGH'
  /** Worth a look (unmanaged IPv6 space). */
  | 'LOW'
  /** The plan is incomplete or stale. */
  | 'MEDIUM';

/** Life cycle of a drift item. */
export type DriftStatus =
  /** An operator decided it is fine; syncs leave it alone. */
  | 'IGNORED'
  /** Found by the last sync of its region. */
  | 'OPEN'
  /** No longer found (a later sync or an adoption resolved it). */
  | 'RESOLVED';

/** The drift item to ignore. */
export type IgnoreDriftInput = {
  /** Global id of an OPEN drift item. */
  id: string | number;
};

/** IP address family. */
export type IpFamily =
  /** IPv4 (32-bit). */
  | 'IPV4'
  /** IPv6 (128-bit). */
  | 'IPV6';

/** A group of operations that roles are granted (see `Role`). */
export type Permission =
  /** May administer scopes, pools, accounts, policies, webhooks and API tokens. */
  | 'ADMIN'
  /** May read the audit log (events). */
  | 'AUDIT'
  /** May allocate, release, reserve, adopt or ignore drift, and run cloud syncs. */
  | 'OPERATE'
  /** May read pools, allocations, accounts, blocks and drift. */
  | 'READ';

/** A plan: the root pool and the nested template levels below it. */
export type PlanInput = {
  /** The levels, outermost first (e.g. regions, tiers, accounts). */
  levels: Array<PlanLevelInput>;
  /** Global id of the existing pool the plan is carved from. */
  rootPoolId: string | number;
};

/** One level of a plan template: one child pool per key under every node of the level above (the root pool for the first level). */
export type PlanLevelInput = {
  /** Accounts by filter (the accounts query's filter): one pool per matching account, in account key order, keyed by the account key and assigned to the account. Pass one of keys, count or accounts. */
  accounts?: AccountFilter | null | undefined;
  /** Number of pools, keyed 1..count. Pass one of keys, count or accounts. */
  count?: number | null | undefined;
  /** The keys (regions, tiers, account names): one pool per key, in this order. Pass one of keys, count or accounts. */
  keys?: Array<string> | null | undefined;
  /** Name of each pool: `{key}`, `{index}` (1-based) and `{parent}` (the parent pool's name) are replaced; on an accounts level also `{account.name}`, `{account.key}`, `{account.tier}`, `{account.environment}`, `{account.platform}`, `{account.provider}`. Names of siblings must differ. Default `{parent}-{key}`; on an accounts level `{parent}-{account.name}`. */
  namePattern?: string | null | undefined;
  /** Prefix length of each pool. Pass prefixLength or size. */
  prefixLength?: number | null | undefined;
  /** Growth headroom: each pool sits at the start of an aligned slot 2^ceil(log2 reserveFor) times its size, the rest of the slot free beside it, so the pool can grow in place to its slot with resizePool (2 = room to double, 4 = to quadruple). The slot is placed, not reserved: later allocations in the parent may take the headroom. Default 1, at most 1024. */
  reserveFor?: number | null | undefined;
  /** Addresses each pool must hold (decimal string): the smallest prefix that holds them. Pass prefixLength or size. */
  size?: string | null | undefined;
};

/** Allocation rules; in updates only the fields present change and null clears one. */
export type PoolRulesInput = {
  /** Account tiers allowed to allocate; null = any. */
  allowedTiers?: Array<Tier> | null | undefined;
  /** Prefix length used when a request gives none. */
  defaultChildPrefixLength?: number | null | undefined;
  /** Longest prefix length handed out. */
  maxChildPrefixLength?: number | null | undefined;
  /** Shortest prefix length handed out. */
  minChildPrefixLength?: number | null | undefined;
};

/** Lifecycle of a pool. */
export type PoolStatus =
  /** In use (the default). */
  | 'ACTIVE'
  /** Being retired: keep existing allocations, add no new ones. */
  | 'DEPRECATED'
  /** Reserved in the plan, not in use yet. */
  | 'PLANNED';

/** What a prefix of the address plan is. */
export type PrefixKind =
  /** An allocation: a range carved from a pool for an account or purpose. */
  | 'ALLOCATION'
  /** A pool: a range that allocations and child pools are carved from. */
  | 'POOL'
  /** A reservation: a range held back, never handed out. */
  | 'RESERVATION';

/** Where an account lives; derived from the account key. */
export type Provider =
  /** An AWS account (`aws:<12 digits>`). */
  | 'AWS'
  /** An Azure subscription (`azure:<subscription uuid>`). */
  | 'AZURE'
  /** A GCP project (`gcp:<project-id>`). */
  | 'GCP'
  /** An on-premises site or network (`onprem:<slug>`). */
  | 'ONPREM';

/** What cloud sync may do in an account. */
export type ReconcilePolicy =
  /** Also create and delete the subnets CloudPAM manages. */
  | 'MANAGE'
  /** Read only: discover resources and report drift (the default). */
  | 'OBSERVE';

/** The allocation to release. */
export type ReleaseAllocationInput = {
  /** Global id of the allocation. */
  id: string | number;
};

/** What to hold back: exactly `cidr`, or the next free block of `prefixLength`. */
export type ReserveInput = {
  /** Exactly this range (it must be free in the pool). */
  cidr?: string | null | undefined;
  /** Global id of the pool. */
  poolId: string | number;
  /** Prefix length of the next free block to hold back. */
  prefixLength?: number | null | undefined;
  /** Why the range is held back. */
  reason?: string | null | undefined;
};

/** What a credential may do. */
export type Role =
  /** Everything: also administers pools, accounts, scopes, policies, webhooks and tokens. */
  | 'ADMIN'
  /** VIEWER, plus reads the audit log (events). */
  | 'AUDITOR'
  /** VIEWER, plus allocates, releases, reserves and syncs. */
  | 'OPERATOR'
  /** Reads pools, allocations, accounts and blocks. */
  | 'VIEWER';

/** Sort direction of a list. */
export type SortDirection =
  /** Ascending. */
  | 'ASC'
  /** Descending. */
  | 'DESC';

/** The account to sync now. */
export type SyncAccountInput = {
  /** Global id of an AWS or GCP account. */
  accountId: string | number;
};

/** State of the last sync of one region of an account. */
export type SyncStatus =
  /** The last sync could not read the region; its previous observations are kept. */
  | 'ERROR'
  /** The last sync read the region completely. */
  | 'OK'
  /** A sync is reading the cloud now. */
  | 'RUNNING';

/** The tier of an account (pools may restrict allocations to some tiers). */
export type Tier =
  /** Development. */
  | 'DEV'
  /** Production. */
  | 'PRD'
  /** Sandbox. */
  | 'SBX'
  /** Staging. */
  | 'STG';

/** Changes to an account: only the fields present change; an explicit null clears. The key is immutable. */
export type UpdateAccountInput = {
  /** New description; null clears. */
  description?: string | null | undefined;
  /** New environment; null clears. */
  environment?: string | null | undefined;
  /** Global id of the account. */
  id: string | number;
  /** New display name (cannot be cleared). */
  name?: string | null | undefined;
  /** New platform; null clears. */
  platform?: string | null | undefined;
  /** New reconcile policy; null resets to OBSERVE. */
  reconcilePolicy?: ReconcilePolicy | null | undefined;
  /** New regions (replace the list); null clears. */
  regions?: Array<string> | null | undefined;
  /** New provider settings (replace them); null clears. */
  settings?: AccountSettingsInput | null | undefined;
  /** New tier; null clears. */
  tier?: Tier | null | undefined;
};

export type AccountsForSelectQueryVariables = Exact<{ [key: string]: never; }>;


export type AccountsForSelectQuery = { accounts: { edges: Array<{ node: { id: string, name: string, key: string } }> } };

export type PreviewAllocationQueryVariables = Exact<{
  input: AllocateInput;
}>;


export type PreviewAllocationQuery = { previewAllocation: { cidr: string, existing: { id: string } | null } };

export type AllocateMutationVariables = Exact<{
  input: AllocateInput;
}>;


export type AllocateMutation = { allocate: { allocation: { id: string, cidr: string, name: string | null, pool: { id: string } } } };

export type ReserveMutationVariables = Exact<{
  input: ReserveInput;
}>;


export type ReserveMutation = { reserve: { reservation: { id: string, cidr: string, pool: { id: string } } } };

export type PoolBlocksQueryVariables = Exact<{
  id: string | number;
  len: number;
  status?: Array<BlockStatus> | BlockStatus | null | undefined;
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}>;


export type PoolBlocksQuery = { pool: { id: string, blocks: { totalCount: string, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null }, edges: Array<{ cursor: string, node: { cidr: string, prefixLength: number, status: BlockStatus, moreOccupants: boolean, occupants: Array<
            | { __typename: 'Allocation', id: string, cidr: string, allocationName: string | null, account: { id: string, name: string } | null }
            | { __typename: 'Pool', id: string, name: string, cidr: string }
            | { __typename: 'Reservation', id: string, cidr: string, reason: string | null }
          > } }> } } | null };

export type CreatePoolMutationVariables = Exact<{
  input: CreatePoolInput;
}>;


export type CreatePoolMutation = { createPool: { pool: { id: string, name: string, cidr: string, parent: { id: string } | null } } };

export type CreateScopeMutationVariables = Exact<{
  input: CreateScopeInput;
}>;


export type CreateScopeMutation = { createScope: { scope: { id: string, name: string } } };

export type ReleaseAllocationMutationVariables = Exact<{
  input: ReleaseAllocationInput;
}>;


export type ReleaseAllocationMutation = { releaseAllocation: { allocation: { id: string, cidr: string, status: AllocationStatus, releasedAt: string | null, pool: { id: string } } | null, changeRequest: { id: string, expiresAt: string } | null } };

export type PoolSpaceQueryVariables = Exact<{
  id: string | number;
  items: number;
}>;


export type PoolSpaceQuery = { pool: { id: string, name: string, cidr: string, family: IpFamily, prefixLength: number, children: { totalCount: number, edges: Array<{ node: { id: string, name: string, cidr: string, account: { id: string, name: string } | null } }> }, allocations: { totalCount: number, edges: Array<{ node: { id: string, name: string | null, cidr: string, account: { id: string, name: string } | null } }> }, reservations: { totalCount: number, edges: Array<{ node: { id: string, cidr: string, reason: string | null } }> } } | null };

export type SessionViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type SessionViewerQuery = { viewer: { kind: CredentialKind, subject: string, name: string, role: Role, permissions: Array<{ permission: Permission, granted: boolean, reason: string | null }> } };

export type SignInOptionsQueryVariables = Exact<{ [key: string]: never; }>;


export type SignInOptionsQuery = { serverInfo: { oidc: { issuer: string, clientId: string, scopes: string, redirectUri: string | null } | null } };

export type AccountsPageQueryVariables = Exact<{
  filter?: AccountFilter | null | undefined;
  first: number;
  after?: string | null | undefined;
}>;


export type AccountsPageQuery = { accounts: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ node: { id: string, key: string, name: string, provider: Provider, platform: string | null, tier: Tier | null, environment: string | null, regions: Array<string>, description: string | null, pools: { totalCount: number }, allocations: { totalCount: number } } }> } };

export type CreateAccountPageMutationVariables = Exact<{
  input: CreateAccountInput;
}>;


export type CreateAccountPageMutation = { createAccount: { account: { id: string, name: string } } };

export type UpdateAccountPageMutationVariables = Exact<{
  input: UpdateAccountInput;
}>;


export type UpdateAccountPageMutation = { updateAccount: { account: { id: string, name: string, platform: string | null, tier: Tier | null, environment: string | null, regions: Array<string> } } };

export type DeleteAccountPageMutationVariables = Exact<{
  input: DeleteAccountInput;
}>;


export type DeleteAccountPageMutation = { deleteAccount: { deletedAccountId: string } };

export type AnalyticsBlocksQueryVariables = Exact<{
  filter?: AnalyticsFilter | null | undefined;
  orderBy?: Array<AnalyticsBlockOrder> | AnalyticsBlockOrder | null | undefined;
  first: number;
  after?: string | null | undefined;
}>;


export type AnalyticsBlocksQuery = { blocks: { totalCount: number, pageInfo: { hasNextPage: boolean, endCursor: string | null }, edges: Array<{ cursor: string, node: { id: string, cidr: string, kind: AnalyticsBlockKind, status: AnalyticsBlockStatus, name: string | null, createdAt: string, addressCount: string, account: { id: string, name: string, tier: Tier | null, provider: Provider } | null, pool: { id: string, name: string } | null, scope: { id: string, name: string } } }> } };

export type AnalyticsStatsQueryVariables = Exact<{
  filter?: AnalyticsFilter | null | undefined;
}>;


export type AnalyticsStatsQuery = { analytics: { addressSpacePerAccount: Array<{ allocations: number, ipv4Addresses: string, account: { id: string, name: string } | null }>, allocationsPerPool: Array<{ allocations: number, pool: { id: string, name: string } }>, allocationsCreated: Array<{ period: string, allocations: number }> } };

export type AnalyticsAccountsQueryVariables = Exact<{ [key: string]: never; }>;


export type AnalyticsAccountsQuery = { accounts: { edges: Array<{ node: { id: string, name: string } }> } };

export type AnalyticsPoolNameQueryVariables = Exact<{
  id: string | number;
}>;


export type AnalyticsPoolNameQuery = { pool: { id: string, name: string, cidr: string } | null };

export type DriftPageQueryVariables = Exact<{
  filter?: DriftFilter | null | undefined;
}>;


export type DriftPageQuery = { driftItems: { totalCount: number, edges: Array<{ node: { id: string, kind: DriftKind, severity: DriftSeverity, status: DriftStatus, cidr: string | null, detail: string | null, detectedAt: string, account: { id: string, name: string } | null, resource: { id: string, externalId: string, name: string | null, resourceType: CloudResourceType, region: string | null } | null, allocation: { id: string, cidr: string, pool: { id: string, name: string } } | null } }> }, accounts: { edges: Array<{ node: { id: string, name: string, key: string } }> } };

export type DriftLiveSubscriptionVariables = Exact<{
  after?: string | null | undefined;
}>;


export type DriftLiveSubscription = { driftEvents: { cursor: string, type: string } };

export type IgnoreDriftMutationVariables = Exact<{
  input: IgnoreDriftInput;
}>;


export type IgnoreDriftMutation = { ignoreDrift: { driftItem: { id: string, status: DriftStatus } } };

export type SyncAccountNowMutationVariables = Exact<{
  input: SyncAccountInput;
}>;


export type SyncAccountNowMutation = { syncAccount: { resourcesSeen: number, driftDetected: number, driftOpen: number, driftResolved: number, states: Array<{ region: string, status: SyncStatus, error: string | null }> } };

export type SyncProgressQueryVariables = Exact<{
  accountId: string | number;
}>;


export type SyncProgressQuery = { syncState: Array<{ region: string, status: SyncStatus, error: string | null, counts: { vpcs: number, subnets: number } | null }> };

export type AdoptPoolsQueryVariables = Exact<{
  cidr: string;
}>;


export type AdoptPoolsQuery = { pools: { edges: Array<{ node: { id: string, name: string, cidr: string } }> } };

export type AdoptResourceMutationVariables = Exact<{
  input: AdoptResourceInput;
}>;


export type AdoptResourceMutation = { adoptResource: { allocationId: string, cidr: string } };

export type PreviewPlanQueryVariables = Exact<{
  input: PlanInput;
}>;


export type PreviewPlanQuery = { previewPlan: { applicable: boolean, poolCount: number, rootPercentBefore: number, rootPercentAfter: number, rootLargestFreeAfter: string | null, nodes: Array<{ path: string, parentPath: string | null, level: number, key: string, name: string, cidr: string | null, slot: string | null, prefixLength: number, percent: number, account: { id: string, name: string } | null }>, conflicts: Array<{ code: string, message: string, field: string, path: string | null, conflicting: { id: string, name: string, cidr: string } }> } };

export type ApplyPlanMutationVariables = Exact<{
  input: PlanInput;
  idempotencyKey?: string | null | undefined;
}>;


export type ApplyPlanMutation = { applyPlan: { rootPool: { id: string, name: string }, pools: Array<{ id: string, name: string, cidr: string }> } };

export type PoolStripQueryVariables = Exact<{
  id: string | number;
  stripLength: number;
}>;


export type PoolStripQuery = { pool: { id: string, blocks: { edges: Array<{ node: { cidr: string, status: BlockStatus } }> } } | null };

export type PoolAllocationEventsSubscriptionVariables = Exact<{
  poolId?: string | number | null | undefined;
  after?: string | null | undefined;
}>;


export type PoolAllocationEventsSubscription = { allocationEvents: { cursor: string, type: string, createdAt: string, pool: { id: string }, allocation: { id: string, cidr: string, name: string | null, status: AllocationStatus } } };

export type PoolPageQueryVariables = Exact<{
  id: string | number;
}>;


export type PoolPageQuery = { pool: { id: string, name: string, cidr: string, family: IpFamily, prefixLength: number, status: PoolStatus, description: string | null, scope: { id: string, name: string }, path: Array<{ id: string, name: string, cidr: string }>, account: { id: string, name: string, key: string } | null, rules: { minChildPrefixLength: number | null, maxChildPrefixLength: number | null, defaultChildPrefixLength: number | null, allowedTiers: Array<Tier> | null }, utilization: { percent: number, total: string, used: string, free: string, reserved: string, largestFree: string | null, freeBlocksByLength: Array<{ prefixLength: number, count: number }> }, children: { totalCount: number, edges: Array<{ node: { id: string, name: string, cidr: string, utilization: { percent: number } } }> } } | null };

export type ScopesQueryVariables = Exact<{ [key: string]: never; }>;


export type ScopesQuery = { scopes: { totalCount: number, edges: Array<{ node: { id: string, name: string, isDefault: boolean, description: string | null } }> } };

export type PoolNodeFieldsFragment = { id: string, name: string, cidr: string, status: PoolStatus, account: { id: string, name: string } | null, utilization: { percent: number }, children: { totalCount: number } };

export type RootPoolsQueryVariables = Exact<{
  scopeId: string | number;
}>;


export type RootPoolsQuery = { pools: { totalCount: number, edges: Array<{ node: { id: string, name: string, cidr: string, status: PoolStatus, account: { id: string, name: string } | null, utilization: { percent: number }, children: { totalCount: number } } }> } };

export type ChildPoolsQueryVariables = Exact<{
  id: string | number;
}>;


export type ChildPoolsQuery = { pool: { id: string, children: { totalCount: number, edges: Array<{ node: { id: string, name: string, cidr: string, status: PoolStatus, account: { id: string, name: string } | null, utilization: { percent: number }, children: { totalCount: number } } }> } } | null };

export type SearchPoolsQueryVariables = Exact<{
  search: string;
}>;


export type SearchPoolsQuery = { pools: { totalCount: number, edges: Array<{ node: { id: string, name: string, cidr: string, status: PoolStatus, scope: { id: string, name: string }, account: { id: string, name: string } | null, utilization: { percent: number }, children: { totalCount: number } } }> } };

export type LookupAddressQueryVariables = Exact<{
  address: string;
}>;


export type LookupAddressQuery = { lookup: Array<{ scope: { id: string, name: string }, chain: Array<{ id: string, cidr: string, kind: PrefixKind, name: string | null, status: string, pool: { id: string } | null }> }> };

export const PoolNodeFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PoolNodeFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Pool"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"utilization"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"percent"}}]}},{"kind":"Field","name":{"kind":"Name","value":"children"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"0"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}}]}}]}}]} as unknown as DocumentNode<PoolNodeFieldsFragment, unknown>;
export const AccountsForSelectDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AccountsForSelect"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accounts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"200"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"key"}}]}}]}}]}}]}}]} as unknown as DocumentNode<AccountsForSelectQuery, AccountsForSelectQueryVariables>;
export const PreviewAllocationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PreviewAllocation"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AllocateInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"previewAllocation"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"existing"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]} as unknown as DocumentNode<PreviewAllocationQuery, PreviewAllocationQueryVariables>;
export const AllocateDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Allocate"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AllocateInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"allocate"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"allocation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"pool"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]}}]} as unknown as DocumentNode<AllocateMutation, AllocateMutationVariables>;
export const ReserveDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Reserve"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ReserveInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reserve"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reservation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"pool"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ReserveMutation, ReserveMutationVariables>;
export const PoolBlocksDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PoolBlocks"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"len"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"status"}},"type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"BlockStatus"}}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"last"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"before"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pool"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"blocks"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"prefixLength"},"value":{"kind":"Variable","name":{"kind":"Name","value":"len"}}},{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"Variable","name":{"kind":"Name","value":"status"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"Variable","name":{"kind":"Name","value":"last"}}},{"kind":"Argument","name":{"kind":"Name","value":"before"},"value":{"kind":"Variable","name":{"kind":"Name","value":"before"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"prefixLength"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"moreOccupants"}},{"kind":"Field","name":{"kind":"Name","value":"occupants"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Allocation"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","alias":{"kind":"Name","value":"allocationName"},"name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Pool"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Reservation"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<PoolBlocksQuery, PoolBlocksQueryVariables>;
export const CreatePoolDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreatePool"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreatePoolInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createPool"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pool"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"parent"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]}}]} as unknown as DocumentNode<CreatePoolMutation, CreatePoolMutationVariables>;
export const CreateScopeDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateScope"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateScopeInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createScope"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"scope"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]} as unknown as DocumentNode<CreateScopeMutation, CreateScopeMutationVariables>;
export const ReleaseAllocationDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ReleaseAllocation"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ReleaseAllocationInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"releaseAllocation"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"allocation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"releasedAt"}},{"kind":"Field","name":{"kind":"Name","value":"pool"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"changeRequest"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}}]}}]}}]} as unknown as DocumentNode<ReleaseAllocationMutation, ReleaseAllocationMutationVariables>;
export const PoolSpaceDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PoolSpace"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"items"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pool"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"family"}},{"kind":"Field","name":{"kind":"Name","value":"prefixLength"}},{"kind":"Field","name":{"kind":"Name","value":"children"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"allocations"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"items"}}},{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"EnumValue","value":"ALLOCATED"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"reservations"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<PoolSpaceQuery, PoolSpaceQueryVariables>;
export const SessionViewerDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SessionViewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"subject"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"permissions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"permission"}},{"kind":"Field","name":{"kind":"Name","value":"granted"}},{"kind":"Field","name":{"kind":"Name","value":"reason"}}]}}]}}]}}]} as unknown as DocumentNode<SessionViewerQuery, SessionViewerQueryVariables>;
export const SignInOptionsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SignInOptions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"serverInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"oidc"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"issuer"}},{"kind":"Field","name":{"kind":"Name","value":"clientId"}},{"kind":"Field","name":{"kind":"Name","value":"scopes"}},{"kind":"Field","name":{"kind":"Name","value":"redirectUri"}}]}}]}}]}}]} as unknown as DocumentNode<SignInOptionsQuery, SignInOptionsQueryVariables>;
export const AccountsPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AccountsPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AccountFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accounts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}},{"kind":"Field","name":{"kind":"Name","value":"platform"}},{"kind":"Field","name":{"kind":"Name","value":"tier"}},{"kind":"Field","name":{"kind":"Name","value":"environment"}},{"kind":"Field","name":{"kind":"Name","value":"regions"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"pools"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"0"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}}]}},{"kind":"Field","name":{"kind":"Name","value":"allocations"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"0"}},{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"EnumValue","value":"ALLOCATED"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<AccountsPageQuery, AccountsPageQueryVariables>;
export const CreateAccountPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateAccountPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateAccountInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createAccount"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]} as unknown as DocumentNode<CreateAccountPageMutation, CreateAccountPageMutationVariables>;
export const UpdateAccountPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpdateAccountPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"UpdateAccountInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"updateAccount"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"platform"}},{"kind":"Field","name":{"kind":"Name","value":"tier"}},{"kind":"Field","name":{"kind":"Name","value":"environment"}},{"kind":"Field","name":{"kind":"Name","value":"regions"}}]}}]}}]}}]} as unknown as DocumentNode<UpdateAccountPageMutation, UpdateAccountPageMutationVariables>;
export const DeleteAccountPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteAccountPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"DeleteAccountInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteAccount"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deletedAccountId"}}]}}]}}]} as unknown as DocumentNode<DeleteAccountPageMutation, DeleteAccountPageMutationVariables>;
export const AnalyticsBlocksDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AnalyticsBlocks"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AnalyticsFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}},"type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AnalyticsBlockOrder"}}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"blocks"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"addressCount"}},{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"tier"}},{"kind":"Field","name":{"kind":"Name","value":"provider"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pool"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"scope"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<AnalyticsBlocksQuery, AnalyticsBlocksQueryVariables>;
export const AnalyticsStatsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AnalyticsStats"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AnalyticsFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"analytics"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addressSpacePerAccount"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"limit"},"value":{"kind":"IntValue","value":"12"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"allocations"}},{"kind":"Field","name":{"kind":"Name","value":"ipv4Addresses"}}]}},{"kind":"Field","name":{"kind":"Name","value":"allocationsPerPool"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"limit"},"value":{"kind":"IntValue","value":"12"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pool"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"allocations"}}]}},{"kind":"Field","name":{"kind":"Name","value":"allocationsCreated"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"interval"},"value":{"kind":"EnumValue","value":"DAY"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"period"}},{"kind":"Field","name":{"kind":"Name","value":"allocations"}}]}}]}}]}}]} as unknown as DocumentNode<AnalyticsStatsQuery, AnalyticsStatsQueryVariables>;
export const AnalyticsAccountsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AnalyticsAccounts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accounts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"200"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]} as unknown as DocumentNode<AnalyticsAccountsQuery, AnalyticsAccountsQueryVariables>;
export const AnalyticsPoolNameDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AnalyticsPoolName"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pool"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}}]}}]}}]} as unknown as DocumentNode<AnalyticsPoolNameQuery, AnalyticsPoolNameQueryVariables>;
export const DriftPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"DriftPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"DriftFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"driftItems"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"severity"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"detail"}},{"kind":"Field","name":{"kind":"Name","value":"detectedAt"}},{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"resource"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"externalId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"resourceType"}},{"kind":"Field","name":{"kind":"Name","value":"region"}}]}},{"kind":"Field","name":{"kind":"Name","value":"allocation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"pool"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"accounts"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"key"}}]}}]}}]}}]}}]} as unknown as DocumentNode<DriftPageQuery, DriftPageQueryVariables>;
export const DriftLiveDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"DriftLive"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"driftEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"type"}}]}}]}}]} as unknown as DocumentNode<DriftLiveSubscription, DriftLiveSubscriptionVariables>;
export const IgnoreDriftDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"IgnoreDrift"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"IgnoreDriftInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"ignoreDrift"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"driftItem"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]}}]} as unknown as DocumentNode<IgnoreDriftMutation, IgnoreDriftMutationVariables>;
export const SyncAccountNowDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SyncAccountNow"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SyncAccountInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"syncAccount"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"resourcesSeen"}},{"kind":"Field","name":{"kind":"Name","value":"driftDetected"}},{"kind":"Field","name":{"kind":"Name","value":"driftOpen"}},{"kind":"Field","name":{"kind":"Name","value":"driftResolved"}},{"kind":"Field","name":{"kind":"Name","value":"states"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"region"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"error"}}]}}]}}]}}]} as unknown as DocumentNode<SyncAccountNowMutation, SyncAccountNowMutationVariables>;
export const SyncProgressDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SyncProgress"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"accountId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"syncState"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"accountId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"accountId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"region"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"error"}},{"kind":"Field","name":{"kind":"Name","value":"counts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"vpcs"}},{"kind":"Field","name":{"kind":"Name","value":"subnets"}}]}}]}}]}}]} as unknown as DocumentNode<SyncProgressQuery, SyncProgressQueryVariables>;
export const AdoptPoolsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AdoptPools"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"cidr"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CIDR"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pools"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"containsOrEqual"},"value":{"kind":"Variable","name":{"kind":"Name","value":"cidr"}}}]}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}}]}}]}}]}}]}}]} as unknown as DocumentNode<AdoptPoolsQuery, AdoptPoolsQueryVariables>;
export const AdoptResourceDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AdoptResource"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AdoptResourceInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"adoptResource"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"allocationId"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}}]}}]}}]} as unknown as DocumentNode<AdoptResourceMutation, AdoptResourceMutationVariables>;
export const PreviewPlanDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PreviewPlan"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"PlanInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"previewPlan"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"applicable"}},{"kind":"Field","name":{"kind":"Name","value":"poolCount"}},{"kind":"Field","name":{"kind":"Name","value":"rootPercentBefore"}},{"kind":"Field","name":{"kind":"Name","value":"rootPercentAfter"}},{"kind":"Field","name":{"kind":"Name","value":"rootLargestFreeAfter"}},{"kind":"Field","name":{"kind":"Name","value":"nodes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"parentPath"}},{"kind":"Field","name":{"kind":"Name","value":"level"}},{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"slot"}},{"kind":"Field","name":{"kind":"Name","value":"prefixLength"}},{"kind":"Field","name":{"kind":"Name","value":"percent"}},{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"conflicts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"code"}},{"kind":"Field","name":{"kind":"Name","value":"message"}},{"kind":"Field","name":{"kind":"Name","value":"field"}},{"kind":"Field","name":{"kind":"Name","value":"path"}},{"kind":"Field","name":{"kind":"Name","value":"conflicting"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}}]}}]}}]}}]}}]} as unknown as DocumentNode<PreviewPlanQuery, PreviewPlanQueryVariables>;
export const ApplyPlanDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"ApplyPlan"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"PlanInput"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"idempotencyKey"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"applyPlan"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}},{"kind":"Argument","name":{"kind":"Name","value":"idempotencyKey"},"value":{"kind":"Variable","name":{"kind":"Name","value":"idempotencyKey"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"rootPool"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"pools"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}}]}}]}}]}}]} as unknown as DocumentNode<ApplyPlanMutation, ApplyPlanMutationVariables>;
export const PoolStripDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PoolStrip"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"stripLength"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pool"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"blocks"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"prefixLength"},"value":{"kind":"Variable","name":{"kind":"Name","value":"stripLength"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"256"}},{"kind":"Argument","name":{"kind":"Name","value":"status"},"value":{"kind":"ListValue","values":[{"kind":"EnumValue","value":"USED"},{"kind":"EnumValue","value":"PARTIAL"},{"kind":"EnumValue","value":"INSIDE"}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<PoolStripQuery, PoolStripQueryVariables>;
export const PoolAllocationEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"PoolAllocationEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"poolId"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"allocationEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"poolId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"poolId"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"type"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"pool"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}},{"kind":"Field","name":{"kind":"Name","value":"allocation"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}}]}}]}}]}}]} as unknown as DocumentNode<PoolAllocationEventsSubscription, PoolAllocationEventsSubscriptionVariables>;
export const PoolPageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"PoolPage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pool"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"family"}},{"kind":"Field","name":{"kind":"Name","value":"prefixLength"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"scope"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"path"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}}]}},{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"key"}}]}},{"kind":"Field","name":{"kind":"Name","value":"rules"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"minChildPrefixLength"}},{"kind":"Field","name":{"kind":"Name","value":"maxChildPrefixLength"}},{"kind":"Field","name":{"kind":"Name","value":"defaultChildPrefixLength"}},{"kind":"Field","name":{"kind":"Name","value":"allowedTiers"}}]}},{"kind":"Field","name":{"kind":"Name","value":"utilization"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"percent"}},{"kind":"Field","name":{"kind":"Name","value":"total"}},{"kind":"Field","name":{"kind":"Name","value":"used"}},{"kind":"Field","name":{"kind":"Name","value":"free"}},{"kind":"Field","name":{"kind":"Name","value":"reserved"}},{"kind":"Field","name":{"kind":"Name","value":"largestFree"}},{"kind":"Field","name":{"kind":"Name","value":"freeBlocksByLength"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"prefixLength"}},{"kind":"Field","name":{"kind":"Name","value":"count"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"children"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"utilization"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"percent"}}]}}]}}]}}]}}]}}]}}]} as unknown as DocumentNode<PoolPageQuery, PoolPageQueryVariables>;
export const ScopesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Scopes"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"scopes"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"100"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"isDefault"}},{"kind":"Field","name":{"kind":"Name","value":"description"}}]}}]}}]}}]}}]} as unknown as DocumentNode<ScopesQuery, ScopesQueryVariables>;
export const RootPoolsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"RootPools"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"scopeId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pools"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"200"}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"scopeId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"scopeId"}}},{"kind":"ObjectField","name":{"kind":"Name","value":"rootsOnly"},"value":{"kind":"BooleanValue","value":true}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"PoolNodeFields"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PoolNodeFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Pool"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"utilization"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"percent"}}]}},{"kind":"Field","name":{"kind":"Name","value":"children"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"0"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}}]}}]}}]} as unknown as DocumentNode<RootPoolsQuery, RootPoolsQueryVariables>;
export const ChildPoolsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"ChildPools"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pool"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"children"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"200"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"PoolNodeFields"}}]}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PoolNodeFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Pool"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"utilization"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"percent"}}]}},{"kind":"Field","name":{"kind":"Name","value":"children"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"0"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}}]}}]}}]} as unknown as DocumentNode<ChildPoolsQuery, ChildPoolsQueryVariables>;
export const SearchPoolsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"SearchPools"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"search"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"pools"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"50"}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"ObjectValue","fields":[{"kind":"ObjectField","name":{"kind":"Name","value":"search"},"value":{"kind":"Variable","name":{"kind":"Name","value":"search"}}}]}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"PoolNodeFields"}},{"kind":"Field","name":{"kind":"Name","value":"scope"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PoolNodeFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Pool"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"account"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"utilization"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"percent"}}]}},{"kind":"Field","name":{"kind":"Name","value":"children"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"IntValue","value":"0"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}}]}}]}}]} as unknown as DocumentNode<SearchPoolsQuery, SearchPoolsQueryVariables>;
export const LookupAddressDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"LookupAddress"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"address"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"IPAddress"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"lookup"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"address"},"value":{"kind":"Variable","name":{"kind":"Name","value":"address"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"scope"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}}]}},{"kind":"Field","name":{"kind":"Name","value":"chain"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"cidr"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"pool"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}}]}}]}}]}}]}}]} as unknown as DocumentNode<LookupAddressQuery, LookupAddressQueryVariables>;