/**
 * Pools as the API shows them (Pool implements Node). Fields that need other rows (scope, parent,
 * account, children, path) are added by PoolResolver; issue 6 adds utilization/blocks/allocations with
 * its own `@Resolver(() => Pool)`.
 */
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { JSONObjectResolver } from "graphql-scalars";
import type { PoolRecord, PrefixKind as DomainPrefixKind, RemovedPrefixRecord } from "../domain/pools.js";
import { Tier } from "./tier.js";
import { ConnectionType, SortDirection } from "./connection.js";
import { Node, toGlobalId } from "./node.js";
import { CIDRScalar } from "./scalars.js";
import { ChangeRequest } from "./change-request.js";

export enum IpFamily {
  IPV4 = "IPV4",
  IPV6 = "IPV6",
}
registerEnumType(IpFamily, {
  name: "IpFamily",
  description: "IP address family.",
  valuesConfig: { IPV4: { description: "IPv4 (32-bit)." }, IPV6: { description: "IPv6 (128-bit)." } },
});

export const familyOf = (f: number): IpFamily => (f === 4 ? IpFamily.IPV4 : IpFamily.IPV6);
export const familyNumber = (f: IpFamily): 4 | 6 => (f === IpFamily.IPV4 ? 4 : 6);

export enum PoolStatus {
  PLANNED = "PLANNED",
  ACTIVE = "ACTIVE",
  DEPRECATED = "DEPRECATED",
}
registerEnumType(PoolStatus, {
  name: "PoolStatus",
  description: "Lifecycle of a pool.",
  valuesConfig: {
    PLANNED: { description: "Reserved in the plan, not in use yet." },
    ACTIVE: { description: "In use (the default)." },
    DEPRECATED: { description: "Being retired: keep existing allocations, add no new ones." },
  },
});

export enum PrefixKind {
  POOL = "POOL",
  ALLOCATION = "ALLOCATION",
  RESERVATION = "RESERVATION",
}
registerEnumType(PrefixKind, {
  name: "PrefixKind",
  description: "What a prefix of the address plan is.",
  valuesConfig: {
    POOL: { description: "A pool: a range that allocations and child pools are carved from." },
    ALLOCATION: { description: "An allocation: a range carved from a pool for an account or purpose." },
    RESERVATION: { description: "A reservation: a range held back, never handed out." },
  },
});

export const prefixKindOf = (k: DomainPrefixKind): PrefixKind => k.toUpperCase() as PrefixKind;
const TYPE_OF_KIND = { pool: "Pool", allocation: "Allocation", reservation: "Reservation" } as const;
export const prefixGlobalId = (p: { kind: DomainPrefixKind; id: number }): string =>
  toGlobalId(TYPE_OF_KIND[p.kind], p.id);

export enum PoolOrderField {
  NETWORK = "NETWORK",
  NAME = "NAME",
  CREATED_AT = "CREATED_AT",
}
registerEnumType(PoolOrderField, {
  name: "PoolOrderField",
  description: "What pools are ordered by (ties broken by creation order).",
  valuesConfig: {
    NETWORK: {
      description: "Network address, numerically, IPv4 before IPv6, shorter prefix first (the default).",
    },
    NAME: { description: "Name." },
    CREATED_AT: { description: "Creation time." },
  },
});

@ObjectType({ description: "Allocation rules of a pool (null = no limit)." })
export class PoolRules {
  @Field(() => Int, { nullable: true, description: "Shortest prefix length handed out (the largest block)." })
  minChildPrefixLength!: number | null;

  @Field(() => Int, { nullable: true, description: "Longest prefix length handed out (the smallest block)." })
  maxChildPrefixLength!: number | null;

  @Field(() => Int, { nullable: true, description: "Prefix length used when a request gives none." })
  defaultChildPrefixLength!: number | null;

  @Field(() => [Tier], { nullable: true, description: "Account tiers allowed to allocate here; null = any." })
  allowedTiers!: Tier[] | null;
}

