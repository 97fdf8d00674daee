/** The analytics table (`blocks`) and chart aggregates (`analytics`); related objects via DataLoaders. */
import { Arg, Args, Authorized, Ctx, FieldResolver, Int, Query, Resolver, Root } from "type-graphql";
import {
  addressSpacePerAccount,
  allocationsCreated,
  allocationsPerPool,
  listBlocks,
  type AnalyticsFilter as DomainFilter,
  type BlockOrder,
  type BlockOrderField,
  type SpaceBucket,
} from "../domain/analytics.js";
import { Invalid } from "../domain/errors.js";
import { Account } from "../schema/account.js";
import {
  AccountSpaceStat,
  AllocationsCreatedStat,
  Analytics,
  AnalyticsBlock,
  AnalyticsBlockConnection,
  AnalyticsBlockKind,
  AnalyticsBlockOrder,
  AnalyticsBlockOrderField,
  toAnalyticsBlock,
  AnalyticsFilter,
  AnalyticsInterval,
  PoolAllocationStat,
} from "../schema/analytics.js";
import { ConnectionArgs, SortDirection, toConnection } from "../schema/connection.js";
import { fromGlobalId } from "../schema/node.js";
import { Pool } from "../schema/pool.js";
import { Scope } from "../schema/scope.js";
import type { Context } from "./context.js";

const ORDER_FIELD: Record<AnalyticsBlockOrderField, BlockOrderField> = {
  NETWORK: "network",
  ACCOUNT: "account",
  PROVIDER: "provider",
  PLATFORM: "platform",
  TIER: "tier",
  ENVIRONMENT: "environment",
  POOL: "pool",
  SCOPE: "scope",
  NAME: "name",
  STATUS: "status",
  KIND: "kind",
  CREATED_AT: "createdAt",
};

const MAX_ORDER_KEYS = 6;
const MAX_STATS = 1000;

const rowIds = (ids: string[] | null | undefined, type: string, field: string) =>
  ids?.map((id) => fromGlobalId(id, type, `filter.${field}`).id) ?? null;

/** The GraphQL filter as the domain's (global ids -> row ids). */
export function toDomainFilter(f: AnalyticsFilter | null | undefined): DomainFilter {
  if (!f) return {};
  return {
    kinds: f.kinds?.map((k) => (k === AnalyticsBlockKind.POOL ? "pool" : "allocation")) ?? null,
    accountIds: rowIds(f.accountIds, "Account", "accountIds"),
    providers: f.providers,
    platforms: f.platforms,
    tiers: f.tiers,
    environments: f.environments,
    regions: f.regions,
    poolIds: rowIds(f.poolIds, "Pool", "poolIds"),
    scopeIds: rowIds(f.scopeIds, "Scope", "scopeIds"),
    statuses: f.statuses,
    within: f.within,
    createdAfter: f.createdAfter?.toISOString() ?? null,
    createdBefore: f.createdBefore?.toISOString() ?? null,
  };
}

function toOrder(orderBy: AnalyticsBlockOrder[] | null | undefined): BlockOrder[] | null {
  if (!orderBy) return null;
  if (orderBy.length > MAX_ORDER_KEYS)
    throw new Invalid("orderBy", `orderBy takes at most ${MAX_ORDER_KEYS} keys, got ${orderBy.length}`);
  return orderBy.map((o) => ({
    field: ORDER_FIELD[o.field],
    descending: o.direction === SortDirection.DESC,
  }));
}

const limitOf = (limit: number | null | undefined) => {
  if (limit != null && (limit < 1 || limit > MAX_STATS))
    throw new Invalid("limit", `limit must be between 1 and ${MAX_STATS}, got ${limit}`);
  return limit ?? 100;
};

@Resolver(() => AnalyticsBlock)
export class AnalyticsBlockResolver {
  @Authorized("read")
  @Query(() => AnalyticsBlockConnection, {
    description:
      "The analytics table: every allocation and child pool across pools, filtered and ordered server-side (keyset cursors stay stable across pages in both directions).",
  })
  async blocks(
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Arg("filter", () => AnalyticsFilter, { nullable: true, description: "Which rows." })
    filter: AnalyticsFilter | null,
    @Arg("orderBy", () => [AnalyticsBlockOrder], {
      nullable: true,
      description:
        "Sort keys, most significant first (default NETWORK ASC); ties are broken by creation order.",
    })
    orderBy: AnalyticsBlockOrder[] | null,
    @Ctx() ctx: Context,
  ): Promise<AnalyticsBlockConnection> {
    const { page, count } = await listBlocks(
      ctx.services.store,
      toDomainFilter(filter),
      toOrder(orderBy),
      args,
      ctx.services.config.limits.maxPageSize,
    );
    return toConnection(page, toAnalyticsBlock, count) as AnalyticsBlockConnection;
  }

