/**
 * Allocations as the API shows them (Allocation implements Node). `pool` and `account` are resolved by
 * the allocation resolver through the per-request pool and account loaders.
 */
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { GraphQLJSONObject } from "graphql-scalars";
import type { AllocationRecord } from "../domain/allocations.js";
import { ConnectionType } from "./connection.js";
import { Node, toGlobalId } from "./node.js";
import { CIDRScalar } from "./scalars.js";
import { ChangeRequest } from "./change-request.js";

export enum AllocationStatus {
  ALLOCATED = "ALLOCATED",
  RELEASED = "RELEASED",
}
registerEnumType(AllocationStatus, {
  name: "AllocationStatus",
  description: "Whether an allocation holds its range.",
  valuesConfig: {
    ALLOCATED: { description: "Live: the range is taken from its pool." },
    RELEASED: { description: "Released: the range is free again; the row stays for history." },
  },
});

export enum AllocationStrategy {
  SMALLEST_FIT = "smallest-fit",
  FIRST_FIT = "first-fit",
}
registerEnumType(AllocationStrategy, {
  name: "AllocationStrategy",
  description: "How allocate picks the next free block.",
  valuesConfig: {
    SMALLEST_FIT: {
      description:
        "The smallest free block that holds the request, lowest address first (keeps large blocks whole).",
    },
    FIRST_FIT: { description: "The free block with the lowest address that holds the request." },
  },
});

export enum ResourceType {
  VPC = "VPC",
  SUBNET = "SUBNET",
}
registerEnumType(ResourceType, {
  name: "ResourceType",
  description: "Kind of cloud resource an allocation is bound to.",
  valuesConfig: {
    VPC: { description: "An AWS VPC or a GCP network." },
    SUBNET: { description: "An AWS subnet or a GCP subnetwork." },
  },
});

@ObjectType({ description: "The cloud resource that uses an allocation's range." })
export class ResourceBinding {
  @Field(() => String, { nullable: true, description: "Provider of the resource, e.g. `AWS` or `GCP`." })
  provider!: string | null;

  @Field(() => String, { description: "The provider's id of the resource, e.g. `vpc-0abc…` or a self link." })
  resourceId!: string;

  @Field(() => ResourceType, { nullable: true, description: "VPC or SUBNET." })
  type!: ResourceType | null;

  @Field(() => String, { nullable: true, description: "Region of the resource, e.g. `us-east-1`." })
  region!: string | null;
}

@ObjectType({ implements: Node, description: "A range carved from a pool for an account." })
export class Allocation extends Node {
  __typename!: "Allocation";
  /** Row ids (not in the schema): for field resolvers and loaders. */
  rowId!: number;
  poolRowId!: number;
  accountRowId!: number | null;

  @Field(() => CIDRScalar, { description: "The allocated range." })
  cidr!: string;

  @Field(() => Int, { description: "Prefix length of the range." })
  prefixLength!: number;

  @Field(() => String, { nullable: true, description: "Name, e.g. the VPC it is for." })
  name!: string | null;

  @Field(() => String, { nullable: true, description: "Free-text description." })
  description!: string | null;

  @Field(() => AllocationStatus, { description: "ALLOCATED while it holds its range, then RELEASED." })
  status!: AllocationStatus;

  @Field(() => GraphQLJSONObject, { description: 'Tags: an object of string values, e.g. {"team": "net"}.' })
  tags!: Record<string, string>;

  @Field(() => ResourceBinding, {
    nullable: true,
    description: "The cloud resource using the range, if bound.",
  })
  resource!: ResourceBinding | null;

  @Field(() => String, { nullable: true, description: "Who allocated it (token or user)." })
  createdBy!: string | null;

  @Field(() => Date, { description: "When it was allocated." })
  createdAt!: Date;

  @Field(() => Date, { description: "When it was last changed." })
  updatedAt!: Date;

  @Field(() => Date, { nullable: true, description: "When it was released; null while ALLOCATED." })
  releasedAt!: Date | null;

  @Field(() => Date, {
    nullable: true,
    description:
      "When the allocation was deleted; null unless it is (deleted objects are only listed with includeDeleted: true). `restore` brings it back within RETENTION_DAYS.",
  })
  deletedAt!: Date | null;

  @Field(() => String, {
    nullable: true,
    description: "Who deleted it (token or user); null unless deleted.",
  })
  deletedBy!: string | null;
}

export function toAllocation(r: AllocationRecord): Allocation {
  return {
    __typename: "Allocation",
    id: toGlobalId("Allocation", r.id),
    rowId: r.id,
    poolRowId: r.poolId,
    accountRowId: r.accountId,
    cidr: r.cidr,
    prefixLength: r.prefixLength,
    name: r.name,
    description: r.description,
    status: r.status as AllocationStatus,
    tags: r.tags,
    resource: r.resource && { ...r.resource, type: r.resource.type as ResourceType | null },
    createdBy: r.createdBy,
    createdAt: new Date(r.createdAt),
    updatedAt: new Date(r.updatedAt),
    releasedAt: r.releasedAt ? new Date(r.releasedAt) : null,
    deletedAt: r.deletedAt ? new Date(r.deletedAt) : null,
    deletedBy: r.deletedBy ?? null,
  };
}

