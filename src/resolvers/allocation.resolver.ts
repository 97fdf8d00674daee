/** allocate / previewAllocation / releaseAllocation / updateAllocation, and Allocation.pool / .account. */
import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import {
  allocate,
  allocateMany,
  previewAllocation,
  releaseAllocation,
  updateAllocation,
  type AllocateInput as DomainAllocateInput,
} from "../domain/allocations.js";
import { changeRequestSettings, performOrRequest } from "../domain/change-requests.js";
import { Account } from "../schema/account.js";
import { toChangeRequest } from "../schema/change-request.js";
import {
  AllocateInput,
  AllocateManyInput,
  AllocateManyPayload,
  AllocatePayload,
  Allocation,
  AllocationPreview,
  ReleaseAllocationInput,
  ReleaseAllocationPayload,
  UpdateAllocationInput,
  UpdateAllocationPayload,
  toAllocation,
} from "../schema/allocation.js";
import { fromGlobalId } from "../schema/node.js";
import { Pool } from "../schema/pool.js";
import { callerOf, type Context } from "./context.js";

function domainInput(input: AllocateInput): DomainAllocateInput {
  return {
    poolId: fromGlobalId(input.poolId, "Pool", "poolId").id,
    accountId: fromGlobalId(input.accountId, "Account", "accountId").id,
    prefixLength: input.prefixLength,
    cidr: input.cidr,
    name: input.name,
    description: input.description,
    strategy: input.strategy,
    idempotencyKey: input.idempotencyKey,
    tags: input.tags,
  };
}

@Resolver(() => Allocation)
export class AllocationResolver {
  @Authorized("operate")
  @Mutation(() => AllocateManyPayload, {
    description:
      "Takes many blocks from one pool in one transaction, all or nothing, returned in request order. Packing: largest block first (ties in request order), each into the smallest free block that holds it; this fits whenever any placement of the whole batch fits, and leaves the lexicographically largest free blocks (the largest free block left is as large as any placement can leave; given that, the second largest, and so on). Errors name `requests[i].field`.",
  })
  async allocateMany(
    @Arg("input", () => AllocateManyInput, { description: "The pool and the blocks." })
    input: AllocateManyInput,
    @Ctx() ctx: Context,
  ): Promise<AllocateManyPayload> {
    const records = await allocateMany(ctx.services.store, callerOf(ctx), {
      poolId: fromGlobalId(input.poolId, "Pool", "poolId").id,
      requests: input.requests.map((q, i) => ({
        prefixLength: q.prefixLength,
        accountId: fromGlobalId(q.accountId, "Account", `requests[${i}].accountId`).id,
        name: q.name,
      })),
      idempotencyKey: input.idempotencyKey,
    });
    return { allocations: records.map(toAllocation) };
  }

  @Authorized("operate")
  @Mutation(() => AllocatePayload, {
    description:
      "Takes the next free block (or exactly `cidr`) from a pool for an account; safe under concurrency. CONFLICT when the pool is full (details.largestFree names its largest free block).",
  })
  async allocate(
    @Arg("input", () => AllocateInput, { description: "What to allocate." }) input: AllocateInput,
    @Ctx() ctx: Context,
  ): Promise<AllocatePayload> {
    return {
      allocation: toAllocation(await allocate(ctx.services.store, callerOf(ctx), domainInput(input))),
    };
  }

  @Authorized("read")
  @Query(() => AllocationPreview, {
    description: "What `allocate` with this input would return now, with the same errors; writes nothing.",
  })
  async previewAllocation(
    @Arg("input", () => AllocateInput, { description: "What allocate would be asked." }) input: AllocateInput,
    @Ctx() ctx: Context,
  ): Promise<AllocationPreview> {
    const p = await previewAllocation(ctx.services.store, domainInput(input));
    return {
      cidr: p.cidr,
      poolRowId: p.poolId,
      accountRowId: p.accountId,
      existing: p.existing && toAllocation(p.existing),
    };
  }

  @Authorized("operate")
  @Mutation(() => ReleaseAllocationPayload, {
    description:
      "Gives an allocation's range back to its pool; the allocation stays, RELEASED, for history. When its scope requires approval of releaseAllocation, nothing is released: the payload's changeRequest is the PENDING request.",
  })
  async releaseAllocation(
    @Arg("input", () => ReleaseAllocationInput, { description: "The allocation to release." })
    input: ReleaseAllocationInput,
    @Ctx() ctx: Context,
  ): Promise<ReleaseAllocationPayload> {
    const { id } = fromGlobalId(input.id, "Allocation", "id");
    const { done, changeRequest } = await performOrRequest(
      ctx.services.store,
      callerOf(ctx),
      { operation: "RELEASE_ALLOCATION", targetId: id },
      changeRequestSettings(ctx.services.config),
      (store) => releaseAllocation(store, callerOf(ctx), id),
    );
    if (changeRequest) return { allocation: null, changeRequest: toChangeRequest(changeRequest) };
    return { allocation: toAllocation(done), changeRequest: null };
  }

  @Authorized("operate")
  @Mutation(() => UpdateAllocationPayload, {
    description:
      "Changes an allocation's name, account, tags or description; only the fields present change.",
  })
  async updateAllocation(
    @Arg("input", () => UpdateAllocationInput, { description: "The changes." }) input: UpdateAllocationInput,
    @Ctx() ctx: Context,
  ): Promise<UpdateAllocationPayload> {
    const record = await updateAllocation(ctx.services.store, callerOf(ctx), {
      id: fromGlobalId(input.id, "Allocation", "id").id,
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.tags !== undefined ? { tags: input.tags } : {}),
      ...(input.accountId != null
        ? { accountId: fromGlobalId(input.accountId, "Account", "accountId").id }
        : {}),
    });
    return { allocation: toAllocation(record) };
  }

  @FieldResolver(() => Pool, { description: "The pool the range was carved from." })
  async pool(@Root() allocation: Allocation, @Ctx() ctx: Context): Promise<Pool> {
    return (await ctx.loaders.pool.load(allocation.poolRowId))!;
  }

  @FieldResolver(() => Account, { nullable: true, description: "The account the range is for." })
  account(@Root() allocation: Allocation, @Ctx() ctx: Context): Promise<Account | null> | null {
    return allocation.accountRowId === null ? null : ctx.loaders.account.load(allocation.accountRowId);
  }
}

@Resolver(() => AllocationPreview)
export class AllocationPreviewResolver {
  @FieldResolver(() => Pool, { description: "The pool allocate would take the range from." })
  async pool(@Root() preview: AllocationPreview, @Ctx() ctx: Context): Promise<Pool> {
    return (await ctx.loaders.pool.load(preview.poolRowId))!;
  }

  @FieldResolver(() => Account, { nullable: true, description: "The account the range would be for." })
  account(@Root() preview: AllocationPreview, @Ctx() ctx: Context): Promise<Account | null> {
    return ctx.loaders.account.load(preview.accountRowId);
  }
}
