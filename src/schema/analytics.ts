/**
 * The analytics table (`blocks`: every allocation and child pool across pools) and the aggregates
 * behind the charts (`analytics`). `pool`, `account` and `scope` of a row are added by the resolver.
 */
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import type { AnalyticsBlockRecord, AnalyticsFilter as DomainAnalyticsFilter } from "../domain/analytics.js";
import { Provider } from "./account.js";
import { Tier } from "./tier.js";
import { ConnectionType, SortDirection } from "./connection.js";
import { familyOf, IpFamily } from "./pool.js";
import { toGlobalId } from "./node.js";
import { CIDRScalar } from "./scalars.js";

export enum AnalyticsBlockKind {
  POOL = "POOL",
  ALLOCATION = "ALLOCATION",
}
registerEnumType(AnalyticsBlockKind, {
  name: "AnalyticsBlockKind",
  description: "What a row of the analytics table is.",
  valuesConfig: {
    POOL: { description: "A child pool (a pool carved from another pool)." },
    ALLOCATION: { description: "An allocation." },
  },
});

export enum AnalyticsBlockStatus {
  PLANNED = "PLANNED",
  ACTIVE = "ACTIVE",
  DEPRECATED = "DEPRECATED",
  ALLOCATED = "ALLOCATED",
  RELEASED = "RELEASED",
}
registerEnumType(AnalyticsBlockStatus, {
  name: "AnalyticsBlockStatus",
  description:
    "Status of a row: a pool status (PLANNED, ACTIVE, DEPRECATED) or an allocation status (ALLOCATED, RELEASED).",
  valuesConfig: {
    PLANNED: { description: "A pool not in use yet." },
    ACTIVE: { description: "A pool in use." },
    DEPRECATED: { description: "A pool being emptied." },
    ALLOCATED: { description: "A live allocation." },
    RELEASED: { description: "A released allocation (history; left out unless asked for)." },
  },
});

export enum AnalyticsBlockOrderField {
  NETWORK = "NETWORK",
  ACCOUNT = "ACCOUNT",
  PROVIDER = "PROVIDER",
  PLATFORM = "PLATFORM",
  TIER = "TIER",
  ENVIRONMENT = "ENVIRONMENT",
  POOL = "POOL",
  SCOPE = "SCOPE",
  NAME = "NAME",
  STATUS = "STATUS",
  KIND = "KIND",
  CREATED_AT = "CREATED_AT",
}
registerEnumType(AnalyticsBlockOrderField, {
  name: "AnalyticsBlockOrderField",
  description:
    "A sort key of the analytics table. Missing values (no account, no name) sort first in ascending order.",
  valuesConfig: {
    NETWORK: {
      description:
        "Scope, then address family, then start address; at equal starts the longer range (the parent) first.",
    },
    ACCOUNT: { description: "The account key." },
    PROVIDER: { description: "The account's provider." },
    PLATFORM: { description: "The account's platform." },
    TIER: { description: "The account's tier." },
    ENVIRONMENT: { description: "The account's environment." },
    POOL: { description: "The parent pool, in network order." },
    SCOPE: { description: "The scope name." },
    NAME: { description: "The row's name." },
    STATUS: { description: "The row's status." },
    KIND: { description: "Pools before allocations (alphabetical: ALLOCATION < POOL in ASC)." },
    CREATED_AT: { description: "Creation time." },
  },
});

export enum AnalyticsInterval {
  DAY = "DAY",
  WEEK = "WEEK",
}
registerEnumType(AnalyticsInterval, {
  name: "AnalyticsInterval",
  description: "The bucket of a time series.",
  valuesConfig: {
    DAY: { description: "One UTC day, labelled YYYY-MM-DD." },
    WEEK: { description: "One ISO week (Monday to Sunday, UTC), labelled by its Monday." },
  },
});

@InputType({
  description:
    "Which rows of the analytics table (and of the aggregates and CSV exports) to include. Lists are alternatives (OR); different fields combine (AND).",
})
export class AnalyticsFilter {
  @Field(() => [AnalyticsBlockKind], { nullable: true, description: "Kinds of rows; default both." })
  kinds?: AnalyticsBlockKind[] | null;

  @Field(() => [ID], { nullable: true, description: "Rows of these accounts (global ids)." })
  accountIds?: string[] | null;

  @Field(() => [Provider], { nullable: true, description: "Rows whose account has one of these providers." })
  providers?: Provider[] | null;

  @Field(() => [String], { nullable: true, description: "Rows whose account has one of these platforms." })
  platforms?: string[] | null;

  @Field(() => [Tier], { nullable: true, description: "Rows whose account has one of these tiers." })
  tiers?: Tier[] | null;

  @Field(() => [String], { nullable: true, description: "Rows whose account has one of these environments." })
  environments?: string[] | null;

  @Field(() => [String], {
    nullable: true,
    description: "Rows whose account operates in one of these regions.",
  })
  regions?: string[] | null;

