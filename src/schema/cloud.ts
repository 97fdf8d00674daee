/** GraphQL types of observed cloud resources, sync state and actuation. */
import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { DateTimeResolver, JSONObjectResolver } from "graphql-scalars";
import { CIDRScalar } from "./scalars.js";
import { ConnectionArgs, ConnectionType } from "./connection.js";
import { Node } from "./node.js";
import { DriftItem } from "./drift.js";
import { toGlobalId } from "./node.js";
import type { CloudCidrRecord, CloudResourceRecord, SyncStateRecord } from "../domain/cloud.js";
import { ChangeRequest } from "./change-request.js";

export enum CloudResourceType {
  VPC = "VPC",
  SUBNET = "SUBNET",
}
registerEnumType(CloudResourceType, {
  name: "CloudResourceType",
  description: "Kind of observed network resource.",
  valuesConfig: {
    VPC: { description: "An AWS VPC or a GCP VPC network." },
    SUBNET: { description: "An AWS subnet or a GCP subnetwork." },
  },
});

export enum CidrManagement {
  MANAGED = "MANAGED",
  UNMANAGED = "UNMANAGED",
  IGNORED = "IGNORED",
}
registerEnumType(CidrManagement, {
  name: "CidrManagement",
  description: "How an observed CIDR relates to the plan (AWS IPAM's vocabulary), as of the last sync.",
  valuesConfig: {
    MANAGED: {
      description:
        "An allocation bound to the resource has this CIDR, or an allocation of the account contains it.",
    },
    UNMANAGED: { description: "No allocation of the account covers it (raises UNMANAGED or OVERLAP drift)." },
    IGNORED: {
      description:
        "Skipped by rule: the resource has the account's ignore tag (default `cloudpam:ignore`) or the CIDR lies in settings.ignoreCidrs (default 172.31.0.0/16, AWS default VPCs).",
    },
  },
});

export enum SyncStatus {
  RUNNING = "RUNNING",
  OK = "OK",
  ERROR = "ERROR",
}
registerEnumType(SyncStatus, {
  name: "SyncStatus",
  description: "State of the last sync of one region of an account.",
  valuesConfig: {
    RUNNING: { description: "A sync is reading the cloud now." },
    OK: { description: "The last sync read the region completely." },
    ERROR: { description: "The last sync could not read the region; its previous observations are kept." },
  },
});

@ObjectType({ description: "One address range of an observed VPC or subnet." })
export class CloudCidr {
  @Field(() => CIDRScalar, { description: "The range, canonical." })
  cidr!: string;

  @Field(() => Int, { description: "4 or 6." })
  family!: number;

  @Field(() => String, {
    description: "primary, secondary (extra AWS VPC CIDR), ipv6, or secondary-range (GCP alias IP range).",
  })
  role!: string;

  @Field(() => String, {
    nullable: true,
    description: "GCP secondary range name, or the AWS association id.",
  })
  name!: string | null;

  @Field(() => CidrManagement, {
    nullable: true,
    description: "Classification at the last sync; null before the first.",
  })
  management!: CidrManagement | null;

  @Field(() => ID, { nullable: true, description: "Global id of the allocation that manages this CIDR." })
  allocationId!: string | null;
}

@ObjectType({ implements: Node, description: "A VPC or subnet CloudPAM observed in an account." })
export class CloudResource extends Node {
  declare __typename?: "CloudResource";
  /** Row ids, for loaders. */
  rowId!: number;
  accountRowId!: number;

  @Field(() => ID, { description: "Global id of the account it lives in." })
  accountId!: string;

  @Field(() => String, { description: "aws or gcp." })
  provider!: string;

  @Field(() => CloudResourceType, { description: "VPC or SUBNET." })
  resourceType!: CloudResourceType;

  @Field(() => String, {
    description:
      "The cloud's id: vpc-…/subnet-… (AWS), projects/…/global/networks/… or projects/…/regions/…/subnetworks/… (GCP).",
  })
  externalId!: string;

  @Field(() => String, { nullable: true, description: "For a subnet: the cloud id of its VPC." })
  vpcExternalId!: string | null;

  @Field(() => String, { nullable: true, description: "Region (null for global GCP networks)." })
  region!: string | null;

  @Field(() => String, { nullable: true, description: "AWS availability zone." })
  zone!: string | null;

  @Field(() => String, { nullable: true, description: "Name (AWS Name tag, GCP resource name)." })
  name!: string | null;

  @Field(() => JSONObjectResolver, {
    description: "Tags (AWS) or the key=value tokens of the description (GCP subnetworks).",
  })
  tags!: Record<string, string>;

  @Field(() => String, { nullable: true, description: "The cloud's state, e.g. available or READY." })
  state!: string | null;

