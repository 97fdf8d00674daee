/**
 * Observed cloud resources as the API reads and changes them: resources and their CIDRs (pages and loader
 * batches), sync state per region, and adoption of an unmanaged cloud CIDR into the plan. What a sync
 * records (the observation diff, sync state writes, the overlap lookup) is in cloud-sync.ts.
 */
import { formatPrefix } from "../allocator/index.js";
import {
  allocationsBoundTo,
  cidrsByResourceIds,
  cloudResourcesPage,
  countCloudResources,
  resourceById,
  resourcesByIds,
  setCidrManagement,
  syncStatesOf,
  type CloudCidrRow,
  type CloudResourceFilter,
  type CloudResourceRow,
} from "../db/cloud.js";
import { openDriftOfResource } from "../db/drift.js";
import { resolvePage, type Page, type PageArgs } from "../db/pagination.js";
import type { Store } from "../db/store.js";
import { allocateBoundIn, type AllocationRecord } from "./allocations.js";
import type { Caller } from "./caller.js";
import { resolveDriftRow, toDriftRecord, type DriftRecord } from "./drift.js";
import { Conflict, Invalid, NotFound } from "./errors.js";
import { parseCidr, requireAccount } from "./validation.js";
import { toSyncStateRecord, type SyncStateRecord } from "./cloud-sync.js";

export type { SyncStateRecord };

export type CloudResourceKind = "VPC" | "SUBNET";
export type CidrManagementState = "MANAGED" | "UNMANAGED" | "IGNORED";

/** An observed VPC or subnet as the domain hands it out, tags decoded (src/schema never sees a database row). */
export interface CloudResourceRecord {
  id: number;
  accountId: number;
  provider: string;
  resourceType: CloudResourceKind;
  /** The cloud's id: vpc-…, subnet-…, projects/…/global/networks/…. */
  externalId: string;
  /** For a subnet: the cloud id of its VPC. */
  vpcExternalId: string | null;
  region: string | null;
  zone: string | null;
  name: string | null;
  tags: Record<string, string>;
  state: string | null;
  /** Carries CloudPAM's ownership marker. */
  managed: boolean;
  allocationTag: string | null;
  /** ISO-8601 UTC. */
  firstSeenAt: string;
  lastSeenAt: string;
  deletedAt: string | null;
}

export function toCloudResourceRecord(row: CloudResourceRow): CloudResourceRecord {
  return {
    id: row.id,
    accountId: row.accountId,
    provider: row.provider,
    resourceType: row.resourceType as CloudResourceKind,
    externalId: row.externalId,
    vpcExternalId: row.vpcExternalId,
    region: row.region,
    zone: row.zone,
    name: row.name,
    tags: JSON.parse(row.tags) as Record<string, string>,
    state: row.state,
    managed: row.managed,
    allocationTag: row.allocationTag,
    firstSeenAt: row.firstSeenAt,
    lastSeenAt: row.lastSeenAt,
    deletedAt: row.deletedAt,
  };
}

/** One IPv4 or IPv6 range of an observed resource, with its classification as of the last sync. */
export interface CloudCidrRecord {
  id: number;
  resourceId: number;
  cidr: string;
  family: number;
  /** primary | secondary | ipv6 | secondary-range */
  role: string;
  name: string | null;
  /** Null before the first sync classified it. */
  management: CidrManagementState | null;
  /** The allocation that manages it, when MANAGED. */
  allocationId: number | null;
}

export function toCloudCidrRecord(row: CloudCidrRow): CloudCidrRecord {
  return {
    id: row.id,
    resourceId: row.resourceId,
    cidr: row.cidr,
    family: row.family,
    role: row.role,
    name: row.name,
    management: row.management as CidrManagementState | null,
    allocationId: row.allocationId,
  };
}

export async function syncStates(store: Store, accountId: number): Promise<SyncStateRecord[]> {
  return store.read(async (db) => {
    await requireAccount(db, accountId, "accountId");
    return (await syncStatesOf(db, accountId)).map(toSyncStateRecord);
  });
}

export async function listCloudResources(
  store: Store,
  filter: CloudResourceFilter,
  args: PageArgs,
  maxPageSize: number,
): Promise<{ page: Page<CloudResourceRecord>; count: () => Promise<number> }> {
  const resolved = resolvePage(args, maxPageSize);
  const page = await store.read((db) => cloudResourcesPage(db, filter, resolved));
  return {
    page: { ...page, items: page.items.map(toCloudResourceRecord) },
    count: () => store.read((db) => countCloudResources(db, filter)),
  };
}