@ObjectType({
  implements: Node,
  description: "A range of addresses that allocations and child pools are carved from.",
})
export class Pool extends Node {
  /** Row id and foreign keys (not in the schema): for field resolvers and DataLoaders of other modules. */
  rowId!: number;
  scopeId!: number;
  parentId!: number | null;
  accountId!: number | null;
  __typename!: "Pool";

  @Field(() => String, { description: "Name, 1-255 characters." })
  name!: string;

  @Field(() => CIDRScalar, { description: "The pool's range, canonical CIDR." })
  cidr!: string;

  @Field(() => IpFamily, { description: "Address family." })
  family!: IpFamily;

  @Field(() => Int, { description: "Prefix length of the range." })
  prefixLength!: number;

  @Field(() => PoolStatus, { description: "Lifecycle status." })
  status!: PoolStatus;

  @Field(() => String, { nullable: true, description: "Free-text description." })
  description!: string | null;

  @Field(() => JSONObjectResolver, { description: "Tags: a JSON object of string values." })
  tags!: Record<string, string>;

  @Field(() => PoolRules, { description: "Allocation rules." })
  rules!: PoolRules;

  @Field(() => Boolean, {
    description:
      "Whether /metrics exports this pool's utilisation (cloudpam_pool_utilization_ratio); only monitored pools do, to bound the series count.",
  })
  monitored!: boolean;

  @Field(() => Date, { description: "When the pool was created." })
  createdAt!: Date;

  @Field(() => Date, { description: "When the pool was last changed." })
  updatedAt!: Date;

  @Field(() => Date, {
    nullable: true,
    description:
      "When the pool was deleted; null unless it is (deleted objects are only listed with includeDeleted: true). `restore` brings it back within RETENTION_DAYS.",
  })
  deletedAt!: Date | null;

  @Field(() => String, {
    nullable: true,
    description: "Who deleted it (token or user); null unless deleted.",
  })
  deletedBy!: string | null;
}

export function toPool(p: PoolRecord): Pool {
  return {
    __typename: "Pool",
    id: toGlobalId("Pool", p.id),
    rowId: p.id,
    scopeId: p.scopeId,
    parentId: p.parentId,
    accountId: p.accountId,
    name: p.name ?? "",
    cidr: p.cidr,
    family: familyOf(p.family),
    prefixLength: p.prefixLength,
    status: p.status as PoolStatus,
    description: p.description,
    tags: p.tags,
    rules: { ...p.rules, allowedTiers: p.rules.allowedTiers as Tier[] | null },
    monitored: p.monitored,
    createdAt: new Date(p.createdAt),
    updatedAt: new Date(p.updatedAt),
    deletedAt: p.deletedAt ? new Date(p.deletedAt) : null,
    deletedBy: p.deletedBy ?? null,
  };
}

export const PoolConnection = ConnectionType("Pool", Pool);
export type PoolConnection = InstanceType<typeof PoolConnection>;

@InputType({
  description:
    "Narrows a pool list; every field given must match. Containment filters compare ranges numerically (in the filter CIDR's family).",
})
export class PoolFilter {
  @Field(() => ID, { nullable: true, description: "Only pools of this scope (global id)." })
  scopeId?: string | null;

  @Field(() => ID, { nullable: true, description: "Only direct children of this pool (global id)." })
  parentId?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Only top-level pools (without parent)." })
  rootsOnly?: boolean | null;

  @Field(() => ID, { nullable: true, description: "Only pools of this account (global id)." })
  accountId?: string | null;

  @Field(() => [PoolStatus], { nullable: true, description: "Only pools with one of these statuses." })
  status?: PoolStatus[] | null;

  @Field(() => IpFamily, { nullable: true, description: "Only pools of this family." })
  family?: IpFamily | null;

  @Field(() => String, { nullable: true, description: "Case-insensitive substring of the name." })
  search?: string | null;

  @Field(() => CIDRScalar, {
    nullable: true,
    description: "Pools strictly inside this CIDR (not equal to it).",
  })
  within?: string | null;

  @Field(() => CIDRScalar, { nullable: true, description: "Pools inside or equal to this CIDR." })
  withinOrEqual?: string | null;

  @Field(() => CIDRScalar, { nullable: true, description: "Pools that strictly contain this CIDR." })
  contains?: string | null;

