/**
 * The space of a pool and an account: Pool.blocks, Pool.utilization, Pool.allocations, Pool.reservations
 * and Account.allocations. Nested objects are mapped from rows the page already read (blocks) or loaded
 * through per-request loaders, so the statements of a query do not grow with the page size.
 */
import { Args, ArgsType, Authorized, Ctx, Field, FieldResolver, Int, Resolver, Root } from "type-graphql";
import { formatPrefix } from "../allocator/index.js";
import { listAllocations, type AllocationStatus as Status } from "../domain/allocations.js";
import {
  listReservations,
  poolBlocks,
  poolDefragmentationAdvice,
  poolLargestFreeBlocks,
  poolUtilization,
} from "../domain/blocks.js";
import { Account } from "../schema/account.js";
import { AllocationConnection, AllocationStatus, toAllocation } from "../schema/allocation.js";
import { BlockConnection, BlockStatus, toBlockOccupant } from "../schema/block.js";
import { ConnectionArgs, toConnection } from "../schema/connection.js";
import { DefragmentationAction, DefragmentationAdvice } from "../schema/defragmentation.js";
import { CIDRScalar } from "../schema/scalars.js";
import { Pool } from "../schema/pool.js";
import { ReservationConnection, toReservation } from "../schema/reservation.js";
import { PoolUtilization } from "../schema/utilization.js";
import { auditOnly, type Context } from "./context.js";

@ArgsType()
class AllocationListArgs extends ConnectionArgs {
  @Field(() => AllocationStatus, {
    nullable: true,
    description: "Only allocations with this status (default: both).",
  })
  status?: AllocationStatus | null;

  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description:
      "Also list deleted allocations (soft delete; they carry deletedAt and deletedBy). Needs the audit permission (ADMIN or AUDITOR).",
  })
  includeDeleted?: boolean | null;
}

@ArgsType()
class ReservationListArgs extends ConnectionArgs {
  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description:
      "Also list deleted reservations (soft delete; they carry deletedAt and deletedBy). Needs the audit permission (ADMIN or AUDITOR).",
  })
  includeDeleted?: boolean | null;
}

@ArgsType()
class BlocksArgs {
  @Field(() => Int, {
    description: "Split the pool into blocks of this prefix length (pool length to /32 or /128).",
  })
  prefixLength!: number;

  @Field(() => [BlockStatus], {
    nullable: true,
    description: "Only blocks with these statuses (default: all).",
  })
  status?: BlockStatus[] | null;

  @Field(() => Int, { nullable: true, description: "Page size (default 50, at most the maximum page size)." })
  first?: number | null;

  @Field(() => String, {
    nullable: true,
    description: "Cursor (a block's first address): blocks after this one.",
  })
  after?: string | null;

  @Field(() => Int, {
    nullable: true,
    description:
      "Page backwards: the last N blocks before `before` (or before the pool's end); at most the maximum page size.",
  })
  last?: number | null;

  @Field(() => String, {
    nullable: true,
    description: "Cursor (a block's first address): blocks before this one, for paging backwards.",
  })
  before?: string | null;
}

@ArgsType()
class LargestFreeBlocksArgs {
  @Field(() => Int, { nullable: true, description: "How many (default 10, at most the maximum page size)." })
  first?: number | null;
}

@ArgsType()
class DefragmentationAdviceArgs {
  @Field(() => Int, {
    nullable: true,
    description: "How many pieces of advice (default 10, at most the maximum page size).",
  })
  first?: number | null;

  @Field(() => Int, {
    nullable: true,
    description:
      "The free block size wanted (pool length to /32 or /128). Default: one step larger than the pool's largest free block (when nothing is free, its smallest child's length).",
  })
  prefixLength?: number | null;
}

@Resolver(() => Pool)
export class PoolSpaceResolver {
  @Authorized("read")
  @FieldResolver(() => BlockConnection, {
    description:
      "The pool split at `prefixLength`, in address order: each block FREE, USED, PARTIAL or INSIDE with what occupies it. Lazy: a page of /64s in an IPv6 /32 costs what a page of /24s costs.",
  })
  async blocks(@Root() pool: Pool, @Args(() => BlocksArgs) args: BlocksArgs, @Ctx() ctx: Context) {
    const page = await poolBlocks(
      ctx.services.store,
      pool.rowId,
      {
        prefixLength: args.prefixLength,
        status: args.status,
        first: args.first,
        after: args.after,
        last: args.last,
        before: args.before,
      },
      ctx.services.config.limits.maxPageSize,
    );
    let counted: Promise<string> | undefined;
    const edges = page.blocks.map((b) => {
      const occupants = b.occupants.map(toBlockOccupant);
      return {
        cursor: b.start,
        node: {
          cidr: b.cidr,
          prefixLength: b.prefixLength,
          status: b.status as BlockStatus,
          occupant: b.status === "USED" || b.status === "INSIDE" ? (occupants[0] ?? null) : null,
          occupants,
          moreOccupants: b.moreOccupants,
        },
      };
    });
    return {
      edges,
      pageInfo: {
        hasNextPage: page.hasNextPage,
        hasPreviousPage: page.hasPreviousPage,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges[edges.length - 1]?.cursor ?? null,
      },
      get totalCount() {
        return (counted ??= page.count().then(String));
      },
    };
  }

