/**
 * Actuation: creating and deleting the subnets CloudPAM manages. Off by default: only accounts whose
 * reconcilePolicy is MANAGE may be changed; OBSERVE accounts are refused with FORBIDDEN.
 *
 * Safety rules:
 *  - a subnet is created with CloudPAM's ownership marker carrying the allocation id; a retried
 *    provision (or a create whose answer was lost) finds that subnet instead of creating a second one;
 *  - CloudPAM never deletes a subnet without its ownership marker, whatever the policy: the stored
 *    observation is checked first, then the provider re-reads the live tags before deleting.
 * Cloud calls happen outside any write transaction; the binding is written afterwards in one.
 */
import type { AccountRow } from "../db/accounts.js";
import { accountById } from "../db/accounts.js";
import type { PrefixRow } from "../db/prefixes.js";
import { resourceByExternalId } from "../db/cloud.js";
import type { Db } from "../db/store.js";
import { bindAllocationIn, toAllocationRecord, type AllocationRecord } from "../domain/allocations.js";
import type { Caller } from "../domain/caller.js";
import { toCloudResourceRecord, type CloudResourceRecord } from "../domain/cloud.js";
import { recordProvisionedSubnet, markResourceGone, requireResource } from "../domain/cloud-sync.js";
import { Conflict, Forbidden, Invalid, withArticle, type DomainError } from "../domain/errors.js";
import { describePrefix, prefixRef } from "../domain/placement.js";
import { requireLiveAllocation } from "../domain/validation.js";
import { ProviderError } from "../providers/errors.js";
import type { CloudSubnet } from "../providers/types.js";
import { providerOf, type ReconcileServices } from "./sync.js";

const GCP_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A provider failure as a domain error a person can act on. */
export function fromProviderError(err: unknown, field: string): unknown {
  if (!(err instanceof ProviderError)) return err;
  const details = { field, provider: err.provider, operation: err.operation, reason: err.code };
  let e: DomainError;
  switch (err.code) {
    case "UNMANAGED_RESOURCE":
      e = new Forbidden(err.message, details);
      break;
    case "INVALID":
      e = new Invalid(field, err.message, details);
      break;
    default:
      // CONFLICT (range taken in the VPC), NOT_FOUND, throttled/unavailable after retries, auth...
      e = new Conflict(`${err.message}; nothing was changed in CloudPAM`, details);
  }
  return e;
}

async function requireManagedAccount(db: Db, allocation: PrefixRow, verb: string): Promise<AccountRow> {
  if (allocation.accountId === null)
    throw new Invalid("allocationId", `${describePrefix(allocation)} belongs to no account`);
  const account = (await accountById(db, allocation.accountId))!;
  if (account.reconcilePolicy !== "MANAGE") {
    throw new Forbidden(
      `account '${account.name}' (${account.key}) has reconcile policy ${account.reconcilePolicy}: CloudPAM only observes it and will not ${verb} subnets there. An admin can set its reconcilePolicy to MANAGE.`,
      {
        field: "allocationId",
        reconcilePolicy: account.reconcilePolicy,
        account: { type: "Account", id: account.id, name: account.name },
      },
    );
  }
  return account;
}

export interface ProvisionInput {
  allocationId: number;
  /** The VPC: a cloud resource row id, or its cloud id (vpc-…, projects/…/global/networks/…). */
  vpc: { rowId?: number; externalId?: string };
  /** GCP: the region of the subnetwork (AWS: the VPC's region). */
  region?: string | null;
  /** AWS: availability zone. */
  zone?: string | null;
  name?: string | null;
}

export interface ProvisionResult {
  allocation: AllocationRecord;
  resource: CloudResourceRecord;
  /** False when the allocation was already realised by this subnet (a retry). */
  created: boolean;
}