  @Field(() => CIDRScalar, { nullable: true, description: "Pools that contain or equal this CIDR." })
  containsOrEqual?: string | null;

  @Field(() => CIDRScalar, {
    nullable: true,
    description: "Pools sharing at least one address with this CIDR.",
  })
  overlaps?: string | null;

  @Field(() => CIDRScalar, { nullable: true, description: "Pools whose range is exactly this CIDR." })
  equals?: string | null;
}

@InputType({ description: "Order of a pool list." })
export class PoolOrder {
  @Field(() => PoolOrderField, { description: "What to order by." })
  field!: PoolOrderField;

  @Field(() => SortDirection, { nullable: true, description: "Direction (default ASC)." })
  direction?: SortDirection | null;
}

@InputType({
  description: "Allocation rules; in updates only the fields present change and null clears one.",
})
export class PoolRulesInput {
  @Field(() => Int, { nullable: true, description: "Shortest prefix length handed out." })
  minChildPrefixLength?: number | null;

  @Field(() => Int, { nullable: true, description: "Longest prefix length handed out." })
  maxChildPrefixLength?: number | null;

  @Field(() => Int, { nullable: true, description: "Prefix length used when a request gives none." })
  defaultChildPrefixLength?: number | null;

  @Field(() => [Tier], { nullable: true, description: "Account tiers allowed to allocate; null = any." })
  allowedTiers?: Tier[] | null;
}

@InputType({
  description:
    "A new pool: an explicit `cidr` (top-level, or inside `parentId`), or `parentId` + `prefixLength` to carve the parent's next free block (smallest-fit).",
})
export class CreatePoolInput {
  @Field(() => ID, {
    nullable: true,
    description: "Scope (global id); default: the parent's scope, else the default scope.",
  })
  scopeId?: string | null;

  @Field(() => ID, { nullable: true, description: "Parent pool (global id); omit for a top-level pool." })
  parentId?: string | null;

  @Field(() => CIDRScalar, { nullable: true, description: "Exact range of the new pool." })
  cidr?: string | null;

  @Field(() => Int, {
    nullable: true,
    description: "Prefix length to carve from the parent (default: the parent's defaultChildPrefixLength).",
  })
  prefixLength?: number | null;

  @Field(() => String, { description: "Name, 1-255 characters (trimmed)." })
  name!: string;

  @Field(() => String, { nullable: true, description: "Free-text description." })
  description?: string | null;

  @Field(() => PoolStatus, { nullable: true, description: "Status (default ACTIVE)." })
  status?: PoolStatus | null;

  @Field(() => ID, { nullable: true, description: "Owning account (global id)." })
  accountId?: string | null;

  @Field(() => JSONObjectResolver, { nullable: true, description: "Tags: a JSON object of string values." })
  tags?: Record<string, unknown> | null;

  @Field(() => PoolRulesInput, { nullable: true, description: "Allocation rules." })
  rules?: PoolRulesInput | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "Export this pool's utilisation on /metrics (default false).",
  })
  monitored?: boolean | null;
}

@InputType({
  description:
    "Changes to a pool: only the fields present change; an explicit null clears. The range cannot change.",
})
export class UpdatePoolInput {
  @Field(() => ID, { description: "Global id of the pool." })
  id!: string;

  @Field(() => String, { nullable: true, description: "New name (cannot be cleared)." })
  name?: string | null;

  @Field(() => String, { nullable: true, description: "New description; null clears." })
  description?: string | null;

  @Field(() => PoolStatus, { nullable: true, description: "New status (cannot be cleared)." })
  status?: PoolStatus | null;

  @Field(() => ID, { nullable: true, description: "New owning account (global id); null detaches." })
  accountId?: string | null;

  @Field(() => JSONObjectResolver, { nullable: true, description: "New tags (replace all); null clears." })
  tags?: Record<string, unknown> | null;

  @Field(() => PoolRulesInput, {
    nullable: true,
    description: "Rule changes (per field); null clears every rule.",
  })
  rules?: PoolRulesInput | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "Export this pool's utilisation on /metrics, or stop (cannot be cleared).",
  })
  monitored?: boolean | null;
}

