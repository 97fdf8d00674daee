/** Pools: list with filters and containment, fetch, create/update/delete (ADMIN), their relations, and Account.pools. */
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import {
  createPool,
  deletePool,
  listPools,
  pathOfPool,
  updatePool,
  type PoolFilter as DomainPoolFilter,
} from "../domain/pools.js";
import { movePool, resizePool } from "../domain/pool-lifecycle.js";
import { changeRequestSettings, performOrRequest } from "../domain/change-requests.js";
import { toChangeRequest } from "../schema/change-request.js";
import type { PoolOrderField as DbPoolOrderField } from "../db/pools.js";
import { Account } from "../schema/account.js";
import { ConnectionArgs, SortDirection, toConnection } from "../schema/connection.js";
import { fromGlobalId, rowIdOf, toGlobalId } from "../schema/node.js";
import {
  CreatePoolInput,
  CreatePoolPayload,
  DeletePoolInput,
  DeletePoolPayload,
  Pool,
  PoolConnection,
  PoolFilter,
  PoolOrder,
  PoolOrderField,
  MovePoolInput,
  MovePoolPayload,
  ResizePoolInput,
  ResizePoolPayload,
  UpdatePoolInput,
  UpdatePoolPayload,
  familyNumber,
  toPool,
  toRemovedPrefix,
} from "../schema/pool.js";
import { Scope } from "../schema/scope.js";
import { auditOnly, callerOf, type Context } from "./context.js";

const ORDER: Record<PoolOrderField, DbPoolOrderField> = {
  NETWORK: "network",
  NAME: "name",
  CREATED_AT: "createdAt",
};

function toDomainFilter(f: PoolFilter | null | undefined): DomainPoolFilter {
  if (!f) return {};
  return {
    ...f,
    scopeId: rowIdOf(f.scopeId, "Scope", "filter.scopeId"),
    parentId: rowIdOf(f.parentId, "Pool", "filter.parentId"),
    accountId: rowIdOf(f.accountId, "Account", "filter.accountId"),
    statuses: f.status,
    family: f.family ? familyNumber(f.family) : null,
  };
}

/** Runs a pool list for the API: filters, order and page in, connection out. */
async function poolConnection(
  ctx: Context,
  filter: DomainPoolFilter,
  order: PoolOrder | null | undefined,
  args: ConnectionArgs,
): Promise<PoolConnection> {
  const { page, count } = await listPools(
    ctx.services.store,
    filter,
    ORDER[order?.field ?? PoolOrderField.NETWORK],
    order?.direction === SortDirection.DESC,
    args,
    ctx.services.config.limits.maxPageSize,
  );
  return toConnection(page, toPool, count) as PoolConnection;
}

@Resolver(() => Pool)
export class PoolResolver {
  @Authorized("read")
  @Query(() => PoolConnection, {
    description:
      "Pools, filtered (scope, parent, account, status, family, name, containment) and ordered; Relay cursor connection.",
  })
  pools(
    @Arg("filter", () => PoolFilter, { nullable: true, description: "Which pools (default: all)." })
    filter: PoolFilter | null,
    @Arg("orderBy", () => PoolOrder, { nullable: true, description: "Order (default: NETWORK ASC)." })
    orderBy: PoolOrder | null,
    @Arg("includeDeleted", () => Boolean, {
      nullable: true,
      defaultValue: false,
      description:
        "Also list deleted pools (soft delete; they carry deletedAt and deletedBy). Needs the audit permission (ADMIN or AUDITOR).",
    })
    includeDeleted: boolean | null,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Ctx() ctx: Context,
  ): Promise<PoolConnection> {
    return poolConnection(
      ctx,
      { ...toDomainFilter(filter), includeDeleted: auditOnly(ctx, includeDeleted) },
      orderBy,
      args,
    );
  }

  @Authorized("read")
  @Query(() => Pool, { nullable: true, description: "One pool by global id; null if it does not exist." })
  pool(@Arg("id", () => ID, { description: "Global id of the pool." }) id: string, @Ctx() ctx: Context) {
    return ctx.loaders.pool.load(fromGlobalId(id, "Pool", "id").id);
  }

  @FieldResolver(() => Scope, { description: "The scope (address space) of the pool." })
  async scope(@Root() pool: Pool, @Ctx() ctx: Context): Promise<Scope> {
    return (await ctx.loaders.scope.load(pool.scopeId))!;
  }

  @FieldResolver(() => Pool, { nullable: true, description: "The parent pool; null for a top-level pool." })
  parent(@Root() pool: Pool, @Ctx() ctx: Context) {
    return pool.parentId === null ? null : ctx.loaders.pool.load(pool.parentId);
  }

  @FieldResolver(() => Account, { nullable: true, description: "The owning account, if any." })
  account(@Root() pool: Pool, @Ctx() ctx: Context) {
    return pool.accountId === null ? null : ctx.loaders.account.load(pool.accountId);
  }

  @FieldResolver(() => PoolConnection, { description: "Direct child pools, in network order by default." })
  children(
    @Root() pool: Pool,
    @Arg("orderBy", () => PoolOrder, { nullable: true, description: "Order (default: NETWORK ASC)." })
    orderBy: PoolOrder | null,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Ctx() ctx: Context,
  ): Promise<PoolConnection> {
    return poolConnection(ctx, { parentId: pool.rowId }, orderBy, args);
  }