export async function provisionSubnet(
  services: ReconcileServices,
  caller: Caller,
  input: ProvisionInput,
): Promise<ProvisionResult> {
  const { store } = services;
  const plan = await store.read(async (db) => {
    const allocation = await requireLiveAllocation(db, input.allocationId, "allocationId");
    const account = await requireManagedAccount(db, allocation, "create");
    if (allocation.family !== 4)
      throw new Invalid("allocationId", `only IPv4 allocations become subnets; ${allocation.cidr} is IPv6`);
    const vpc = await requireResource(db, account.id, input.vpc, "vpcId");
    if (vpc.resourceType !== "VPC")
      throw new Invalid(
        "vpcId",
        `${vpc.externalId} is ${withArticle(vpc.resourceType.toLowerCase())}, not a VPC`,
      );
    const region = input.region ?? vpc.region;
    if (!region)
      throw new Invalid("region", `${vpc.externalId} is global; name the region of the subnetwork`);
    const current = allocation.resourceId
      ? await resourceByExternalId(db, account.id, allocation.resourceId)
      : undefined;
    if (
      allocation.resourceId &&
      !(current && !current.deletedAt && current.vpcExternalId === vpc.externalId)
    ) {
      throw new Conflict(`${describePrefix(allocation)} is already bound to ${allocation.resourceId}`, {
        field: "allocationId",
        conflicting: prefixRef(allocation),
      });
    }
    return {
      allocation,
      account,
      vpc,
      region,
      existing: current && !current.deletedAt ? current : undefined,
    };
  });
  if (plan.existing) {
    return {
      allocation: toAllocationRecord(plan.allocation),
      resource: toCloudResourceRecord(plan.existing),
      created: false,
    };
  }

  const handle = await providerOf(services, plan.account);
  const defaultName = `cloudpam-${plan.allocation.id}`;
  const name = input.name ?? (handle.name === "gcp" ? defaultName : (plan.allocation.name ?? defaultName));
  if (handle.name === "gcp" && !GCP_NAME.test(name))
    throw new Invalid(
      "name",
      `"${name}" is not a GCP subnetwork name (lowercase letters, digits, '-', at most 63)`,
    );
  let subnet: CloudSubnet;
  try {
    subnet = await handle.provider.createSubnet({
      vpcId: plan.vpc.externalId,
      cidr: plan.allocation.cidr,
      region: plan.region,
      zone: input.zone ?? undefined,
      name,
      allocationId: String(plan.allocation.id),
    });
  } catch (err) {
    throw fromProviderError(err, "allocationId");
  } finally {
    await handle.dispose();
  }

  return store.write(async (db) => {
    const allocation = await requireLiveAllocation(db, input.allocationId, "allocationId");
    const resource = await recordProvisionedSubnet(
      db,
      plan.account.id,
      subnet,
      allocation,
      new Date().toISOString(),
    );
    // Last: the binding appends the allocation's event (src/db/README.md).
    const bound = await bindAllocationIn(db, caller, allocation.id, {
      provider: handle.name,
      resourceId: subnet.id,
      type: "SUBNET",
      region: subnet.region,
    });
    return { allocation: bound, resource: toCloudResourceRecord(resource), created: true };
  });
}

export interface DeprovisionInput {
  allocationId: number;
  confirm: boolean;
}

export interface DeprovisionResult {
  allocation: AllocationRecord;
  /** The cloud id of the deleted subnet. */
  deletedResourceId: string;
}

export async function deprovisionSubnet(
  services: ReconcileServices,
  caller: Caller,
  input: DeprovisionInput,
): Promise<DeprovisionResult> {
  if (input.confirm !== true)
    throw new Invalid("confirm", "deleting a subnet cannot be undone; pass confirm: true to delete it");
  const { store } = services;
  const plan = await store.read(async (db) => {
    const allocation = await requireLiveAllocation(db, input.allocationId, "allocationId");
    const account = await requireManagedAccount(db, allocation, "delete");
    if (!allocation.resourceId || allocation.resourceType !== "SUBNET")
      throw new Conflict(`${describePrefix(allocation)} is not bound to a subnet`, {
        field: "allocationId",
        conflicting: prefixRef(allocation),
      });
    const resource = await resourceByExternalId(db, account.id, allocation.resourceId);
    if (resource && !resource.managed) {
      throw new Forbidden(
        `refusing to delete ${resource.externalId}: it does not carry CloudPAM's ownership tag (cloudpam:managed / cloudpam:allocation-id), so CloudPAM did not create it and never deletes it`,
        { field: "allocationId", resource: resource.externalId },
      );
    }
    const region = resource?.region ?? allocation.resourceRegion;
    if (!region)
      throw new Conflict(`the region of ${allocation.resourceId} is unknown; sync the account first`, {
        field: "allocationId",
      });
    return { allocation, account, resourceId: allocation.resourceId, region };
  });

  const handle = await providerOf(services, plan.account);
  try {
    await handle.provider.deleteSubnet({ id: plan.resourceId, region: plan.region });
  } catch (err) {
    // Already gone (deleted by someone else, or an earlier attempt): unbinding is what is left to do.
    if (!(err instanceof ProviderError && err.code === "NOT_FOUND"))
      throw fromProviderError(err, "allocationId");
  } finally {
    await handle.dispose();
  }

  return store.write(async (db) => {
    const allocation = await requireLiveAllocation(db, input.allocationId, "allocationId");
    if (allocation.resourceId !== plan.resourceId)
      throw new Conflict(`${describePrefix(allocation)} was rebound while the subnet was being deleted`, {
        field: "allocationId",
        conflicting: prefixRef(allocation),
      });
    await markResourceGone(db, plan.account.id, plan.resourceId, new Date().toISOString());
    // Last: the unbinding appends the allocation's event (src/db/README.md).
    const unbound = await bindAllocationIn(db, caller, allocation.id, null);
    return { allocation: unbound, deletedResourceId: plan.resourceId };
  });
}
