/** GraphQL types of drift: what reconciliation found that does not match the plan. */
import { ArgsType, Field, ID, InputType, ObjectType, registerEnumType } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";
import { CIDRScalar } from "./scalars.js";
import { ConnectionArgs, ConnectionType } from "./connection.js";
import { Node, toGlobalId } from "./node.js";
import type { DriftRecord } from "../domain/drift.js";

export enum DriftKind {
  MISSING_IN_CLOUD = "MISSING_IN_CLOUD",
  UNMANAGED = "UNMANAGED",
  CIDR_MISMATCH = "CIDR_MISMATCH",
  OVERLAP = "OVERLAP",
}
registerEnumType(DriftKind, {
  name: "DriftKind",
  description: "What does not match.",
  valuesConfig: {
    MISSING_IN_CLOUD: { description: "An allocation is bound to a VPC/subnet that no longer exists." },
    UNMANAGED: { description: "A cloud CIDR that no allocation of the account covers." },
    CIDR_MISMATCH: { description: "A resource bound to an allocation has a different CIDR." },
    OVERLAP: { description: "A cloud CIDR overlaps an allocation or pool assigned to another account." },
  },
});

export enum DriftSeverity {
  LOW = "LOW",
  MEDIUM = "MEDIUM",
  HIGH = "HIGH",
}
registerEnumType(DriftSeverity, {
  name: "DriftSeverity",
  description:
    "How urgent: OVERLAP and CIDR_MISMATCH are HIGH, MISSING_IN_CLOUD and IPv4 UNMANAGED MEDIUM, IPv6 UNMANAGED LOW.",
  valuesConfig: {
    LOW: { description: "Worth a look (unmanaged IPv6 space)." },
    MEDIUM: { description: "The plan is incomplete or stale." },
    HIGH: { description: "Addresses may be used twice." },
  },
});

export enum DriftStatus {
  OPEN = "OPEN",
  RESOLVED = "RESOLVED",
  IGNORED = "IGNORED",
}
registerEnumType(DriftStatus, {
  name: "DriftStatus",
  description: "Life cycle of a drift item.",
  valuesConfig: {
    OPEN: { description: "Found by the last sync of its region." },
    RESOLVED: { description: "No longer found (a later sync or an adoption resolved it)." },
    IGNORED: { description: "An operator decided it is fine; syncs leave it alone." },
  },
});

@ObjectType({
  implements: Node,
  description: "A difference between the plan and the cloud, found by a sync.",
})
export class DriftItem extends Node {
  declare __typename?: "DriftItem";

  @Field(() => DriftKind, { description: "What does not match." })
  kind!: DriftKind;

  @Field(() => DriftSeverity, { description: "How urgent." })
  severity!: DriftSeverity;

  @Field(() => DriftStatus, { description: "OPEN, RESOLVED or IGNORED." })
  status!: DriftStatus;

  @Field(() => ID, { description: "Global id of the account." })
  accountId!: string;

  /** Row ids for the object fields' loaders. */
  accountRowId!: number;
  resourceRowId!: number | null;
  allocationRowId!: number | null;

  @Field(() => ID, {
    nullable: true,
    description:
      "Global id of the allocation concerned (MISSING_IN_CLOUD, CIDR_MISMATCH, OVERLAP with an allocation).",
  })
  allocationId!: string | null;

  @Field(() => CIDRScalar, {
    nullable: true,
    description: "The CIDR concerned (observed, or the allocation's for MISSING_IN_CLOUD).",
  })
  cidr!: string | null;

  @Field(() => String, { nullable: true, description: "What was found, in words." })
  detail!: string | null;

  @Field(() => DateTimeResolver, { description: "When a sync first found it." })
  detectedAt!: string;

  @Field(() => DateTimeResolver, { nullable: true, description: "When it was resolved." })
  resolvedAt!: string | null;
}

export const DriftItemConnection = ConnectionType("DriftItem", DriftItem);

@InputType({ description: "Which drift items to list." })
export class DriftFilter {
  @Field(() => ID, { nullable: true, description: "Only drift of this account." })
  accountId?: string | null;

  @Field(() => DriftKind, { nullable: true, description: "Only this kind." })
  kind?: DriftKind | null;

  @Field(() => DriftStatus, { nullable: true, description: "Only this status." })
  status?: DriftStatus | null;

  @Field(() => DriftSeverity, { nullable: true, description: "Only this severity." })
  severity?: DriftSeverity | null;
}

@ArgsType()
export class DriftItemsArgs extends ConnectionArgs {
  @Field(() => DriftFilter, { nullable: true, description: "Filter; every drift item when absent." })
  filter?: DriftFilter | null;
}

@InputType({ description: "The drift item to ignore." })
export class IgnoreDriftInput {
  @Field(() => ID, { description: "Global id of an OPEN drift item." })
  id!: string;
}

@ObjectType({ description: "Result of ignoring drift." })
export class IgnoreDriftPayload {
  @Field(() => DriftItem, { description: "The item, now IGNORED." })
  driftItem!: DriftItem;
}

/** Maps a domain drift record to the API's DriftItem. */
export function toDriftItem(d: DriftRecord): DriftItem {
  return {
    __typename: "DriftItem",
    id: toGlobalId("DriftItem", d.id),
    kind: d.kind as DriftKind,
    severity: d.severity as DriftSeverity,
    status: d.status as DriftStatus,
    accountId: toGlobalId("Account", d.accountId),
    accountRowId: d.accountId,
    resourceRowId: d.resourceId,
    allocationRowId: d.allocationId,
    allocationId: d.allocationId === null ? null : toGlobalId("Allocation", d.allocationId),
    cidr: d.cidr,
    detail: d.detail,
    detectedAt: d.detectedAt,
    resolvedAt: d.resolvedAt,
  };
}