export async function cloudResourcesById(
  store: Store,
  ids: readonly number[],
): Promise<(CloudResourceRecord | null)[]> {
  const rows = await store.read((db) => resourcesByIds(db, ids));
  const byId = new Map(rows.map((r) => [r.id, toCloudResourceRecord(r)]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** CIDRs per resource id, in the order asked: the CloudResource.cidrs loader's batch function. */
export async function cloudCidrsOf(store: Store, ids: readonly number[]): Promise<CloudCidrRecord[][]> {
  const rows = await store.read((db) => cidrsByResourceIds(db, ids));
  const by = new Map<number, CloudCidrRecord[]>();
  for (const r of rows) {
    const list = by.get(r.resourceId) ?? [];
    list.push(toCloudCidrRecord(r));
    by.set(r.resourceId, list);
  }
  return ids.map((id) => by.get(id) ?? []);
}

// ---------------------------------------------------------------------------------------------------
// Adoption.

export interface AdoptInput {
  /** cloud_resources row id. */
  resourceId: number;
  poolId: number;
  /** Which of the resource's CIDRs (default: its primary IPv4 CIDR, else its only one). */
  cidr?: string | null;
  name?: string | null;
}

export interface AdoptResult {
  allocation: AllocationRecord;
  resource: CloudResourceRecord;
  resolved: DriftRecord[];
}

/**
 * Turns an UNMANAGED cloud CIDR into an allocation bound to the resource, in one transaction: the
 * allocation is placed in the pool exactly at that CIDR (CONFLICT, naming what is in the way, if
 * anything overlaps it), the CIDR becomes MANAGED and the resource's UNMANAGED drift for it resolves.
 */
export async function adoptResource(store: Store, caller: Caller, input: AdoptInput): Promise<AdoptResult> {
  return store.write(async (db) => {
    const resource = await resourceById(db, input.resourceId);
    if (!resource || resource.deletedAt) throw new NotFound("CloudResource", input.resourceId, "resourceId");
    const cidrs = await cidrsByResourceIds(db, [resource.id]);
    let target: CloudCidrRow | undefined;
    if (input.cidr) {
      const wanted = formatPrefix(parseCidr("cidr", input.cidr));
      target = cidrs.find((c) => c.cidr === wanted);
      if (!target)
        throw new Invalid(
          "cidr",
          `${resource.externalId} has no CIDR ${wanted}; it has ${cidrs.map((c) => c.cidr).join(", ")}`,
        );
    } else {
      target = cidrs.find((c) => c.role === "primary") ?? (cidrs.length === 1 ? cidrs[0] : undefined);
      if (!target)
        throw new Invalid(
          "cidr",
          `${resource.externalId} has several CIDRs (${cidrs.map((c) => c.cidr).join(", ")}); name one`,
        );
    }
    if (target.management === "MANAGED") {
      throw new Conflict(
        `${target.cidr} of ${resource.externalId} is already managed by allocation ${target.allocationId}`,
        {
          field: "resourceId",
          conflicting: { type: "Allocation", id: target.allocationId ?? 0, cidr: target.cidr },
        },
      );
    }
    const chosen = target;
    const bound = (await allocationsBoundTo(db, resource.externalId)).find((a) => a.cidr === chosen.cidr);
    if (bound) {
      throw new Conflict(
        `${target.cidr} of ${resource.externalId} is already bound to allocation ${bound.id}`,
        {
          field: "resourceId",
          conflicting: { type: "Allocation", id: bound.id, name: bound.name, cidr: bound.cidr },
        },
      );
    }
    const allocation = await allocateBoundIn(
      db,
      caller,
      {
        poolId: input.poolId,
        accountId: resource.accountId,
        cidr: target.cidr,
        name: input.name ?? resource.name ?? resource.externalId,
        description: `adopted from ${resource.provider} ${resource.resourceType.toLowerCase()} ${resource.externalId}`,
      },
      {
        provider: resource.provider,
        resourceId: resource.externalId,
        type: resource.resourceType,
        region: resource.region,
      },
    );
    await setCidrManagement(db, target.id, "MANAGED", allocation.id);
    const now = new Date().toISOString();
    const resolved: DriftRecord[] = [];
    for (const d of await openDriftOfResource(db, resource.id))
      if (d.kind === "UNMANAGED" && d.cidr === target.cidr)
        resolved.push(toDriftRecord(await resolveDriftRow(db, caller, d, now)));
    return { allocation, resource: toCloudResourceRecord(resource), resolved };
  });
}