  @Authorized("read")
  @FieldResolver(() => PoolUtilization, { description: "How full the pool is, from counts." })
  async utilization(@Root() pool: Pool, @Ctx() ctx: Context): Promise<PoolUtilization> {
    const u = await poolUtilization(ctx.services.store, pool.rowId);
    return {
      total: u.total.toString(),
      used: u.used.toString(),
      reserved: u.reserved.toString(),
      free: u.free.toString(),
      percent: u.percent,
      largestFree: u.largestFree ? formatPrefix(u.largestFree) : null,
      freeBlocksByLength: [...u.freeBlocksByLength].map(([prefixLength, count]) => ({ prefixLength, count })),
    };
  }

  @Authorized("read")
  @FieldResolver(() => [CIDRScalar], {
    description: "The pool's largest free blocks: shortest prefix length first, lowest address among equals.",
  })
  async largestFreeBlocks(
    @Root() pool: Pool,
    @Args(() => LargestFreeBlocksArgs) args: LargestFreeBlocksArgs,
    @Ctx() ctx: Context,
  ): Promise<string[]> {
    const blocks = await poolLargestFreeBlocks(
      ctx.services.store,
      pool.rowId,
      args.first,
      ctx.services.config.limits.maxPageSize,
    );
    return blocks.map(formatPrefix);
  }

  @Authorized("read")
  @FieldResolver(() => [DefragmentationAdvice], {
    description:
      "The moves or releases that would free a block of `prefixLength`: every aligned block holding children (and inside no larger one), fewest blockers first, then fewest addresses, then lowest address. Empty when the pool is wholly free.",
  })
  async defragmentationAdvice(
    @Root() pool: Pool,
    @Args(() => DefragmentationAdviceArgs) args: DefragmentationAdviceArgs,
    @Ctx() ctx: Context,
  ): Promise<DefragmentationAdvice[]> {
    const { prefixLength, advice } = await poolDefragmentationAdvice(
      ctx.services.store,
      pool.rowId,
      args,
      ctx.services.config.limits.maxPageSize,
    );
    return advice.map((a) => ({
      block: formatPrefix(a.block),
      prefixLength: prefixLength!,
      blockers: a.blockers.map(toBlockOccupant),
      moveCount: a.blockers.length,
      addressesToMove: a.addressesToMove.toString(),
      action: a.moves ? DefragmentationAction.MOVE : DefragmentationAction.RELEASE,
      moves: (a.moves ?? []).map((to, i) => ({
        occupant: toBlockOccupant(a.blockers[i]!),
        from: a.blockers[i]!.record.cidr,
        to: formatPrefix(to),
      })),
      freedBlock: formatPrefix(a.freed),
    }));
  }

  @Authorized("read")
  @FieldResolver(() => AllocationConnection, {
    description: "The pool's allocations in address order (released ones too, unless filtered by status).",
  })
  async allocations(
    @Root() pool: Pool,
    @Args(() => AllocationListArgs) args: AllocationListArgs,
    @Ctx() ctx: Context,
  ) {
    const { page, count } = await listAllocations(
      ctx.services.store,
      {
        poolId: pool.rowId,
        status: args.status as Status | null | undefined,
        includeDeleted: auditOnly(ctx, args.includeDeleted),
      },
      args,
      ctx.services.config.limits.maxPageSize,
    );
    return toConnection(page, toAllocation, count);
  }

  @Authorized("read")
  @FieldResolver(() => ReservationConnection, { description: "The pool's reservations in address order." })
  async reservations(
    @Root() pool: Pool,
    @Args(() => ReservationListArgs) args: ReservationListArgs,
    @Ctx() ctx: Context,
  ) {
    const { page, count } = await listReservations(
      ctx.services.store,
      pool.rowId,
      args,
      ctx.services.config.limits.maxPageSize,
      auditOnly(ctx, args.includeDeleted),
    );
    return toConnection(page, toReservation, count);
  }
}

@Resolver(() => Account)
export class AccountAllocationsResolver {
  @Authorized("read")
  @FieldResolver(() => AllocationConnection, {
    description: "The account's allocations in address order (released ones too, unless filtered by status).",
  })
  async allocations(
    @Root() account: Account,
    @Args(() => AllocationListArgs) args: AllocationListArgs,
    @Ctx() ctx: Context,
  ) {
    const { page, count } = await listAllocations(
      ctx.services.store,
      {
        accountId: account.rowId,
        status: args.status as Status | null | undefined,
        includeDeleted: auditOnly(ctx, args.includeDeleted),
      },
      args,
      ctx.services.config.limits.maxPageSize,
    );
    return toConnection(page, toAllocation, count);
  }
}
