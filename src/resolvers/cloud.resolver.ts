import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import {
  AdoptResourceInput,
  AdoptResourcePayload,
  CloudCidr,
  CloudResource,
  CloudResourceConnection,
  CloudResourcesArgs,
  DeprovisionSubnetInput,
  DeprovisionSubnetPayload,
  ProvisionSubnetInput,
  ProvisionSubnetPayload,
  SyncAccountInput,
  SyncAccountPayload,
  SyncState,
  toCloudCidr,
  toCloudResource,
  toSyncState,
} from "../schema/cloud.js";
import { toConnection, type Connection } from "../schema/connection.js";
import { Account } from "../schema/account.js";
import { fromGlobalId, toGlobalId } from "../schema/node.js";
import { adoptResource, listCloudResources, syncStates } from "../domain/cloud.js";
import { syncAccount } from "../reconcile/sync.js";
import { deprovisionOrRequest, provisionOrRequest } from "../reconcile/change-operations.js";
import { changeRequestSettings } from "../domain/change-requests.js";
import { toChangeRequest } from "../schema/change-request.js";
import { callerOf, type Context } from "./context.js";
import { toDriftItem } from "../schema/drift.js";

/** A VPC given as a CloudResource global id, or as its cloud id (anything that is not a global id). */
function vpcRef(value: string): { rowId?: number; externalId?: string } {
  try {
    fromGlobalId(value);
  } catch {
    return { externalId: value };
  }
  // A global id of another type is refused (BAD_USER_INPUT naming vpcId).
  return { rowId: fromGlobalId(value, "CloudResource", "vpcId").id };
}

function accountIdOf(id: string, field: string): number {
  return fromGlobalId(id, "Account", field).id;
}