  @Field(() => Boolean, {
    description: "Whether it carries CloudPAM's ownership marker (CloudPAM created it).",
  })
  managedByCloudPam!: boolean;

  @Field(() => String, { nullable: true, description: "The allocation id in its ownership marker." })
  allocationTag!: string | null;

  @Field(() => DateTimeResolver, { description: "When a sync first saw it." })
  firstSeenAt!: string;

  @Field(() => DateTimeResolver, { description: "When a sync last saw it." })
  lastSeenAt!: string;

  @Field(() => DateTimeResolver, {
    nullable: true,
    description: "When a sync found it gone (null while it exists).",
  })
  deletedAt!: string | null;
}

export const CloudResourceConnection = ConnectionType("CloudResource", CloudResource);

@InputType({ description: "Which observed resources to list." })
export class CloudResourceFilter {
  @Field(() => ID, { nullable: true, description: "Only resources of this account." })
  accountId?: string | null;

  @Field(() => CloudResourceType, { nullable: true, description: "Only VPCs or only subnets." })
  resourceType?: CloudResourceType | null;

  @Field(() => String, { nullable: true, description: "Only this region." })
  region?: string | null;

  @Field(() => String, { nullable: true, description: "Only subnets of this VPC (its cloud id)." })
  vpcExternalId?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Include resources no longer seen (default false)." })
  includeDeleted?: boolean | null;
}

@ArgsType()
export class CloudResourcesArgs extends ConnectionArgs {
  @Field(() => CloudResourceFilter, {
    nullable: true,
    description: "Filter; all live resources when absent.",
  })
  filter?: CloudResourceFilter | null;
}

@ObjectType({ description: "Counts of the last sync of one region." })
export class SyncCounts {
  @Field(() => Int, { description: "VPCs seen." })
  vpcs!: number;

  @Field(() => Int, { description: "Subnets seen." })
  subnets!: number;

  @Field(() => Int, { description: "CIDRs seen (all VPC and subnet ranges)." })
  cidrs!: number;

  @Field(() => Int, { description: "Findings (open drift) in the region after the sync." })
  findings!: number;
}

@ObjectType({
  description: "The last sync of one region of an account (GCP: region `global`, one aggregated read).",
})
export class SyncState {
  @Field(() => ID, { description: "Global id of the account." })
  accountId!: string;

  @Field(() => String, { description: "AWS region, or `global` for a GCP project." })
  region!: string;

  @Field(() => SyncStatus, { description: "RUNNING, OK or ERROR." })
  status!: SyncStatus;

  @Field(() => DateTimeResolver, { nullable: true, description: "When the last sync of the region started." })
  startedAt!: string | null;

  @Field(() => DateTimeResolver, {
    nullable: true,
    description: "When the last finished sync ended (while RUNNING: the previous one's).",
  })
  finishedAt!: string | null;

  @Field(() => SyncCounts, {
    nullable: true,
    description: "What the last finished sync saw (null before the first one finishes).",
  })
  counts!: SyncCounts | null;

  @Field(() => String, {
    nullable: true,
    description: "Why the last finished sync could not read the region.",
  })
  error!: string | null;
}

@InputType({ description: "The account to sync now." })
export class SyncAccountInput {
  @Field(() => ID, { description: "Global id of an AWS or GCP account." })
  accountId!: string;
}

@ObjectType({ description: "Result of a sync." })
export class SyncAccountPayload {
  @Field(() => [SyncState], { description: "Sync state of every region read." })
  states!: SyncState[];

  @Field(() => Int, { description: "Cloud API calls made (each page counts; retries do not)." })
  calls!: number;

  @Field(() => Int, { description: "Resources seen." })
  resourcesSeen!: number;

  @Field(() => Int, { description: "Drift items this sync opened." })
  driftDetected!: number;

  @Field(() => Int, { description: "Drift items this sync resolved." })
  driftResolved!: number;

  @Field(() => Int, { description: "Drift items open for the account after the sync." })
  driftOpen!: number;
}

@InputType({ description: "An unmanaged cloud CIDR to turn into an allocation." })
export class AdoptResourceInput {
  @Field(() => ID, { description: "Global id of the CloudResource." })
  resourceId!: string;

  @Field(() => ID, {
    description: "Global id of the pool the allocation is carved from (it must contain the CIDR).",
  })
  poolId!: string;

  @Field(() => CIDRScalar, {
    nullable: true,
    description: "Which CIDR of the resource (default: its primary).",
  })
  cidr?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Name of the allocation (default: the resource's name or id).",
  })
  name?: string | null;
}

@ObjectType({ description: "Result of an adoption." })
export class AdoptResourcePayload {
  @Field(() => ID, { description: "Global id of the new allocation, bound to the resource." })
  allocationId!: string;