  @Field(() => [ID], { nullable: true, description: "Rows directly inside one of these pools (global ids)." })
  poolIds?: string[] | null;

  @Field(() => [ID], { nullable: true, description: "Rows in one of these scopes (global ids)." })
  scopeIds?: string[] | null;

  @Field(() => [AnalyticsBlockStatus], {
    nullable: true,
    description: "Rows with one of these statuses; default every status but RELEASED.",
  })
  statuses?: AnalyticsBlockStatus[] | null;

  @Field(() => CIDRScalar, {
    nullable: true,
    description: 'Rows inside or equal to this network, e.g. "10.0.0.0/16" (address containment, not text).',
  })
  within?: string | null;

  @Field(() => Date, { nullable: true, description: "Rows created at or after this time." })
  createdAfter?: Date | null;

  @Field(() => Date, { nullable: true, description: "Rows created before this time." })
  createdBefore?: Date | null;
}

@InputType({ description: "One sort key of the analytics table." })
export class AnalyticsBlockOrder {
  @Field(() => AnalyticsBlockOrderField, { description: "What to sort by." })
  field!: AnalyticsBlockOrderField;

  @Field(() => SortDirection, { defaultValue: SortDirection.ASC, description: "Sort direction." })
  direction!: SortDirection;
}

@ObjectType({
  description:
    "A row of the analytics table: an allocation or a child pool, with its parent pool and account.",
})
export class AnalyticsBlock {
  /** Row ids (not in the schema): for the pool/account/scope field resolvers. */
  poolId!: number | null;
  accountId!: number | null;
  scopeId!: number;

  @Field(() => ID, {
    description: "Global id of the Pool or Allocation this row shows (fetch it with `node(id:)`).",
  })
  id!: string;

  @Field(() => AnalyticsBlockKind, { description: "Whether the row is a child pool or an allocation." })
  kind!: AnalyticsBlockKind;

  @Field(() => CIDRScalar, { description: "The range, canonical CIDR." })
  cidr!: string;

  @Field(() => IpFamily, { description: "Address family." })
  family!: IpFamily;

  @Field(() => Int, { description: "Prefix length." })
  prefixLength!: number;

  @Field(() => String, { description: "Number of addresses, as a decimal string (IPv6 counts exceed 2^53)." })
  addressCount!: string;

  @Field(() => String, { nullable: true, description: "Name of the pool or allocation." })
  name!: string | null;

  @Field(() => AnalyticsBlockStatus, { description: "Status of the pool or allocation." })
  status!: AnalyticsBlockStatus;

  @Field(() => Date, { description: "When it was created." })
  createdAt!: Date;
}

export function toAnalyticsBlock(b: AnalyticsBlockRecord): AnalyticsBlock {
  return {
    poolId: b.poolId,
    accountId: b.accountId,
    scopeId: b.scopeId,
    id: toGlobalId(b.kind === "pool" ? "Pool" : "Allocation", b.id),
    kind: b.kind === "pool" ? AnalyticsBlockKind.POOL : AnalyticsBlockKind.ALLOCATION,
    cidr: b.cidr,
    family: familyOf(b.family),
    prefixLength: b.prefixLength,
    addressCount: b.addressCount.toString(),
    name: b.name,
    status: b.status as AnalyticsBlockStatus,
    createdAt: new Date(b.createdAt),
  };
}

export const AnalyticsBlockConnection = ConnectionType("AnalyticsBlock", AnalyticsBlock);
export type AnalyticsBlockConnection = InstanceType<typeof AnalyticsBlockConnection>;

@ObjectType({ description: "Allocations of one parent pool." })
export class PoolAllocationStat {
  poolId!: number;

  @Field(() => Int, { description: "Number of allocations." })
  allocations!: number;

  @Field(() => String, { description: "IPv4 addresses they cover, as a decimal string." })
  ipv4Addresses!: string;

  @Field(() => String, { description: "IPv6 addresses they cover, as a decimal string (exceeds 2^53)." })
  ipv6Addresses!: string;
}

@ObjectType({ description: "Address space allocated to one account." })
export class AccountSpaceStat {
  accountId!: number | null;

  @Field(() => Int, { description: "Number of allocations." })
  allocations!: number;

  @Field(() => String, { description: "IPv4 addresses allocated, as a decimal string." })
  ipv4Addresses!: string;

  @Field(() => String, { description: "IPv6 addresses allocated, as a decimal string (exceeds 2^53)." })
  ipv6Addresses!: string;
}

@ObjectType({ description: "Allocations created in one period." })
export class AllocationsCreatedStat {
  @Field(() => String, {
    description: "The period: its UTC day (YYYY-MM-DD), or the Monday of its ISO week.",
  })
  period!: string;

  @Field(() => Int, { description: "Allocations created in the period." })
  allocations!: number;
}

@ObjectType({
  description:
    "Aggregates for charts over the allocations that match the filter (pools hold allocations, so only allocations are counted).",
})
export class Analytics {
  /** The filter every aggregate applies (not in the schema). */
  filter!: DomainAnalyticsFilter;
}