  @FieldResolver(() => Pool, { nullable: true, description: "The parent pool." })
  pool(@Root() row: AnalyticsBlock, @Ctx() ctx: Context) {
    return row.poolId == null ? null : ctx.loaders.pool.load(row.poolId);
  }

  @FieldResolver(() => Account, { nullable: true, description: "The account, if any." })
  account(@Root() row: AnalyticsBlock, @Ctx() ctx: Context) {
    return row.accountId == null ? null : ctx.loaders.account.load(row.accountId);
  }

  @FieldResolver(() => Scope, { description: "The scope (address space)." })
  async scope(@Root() row: AnalyticsBlock, @Ctx() ctx: Context): Promise<Scope> {
    return (await ctx.loaders.scope.load(row.scopeId))!;
  }
}

const toPoolStat = (b: SpaceBucket): PoolAllocationStat => ({ ...b, poolId: b.id! });
const toAccountStat = (b: SpaceBucket): AccountSpaceStat => ({ ...b, accountId: b.id });

@Resolver(() => Analytics)
export class AnalyticsResolver {
  @Authorized("read")
  @Query(() => Analytics, {
    description:
      "Aggregates for charts over the allocations that match the filter; each is computed only when selected.",
  })
  analytics(
    @Arg("filter", () => AnalyticsFilter, { nullable: true, description: "Which allocations." })
    filter: AnalyticsFilter | null,
  ): Analytics {
    return { filter: toDomainFilter(filter) };
  }

  @FieldResolver(() => [PoolAllocationStat], { description: "Allocations per parent pool, most first." })
  async allocationsPerPool(
    @Root() root: Analytics,
    @Arg("limit", () => Int, {
      nullable: true,
      description: "At most this many pools (default 100, at most 1000).",
    })
    limit: number | null,
    @Ctx() ctx: Context,
  ): Promise<PoolAllocationStat[]> {
    const n = limitOf(limit);
    return (await allocationsPerPool(ctx.services.store, root.filter)).slice(0, n).map(toPoolStat);
  }

  @FieldResolver(() => [AccountSpaceStat], {
    description:
      "Address space allocated per account, most allocations first (account null: allocations without one).",
  })
  async addressSpacePerAccount(
    @Root() root: Analytics,
    @Arg("limit", () => Int, {
      nullable: true,
      description: "At most this many accounts (default 100, at most 1000).",
    })
    limit: number | null,
    @Ctx() ctx: Context,
  ): Promise<AccountSpaceStat[]> {
    const n = limitOf(limit);
    return (await addressSpacePerAccount(ctx.services.store, root.filter)).slice(0, n).map(toAccountStat);
  }

  @FieldResolver(() => [AllocationsCreatedStat], {
    description:
      "Allocations created per day or week, oldest first (periods without allocations are left out).",
  })
  allocationsCreated(
    @Root() root: Analytics,
    @Arg("interval", () => AnalyticsInterval, {
      defaultValue: AnalyticsInterval.DAY,
      description: "Bucket size.",
    })
    interval: AnalyticsInterval,
    @Ctx() ctx: Context,
  ): Promise<AllocationsCreatedStat[]> {
    return allocationsCreated(
      ctx.services.store,
      root.filter,
      interval === AnalyticsInterval.DAY ? "day" : "week",
    );
  }
}

@Resolver(() => PoolAllocationStat)
export class PoolAllocationStatResolver {
  @FieldResolver(() => Pool, { description: "The pool." })
  async pool(@Root() stat: PoolAllocationStat, @Ctx() ctx: Context): Promise<Pool> {
    return (await ctx.loaders.pool.load(stat.poolId))!;
  }
}

@Resolver(() => AccountSpaceStat)
export class AccountSpaceStatResolver {
  @FieldResolver(() => Account, {
    nullable: true,
    description: "The account; null for allocations without one.",
  })
  account(@Root() stat: AccountSpaceStat, @Ctx() ctx: Context) {
    return stat.accountId == null ? null : ctx.loaders.account.load(stat.accountId);
  }
}