  @FieldResolver(() => [Pool], { description: "The pool's ancestors and itself, root first." })
  async path(@Root() pool: Pool, @Ctx() ctx: Context): Promise<Pool[]> {
    return (await pathOfPool(ctx.services.store, pool.rowId)).map(toPool);
  }

  @Authorized("admin")
  @Mutation(() => CreatePoolPayload, {
    description:
      "Creates a pool: an explicit cidr (top-level or inside parentId), or parentId + prefixLength to carve the parent's next free block. CONFLICT names what is in the way.",
  })
  async createPool(
    @Arg("input", () => CreatePoolInput, { description: "The new pool." }) input: CreatePoolInput,
    @Ctx() ctx: Context,
  ): Promise<CreatePoolPayload> {
    const row = await createPool(ctx.services.store, callerOf(ctx), {
      ...input,
      scopeId: rowIdOf(input.scopeId, "Scope", "scopeId"),
      parentId: rowIdOf(input.parentId, "Pool", "parentId"),
      accountId: rowIdOf(input.accountId, "Account", "accountId"),
    });
    return { pool: toPool(row) };
  }

  @Authorized("admin")
  @Mutation(() => UpdatePoolPayload, {
    description:
      "Changes a pool's name, description, status, account, tags, rules or monitoring (only the fields present).",
  })
  async updatePool(
    @Arg("input", () => UpdatePoolInput, { description: "The changes." }) input: UpdatePoolInput,
    @Ctx() ctx: Context,
  ): Promise<UpdatePoolPayload> {
    const { id, ...patch } = input;
    const row = await updatePool(ctx.services.store, callerOf(ctx), fromGlobalId(id, "Pool", "id").id, {
      ...patch,
      accountId: rowIdOf(patch.accountId, "Account", "accountId"),
    });
    return { pool: toPool(row) };
  }

  @Authorized("admin")
  @Mutation(() => ResizePoolPayload, {
    description:
      "Grows a pool into free space of its parent, or shrinks it while every child still fits; children, free blocks and utilisation follow. CONFLICT names the siblings in the way or the children left outside.",
  })
  async resizePool(
    @Arg("input", () => ResizePoolInput, { description: "The pool and its new range." })
    input: ResizePoolInput,
    @Ctx() ctx: Context,
  ): Promise<ResizePoolPayload> {
    const { id } = fromGlobalId(input.id, "Pool", "id");
    const { pool, previousCidr } = await resizePool(ctx.services.store, callerOf(ctx), id, input.cidr);
    return { pool: toPool(pool), previousCidr };
  }

  @Authorized("admin")
  @Mutation(() => MovePoolPayload, {
    description:
      "Re-parents a pool with its whole subtree under a pool of another scope (or makes it top-level of another scope); the old parent gets the range back, the new one loses it. CONFLICT names the objects in the way.",
  })
  async movePool(
    @Arg("input", () => MovePoolInput, { description: "The pool and where it goes." }) input: MovePoolInput,
    @Ctx() ctx: Context,
  ): Promise<MovePoolPayload> {
    const { id } = fromGlobalId(input.id, "Pool", "id");
    const parentId = rowIdOf(input.parentId, "Pool", "parentId") ?? null;
    const { pool, previousParentId } = await movePool(
      ctx.services.store,
      callerOf(ctx),
      id,
      parentId !== null ? { parentId } : { parentId, scopeId: rowIdOf(input.scopeId, "Scope", "scopeId") },
    );
    return {
      pool: toPool(pool),
      previousParentId: previousParentId === null ? null : toGlobalId("Pool", previousParentId),
    };
  }

  @Authorized("admin")
  @Mutation(() => DeletePoolPayload, {
    description:
      "Deletes a pool and gives its range back to its parent; CONFLICT while it holds anything unless cascade: true. The delete is soft: `restore` brings the pool and what it cascaded back within RETENTION_DAYS. When the pool's scope requires approval of deletePool, nothing is deleted: the payload's changeRequest is the PENDING request (approveChange applies it).",
  })
  async deletePool(
    @Arg("input", () => DeletePoolInput, { description: "The pool to delete." }) input: DeletePoolInput,
    @Ctx() ctx: Context,
  ): Promise<DeletePoolPayload> {
    const { id } = fromGlobalId(input.id, "Pool", "id");
    const cascade = input.cascade ?? false;
    const { done, changeRequest } = await performOrRequest(
      ctx.services.store,
      callerOf(ctx),
      { operation: "DELETE_POOL", targetId: id, input: { cascade } },
      changeRequestSettings(ctx.services.config),
      (store) => deletePool(store, callerOf(ctx), id, cascade),
    );
    if (changeRequest)
      return { deletedPoolId: null, cidr: null, removed: [], changeRequest: toChangeRequest(changeRequest) };
    return {
      deletedPoolId: toGlobalId("Pool", done.pool.id),
      cidr: done.pool.cidr,
      removed: done.removed.map(toRemovedPrefix),
      changeRequest: null,
    };
  }
}

@Resolver(() => Account)
export class AccountPoolsResolver {
  @FieldResolver(() => PoolConnection, {
    description: "Pools owned by the account, in network order by default.",
  })
  pools(
    @Root() account: Account,
    @Arg("orderBy", () => PoolOrder, { nullable: true, description: "Order (default: NETWORK ASC)." })
    orderBy: PoolOrder | null,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Ctx() ctx: Context,
  ): Promise<PoolConnection> {
    return poolConnection(ctx, { accountId: account.rowId }, orderBy, args);
  }
}