export const AllocationConnection = ConnectionType("Allocation", Allocation);
export type AllocationConnection = InstanceType<typeof AllocationConnection>;

@InputType({
  description:
    "What to allocate: the next free block of `prefixLength` (or the pool's default child length when both `prefixLength` and `cidr` are absent), or exactly `cidr`.",
})
export class AllocateInput {
  @Field(() => ID, { description: "Global id of the pool to allocate from (it must be ACTIVE)." })
  poolId!: string;

  @Field(() => Int, {
    nullable: true,
    description: "Prefix length of the block, e.g. 24; within the pool's rules.",
  })
  prefixLength?: number | null;

  @Field(() => CIDRScalar, {
    nullable: true,
    description: "Exactly this range (it must be free in the pool).",
  })
  cidr?: string | null;

  @Field(() => ID, {
    description: "Global id of the account the range is for (its tier must be allowed by the pool).",
  })
  accountId!: string;

  @Field(() => String, { nullable: true, description: "Name, 1-255 characters." })
  name?: string | null;

  @Field(() => String, { nullable: true, description: "Free-text description." })
  description?: string | null;

  @Field(() => AllocationStrategy, {
    nullable: true,
    description: "How to pick the block (default SMALLEST_FIT).",
  })
  strategy?: AllocationStrategy | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Makes retries safe: the same key with the same input returns the first result; with a different input, CONFLICT.",
  })
  idempotencyKey?: string | null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: "Tags: an object of string values (at most 50).",
  })
  tags?: Record<string, unknown> | null;
}

@ObjectType({ description: "The allocation made (or, for a repeated idempotency key, the first one made)." })
export class AllocatePayload {
  @Field(() => Allocation, { description: "The allocation." })
  allocation!: Allocation;
}

@ObjectType({ description: "What `allocate` would return now; nothing is written." })
export class AllocationPreview {
  poolRowId!: number;
  accountRowId!: number;

  @Field(() => CIDRScalar, { description: "The range allocate would take now." })
  cidr!: string;

  @Field(() => Allocation, {
    nullable: true,
    description: "The allocation this idempotency key already created (allocate would return it); else null.",
  })
  existing!: Allocation | null;
}

@InputType({ description: "The allocation to release." })
export class ReleaseAllocationInput {
  @Field(() => ID, { description: "Global id of the allocation." })
  id!: string;
}

@ObjectType({ description: "The released allocation (status RELEASED); its range is free again." })
export class ReleaseAllocationPayload {
  @Field(() => Allocation, { nullable: true, description: "The allocation; null while awaiting approval." })
  allocation!: Allocation | null;

  @Field(() => ChangeRequest, {
    nullable: true,
    description:
      "Set when the scope's approval policy holds this operation: the PENDING request (the other fields are then null or empty; nothing was changed yet). Null when the operation was applied.",
  })
  changeRequest!: ChangeRequest | null;
}

@InputType({
  description: "Changes to an allocation: only the fields present change; null clears name/description.",
})
export class UpdateAllocationInput {
  @Field(() => ID, { description: "Global id of the allocation." })
  id!: string;

  @Field(() => String, { nullable: true, description: "New name (null clears it)." })
  name?: string | null;

  @Field(() => ID, {
    nullable: true,
    description: "Global id of the new account (its tier must be allowed by the pool).",
  })
  accountId?: string | null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: "New tags: replace every tag (null clears them).",
  })
  tags?: Record<string, unknown> | null;

  @Field(() => String, { nullable: true, description: "New description (null clears it)." })
  description?: string | null;
}

@ObjectType({ description: "The updated allocation." })
export class UpdateAllocationPayload {
  @Field(() => Allocation, { description: "The allocation." })
  allocation!: Allocation;
}

@InputType({ description: "One block of an allocateMany batch." })
export class AllocateManyRequest {
  @Field(() => Int, { description: "Prefix length of the block, e.g. 24; within the pool's rules." })
  prefixLength!: number;

  @Field(() => ID, { description: "Global id of the account the range is for." })
  accountId!: string;

  @Field(() => String, { nullable: true, description: "Name, 1-255 characters." })
  name?: string | null;
}

@InputType({ description: "A batch of blocks to take from one pool at once." })
export class AllocateManyInput {
  @Field(() => ID, { description: "Global id of the pool to allocate from (it must be ACTIVE)." })
  poolId!: string;

  @Field(() => [AllocateManyRequest], { description: "The blocks, 1 to 10,000." })
  requests!: AllocateManyRequest[];

  @Field(() => String, {
    nullable: true,
    description:
      "Retrying with the same key and batch returns the first batch; a different batch is CONFLICT.",
  })
  idempotencyKey?: string | null;
}

@ObjectType({ description: "The allocations of an allocateMany batch." })
export class AllocateManyPayload {
  @Field(() => [Allocation], { description: "One allocation per request, in request order." })
  allocations!: Allocation[];
}