  @Field(() => CIDRScalar, { description: "The adopted CIDR." })
  cidr!: string;

  @Field(() => CloudResource, { description: "The adopted resource." })
  resource!: CloudResource;

  @Field(() => [DriftItem], { description: "Drift items the adoption resolved." })
  resolvedDrift!: DriftItem[];
}

@InputType({ description: "Create the subnet of an allocation (account policy MANAGE only)." })
export class ProvisionSubnetInput {
  @Field(() => ID, { description: "Global id of an IPv4 allocation of the account." })
  allocationId!: string;

  @Field(() => ID, {
    description:
      "The VPC: global id of its CloudResource, or its cloud id (vpc-…, projects/…/global/networks/…).",
  })
  vpcId!: string;

  @Field(() => String, {
    nullable: true,
    description: "GCP: region of the subnetwork (AWS uses the VPC's region).",
  })
  region?: string | null;

  @Field(() => String, { nullable: true, description: "AWS: availability zone." })
  zone?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Subnet name (default: cloudpam-<allocation id>, or the allocation name on AWS).",
  })
  name?: string | null;
}

@ObjectType({ description: "Result of provisioning." })
export class ProvisionSubnetPayload {
  @Field(() => ID, {
    nullable: true,
    description: "Global id of the allocation, now bound to the subnet; null while awaiting approval.",
  })
  allocationId!: string | null;

  @Field(() => CloudResource, { nullable: true, description: "The subnet; null while awaiting approval." })
  resource!: CloudResource | null;

  @Field(() => Boolean, {
    nullable: true,
    description:
      "False when the allocation already had this subnet (a retried request); null while awaiting approval.",
  })
  created!: boolean | null;

  @Field(() => ChangeRequest, {
    nullable: true,
    description:
      "Set when the scope's approval policy holds this operation: the PENDING request (the other fields are then null or empty; nothing was changed yet). Null when the operation was applied.",
  })
  changeRequest!: ChangeRequest | null;
}

@InputType({
  description: "Delete the subnet of an allocation (account policy MANAGE, CloudPAM-created subnets only).",
})
export class DeprovisionSubnetInput {
  @Field(() => ID, { description: "Global id of the allocation bound to the subnet." })
  allocationId!: string;

  @Field(() => Boolean, { description: "Must be true: deleting a subnet cannot be undone." })
  confirm!: boolean;
}

@ObjectType({ description: "Result of deprovisioning: the subnet is gone, the allocation stays (unbound)." })
export class DeprovisionSubnetPayload {
  @Field(() => ID, {
    nullable: true,
    description: "Global id of the allocation, no longer bound; null while awaiting approval.",
  })
  allocationId!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Cloud id of the deleted subnet; null while awaiting approval.",
  })
  deletedResourceId!: string | null;

  @Field(() => ChangeRequest, {
    nullable: true,
    description:
      "Set when the scope's approval policy holds this operation: the PENDING request (the other fields are then null or empty; nothing was changed yet). Null when the operation was applied.",
  })
  changeRequest!: ChangeRequest | null;
}

/** Maps an observed resource to the API's CloudResource. */
export function toCloudResource(r: CloudResourceRecord): CloudResource {
  return {
    __typename: "CloudResource",
    id: toGlobalId("CloudResource", r.id),
    rowId: r.id,
    accountRowId: r.accountId,
    accountId: toGlobalId("Account", r.accountId),
    provider: r.provider,
    resourceType: r.resourceType as CloudResourceType,
    externalId: r.externalId,
    vpcExternalId: r.vpcExternalId,
    region: r.region,
    zone: r.zone,
    name: r.name,
    tags: r.tags,
    state: r.state,
    managedByCloudPam: r.managed,
    allocationTag: r.allocationTag,
    firstSeenAt: r.firstSeenAt,
    lastSeenAt: r.lastSeenAt,
    deletedAt: r.deletedAt,
  };
}

export function toCloudCidr(c: CloudCidrRecord): CloudCidr {
  return {
    cidr: c.cidr,
    family: c.family,
    role: c.role,
    name: c.name,
    management: c.management as CidrManagement | null,
    allocationId: c.allocationId === null ? null : toGlobalId("Allocation", c.allocationId),
  };
}

export function toSyncState(s: SyncStateRecord): SyncState {
  const c = s.counts;
  return {
    accountId: toGlobalId("Account", s.accountId),
    region: s.region,
    status: s.status as SyncStatus,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    counts:
      "vpcs" in c
        ? ({
            vpcs: c.vpcs ?? 0,
            subnets: c.subnets ?? 0,
            cidrs: c.cidrs ?? 0,
            findings: c.findings ?? 0,
          } as SyncCounts)
        : null,
    error: s.error,
  };
}
