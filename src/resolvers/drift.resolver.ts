import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import {
  DriftItem,
  DriftItemConnection,
  DriftItemsArgs,
  IgnoreDriftInput,
  IgnoreDriftPayload,
  toDriftItem,
} from "../schema/drift.js";
import { CloudResource } from "../schema/cloud.js";
import { Account } from "../schema/account.js";
import { Allocation } from "../schema/allocation.js";
import { toConnection, type Connection } from "../schema/connection.js";
import { fromGlobalId } from "../schema/node.js";
import { ignoreDrift, listDrift } from "../domain/drift.js";
import { callerOf, type Context } from "./context.js";

@Resolver(() => DriftItem)
export class DriftResolver {
  @Authorized("read")
  @Query(() => DriftItemConnection, { description: "Drift items, oldest first, optionally filtered." })
  async driftItems(
    @Args(() => DriftItemsArgs) args: DriftItemsArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<DriftItem>> {
    const f = args.filter ?? {};
    const { page, count } = await listDrift(
      ctx.services.store,
      {
        accountId: f.accountId ? fromGlobalId(f.accountId, "Account", "filter.accountId").id : null,
        kind: f.kind ?? null,
        status: f.status ?? null,
        severity: f.severity ?? null,
      },
      args,
      ctx.services.config.limits.maxPageSize,
    );
    return toConnection(page, toDriftItem, count);
  }

  @Authorized("operate")
  @Mutation(() => IgnoreDriftPayload, {
    description:
      "Marks an OPEN drift item IGNORED: later syncs neither report nor resolve it. Needs operate.",
  })
  async ignoreDrift(
    @Arg("input", () => IgnoreDriftInput, { description: "The drift item." }) input: IgnoreDriftInput,
    @Ctx() ctx: Context,
  ): Promise<IgnoreDriftPayload> {
    const { id } = fromGlobalId(input.id, "DriftItem", "id");
    return { driftItem: toDriftItem(await ignoreDrift(ctx.services.store, callerOf(ctx), id)) };
  }

  @FieldResolver(() => Account, { nullable: true, description: "The account the drift was found in." })
  account(@Root() d: DriftItem, @Ctx() ctx: Context): Promise<Account | null> {
    return ctx.loaders.account.load(d.accountRowId);
  }

  @FieldResolver(() => Allocation, {
    nullable: true,
    description:
      "The allocation concerned (MISSING_IN_CLOUD, CIDR_MISMATCH, OVERLAP with an allocation), if it still exists.",
  })
  async allocation(@Root() d: DriftItem, @Ctx() ctx: Context): Promise<Allocation | null> {
    return d.allocationRowId === null ? null : ctx.loaders.allocation.load(d.allocationRowId);
  }

  @FieldResolver(() => CloudResource, {
    nullable: true,
    description: "The cloud resource concerned, if known.",
  })
  async resource(@Root() d: DriftItem, @Ctx() ctx: Context): Promise<CloudResource | null> {
    if (d.resourceRowId === null) return null;
    return ctx.loaders.cloudResource.load(d.resourceRowId);
  }
}