@InputType({ description: "The pool to delete." })
export class DeletePoolInput {
  @Field(() => ID, { description: "Global id of the pool." })
  id!: string;

  @Field(() => Boolean, {
    nullable: true,
    description:
      "Also delete everything inside it (child pools, allocations, reservations). Default false: refused with CONFLICT while it holds anything.",
  })
  cascade?: boolean | null;
}

@ObjectType({ description: "A prefix removed by a delete." })
export class RemovedPrefix {
  @Field(() => ID, { description: "Global id it had (Pool, Allocation or Reservation)." })
  id!: string;

  @Field(() => PrefixKind, { description: "What it was." })
  kind!: PrefixKind;

  @Field(() => CIDRScalar, { description: "Its range." })
  cidr!: string;

  @Field(() => String, { nullable: true, description: "Its name." })
  name!: string | null;

  @Field(() => Boolean, { description: "Whether it was already released (history) when removed." })
  released!: boolean;
}

export function toRemovedPrefix(r: RemovedPrefixRecord): RemovedPrefix {
  return {
    id: prefixGlobalId(r),
    kind: prefixKindOf(r.kind),
    cidr: r.cidr,
    name: r.name,
    released: r.released,
  };
}

@InputType({
  description:
    "A new range for a pool: a larger one containing the current range (grow into the parent's free space) or a smaller one inside it (shrink; every child must still fit).",
})
export class ResizePoolInput {
  @Field(() => ID, { description: "Global id of the pool." })
  id!: string;

  @Field(() => CIDRScalar, { description: "The new range; contains the current one, or lies inside it." })
  cidr!: string;
}

@ObjectType({ description: "The resized pool." })
export class ResizePoolPayload {
  @Field(() => Pool, { description: "The pool with its new range." })
  pool!: Pool;

  @Field(() => CIDRScalar, { description: "The range it had before." })
  previousCidr!: string;
}

@InputType({
  description:
    "Where a pool moves with its whole subtree: under a pool of another scope (its range strictly inside, overlapping nothing), or top-level of another scope (parentId null, scopeId).",
})
export class MovePoolInput {
  @Field(() => ID, { description: "Global id of the pool." })
  id!: string;

  @Field(() => ID, {
    nullable: true,
    description: "Global id of the new parent pool, or null to make the pool top-level of scopeId.",
  })
  parentId!: string | null;

  @Field(() => ID, {
    nullable: true,
    description: "With parentId null: the scope the pool becomes top-level of (it must be another scope).",
  })
  scopeId?: string | null;
}

@ObjectType({ description: "The moved pool." })
export class MovePoolPayload {
  @Field(() => Pool, { description: "The pool under its new parent (and in its new scope)." })
  pool!: Pool;

  @Field(() => ID, {
    nullable: true,
    description: "Global id of the parent it had before (null: top-level).",
  })
  previousParentId!: string | null;
}

@ObjectType({ description: "The created pool." })
export class CreatePoolPayload {
  @Field(() => Pool, { description: "The new pool." })
  pool!: Pool;
}

@ObjectType({ description: "The updated pool." })
export class UpdatePoolPayload {
  @Field(() => Pool, { description: "The pool after the change." })
  pool!: Pool;
}

@ObjectType({ description: "The deleted pool and everything removed with it." })
export class DeletePoolPayload {
  @Field(() => ID, { nullable: true, description: "Global id the pool had; null while awaiting approval." })
  deletedPoolId!: string | null;

  @Field(() => CIDRScalar, {
    nullable: true,
    description: "The range it had (given back to its parent); null while awaiting approval.",
  })
  cidr!: string | null;

  @Field(() => [RemovedPrefix], {
    description: "Everything removed with it (cascade), deepest first; empty while awaiting approval.",
  })
  removed!: RemovedPrefix[];

  @Field(() => ChangeRequest, {
    nullable: true,
    description:
      "Set when the scope's approval policy holds this operation: the PENDING request (the other fields are then null or empty; nothing was changed yet). Null when the operation was applied.",
  })
  changeRequest!: ChangeRequest | null;
}