@Resolver(() => CloudResource)
export class CloudResolver {
  @Authorized("read")
  @Query(() => CloudResourceConnection, { description: "Observed VPCs and subnets, in discovery order." })
  async cloudResources(
    @Args(() => CloudResourcesArgs) args: CloudResourcesArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<CloudResource>> {
    const f = args.filter ?? {};
    const { page, count } = await listCloudResources(
      ctx.services.store,
      {
        accountId: f.accountId ? accountIdOf(f.accountId, "filter.accountId") : null,
        resourceType: f.resourceType ?? null,
        region: f.region ?? null,
        vpcExternalId: f.vpcExternalId ?? null,
        includeDeleted: f.includeDeleted ?? false,
      },
      args,
      ctx.services.config.limits.maxPageSize,
    );
    return toConnection(page, toCloudResource, count);
  }

  @Authorized("read")
  @Query(() => [SyncState], { description: "The last sync of every region of an account." })
  async syncState(
    @Arg("accountId", () => ID, { description: "Global id of the account." }) accountId: string,
    @Ctx() ctx: Context,
  ): Promise<SyncState[]> {
    return (await syncStates(ctx.services.store, accountIdOf(accountId, "accountId"))).map(toSyncState);
  }

  @Authorized("operate")
  @Mutation(() => SyncAccountPayload, {
    description:
      "Reads the account's VPCs and subnets now, records them, classifies every CIDR and updates drift. Joins a sync of the same account already running. Needs operate.",
  })
  async syncAccount(
    @Arg("input", () => SyncAccountInput, { description: "The account." }) input: SyncAccountInput,
    @Ctx() ctx: Context,
  ): Promise<SyncAccountPayload> {
    const r = await syncAccount(ctx.services, callerOf(ctx), accountIdOf(input.accountId, "accountId"));
    return {
      states: r.states.map(toSyncState),
      calls: r.calls,
      resourcesSeen: r.resources.seen,
      driftDetected: r.drift.detected,
      driftResolved: r.drift.resolved,
      driftOpen: r.drift.open,
    };
  }

  @Authorized("operate")
  @Mutation(() => AdoptResourcePayload, {
    description:
      "Turns an UNMANAGED cloud CIDR into an allocation bound to its resource (CONFLICT if anything in the pool overlaps it) and resolves its drift. Needs operate.",
  })
  async adoptResource(
    @Arg("input", () => AdoptResourceInput, { description: "Resource, pool and optionally which CIDR." })
    input: AdoptResourceInput,
    @Ctx() ctx: Context,
  ): Promise<AdoptResourcePayload> {
    const r = await adoptResource(ctx.services.store, callerOf(ctx), {
      resourceId: fromGlobalId(input.resourceId, "CloudResource", "resourceId").id,
      poolId: fromGlobalId(input.poolId, "Pool", "poolId").id,
      cidr: input.cidr,
      name: input.name,
    });
    return {
      allocationId: toGlobalId("Allocation", r.allocation.id),
      cidr: r.allocation.cidr,
      resource: toCloudResource(r.resource),
      resolvedDrift: r.resolved.map(toDriftItem),
    };
  }

  @Authorized("operate")
  @Mutation(() => ProvisionSubnetPayload, {
    description:
      "Creates the subnet of an allocation in a VPC and binds them; only for accounts with reconcile policy MANAGE (FORBIDDEN otherwise). A retry finds the subnet created earlier instead of creating a second one. Needs operate. When the allocation's scope requires approval of actuation, nothing is created: the payload's changeRequest is the PENDING request.",
  })
  async provisionSubnet(
    @Arg("input", () => ProvisionSubnetInput, { description: "Allocation and VPC." })
    input: ProvisionSubnetInput,
    @Ctx() ctx: Context,
  ): Promise<ProvisionSubnetPayload> {
    const { done: r, changeRequest } = await provisionOrRequest(
      ctx.services,
      callerOf(ctx),
      {
        allocationId: fromGlobalId(input.allocationId, "Allocation", "allocationId").id,
        vpc: vpcRef(input.vpcId),
        region: input.region,
        zone: input.zone,
        name: input.name,
      },
      changeRequestSettings(ctx.services.config),
    );
    if (changeRequest)
      return {
        allocationId: null,
        resource: null,
        created: null,
        changeRequest: toChangeRequest(changeRequest),
      };
    return {
      allocationId: toGlobalId("Allocation", r.allocation.id),
      resource: toCloudResource(r.resource),
      created: r.created,
      changeRequest: null,
    };
  }

  @Authorized("operate")
  @Mutation(() => DeprovisionSubnetPayload, {
    description:
      "Deletes the subnet of an allocation (the allocation stays, unbound); only under reconcile policy MANAGE, and never a subnet without CloudPAM's ownership tag (FORBIDDEN). Needs operate. When the allocation's scope requires approval of actuation, nothing is deleted: the payload's changeRequest is the PENDING request.",
  })
  async deprovisionSubnet(
    @Arg("input", () => DeprovisionSubnetInput, { description: "Allocation and confirmation." })
    input: DeprovisionSubnetInput,
    @Ctx() ctx: Context,
  ): Promise<DeprovisionSubnetPayload> {
    const { done: r, changeRequest } = await deprovisionOrRequest(
      ctx.services,
      callerOf(ctx),
      {
        allocationId: fromGlobalId(input.allocationId, "Allocation", "allocationId").id,
        confirm: input.confirm,
      },
      changeRequestSettings(ctx.services.config),
    );
    if (changeRequest)
      return { allocationId: null, deletedResourceId: null, changeRequest: toChangeRequest(changeRequest) };
    return {
      allocationId: toGlobalId("Allocation", r.allocation.id),
      deletedResourceId: r.deletedResourceId,
      changeRequest: null,
    };
  }

  @FieldResolver(() => Account, { nullable: true, description: "The account the resource lives in." })
  account(@Root() r: CloudResource, @Ctx() ctx: Context): Promise<Account | null> {
    return ctx.loaders.account.load(r.accountRowId);
  }

  @FieldResolver(() => [CloudCidr], {
    description: "Every IPv4 and IPv6 range of the resource, with its classification.",
  })
  async cidrs(@Root() r: CloudResource, @Ctx() ctx: Context): Promise<CloudCidr[]> {
    const cidrs = await ctx.loaders.cloudCidrs.load(r.rowId);
    return cidrs.map(toCloudCidr);
  }
}
