/** Change requests (issue #18): the list, approveChange / rejectChange, and ChangeRequest.target. */
import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import { listChangeRequests, rejectChange } from "../domain/change-requests.js";
import { approveChangeRequest } from "../reconcile/change-operations.js";
import {
  ApproveChangeInput,
  ApproveChangePayload,
  ChangeRequest,
  ChangeRequestConnection,
  ChangeRequestsArgs,
  RejectChangeInput,
  RejectChangePayload,
  toChangeRequest,
} from "../schema/change-request.js";
import { ChangeTarget } from "../schema/change-target.js";
import { toConnection, type Connection } from "../schema/connection.js";
import { fromGlobalId, rowIdOf } from "../schema/node.js";
import { callerOf, type Context } from "./context.js";

/** A target id filter: a Pool or an Allocation global id (another type is BAD_USER_INPUT). */
function targetOf(id: string | null | undefined) {
  if (id == null) return {};
  const { type } = fromGlobalId(id, undefined, "filter.targetId");
  const targetType = type === "Pool" ? "Pool" : "Allocation";
  return { targetType, targetId: fromGlobalId(id, targetType, "filter.targetId").id } as const;
}

@Resolver(() => ChangeRequest)
export class ChangeRequestResolver {
  @Authorized("read")
  @Query(() => ChangeRequestConnection, {
    description:
      "Change requests (destructive operations held by a scope's approval policy), oldest first; `filter: {status: [PENDING]}` is the review queue.",
  })
  async changeRequests(
    @Args(() => ChangeRequestsArgs) args: ChangeRequestsArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<ChangeRequest>> {
    const f = args.filter ?? {};
    const { page, count } = await listChangeRequests(
      ctx.services.store,
      {
        statuses: f.status,
        operations: f.operation,
        scopeId: rowIdOf(f.scopeId, "Scope", "filter.scopeId"),
        ...targetOf(f.targetId),
      },
      args,
      ctx.services.config.limits.maxPageSize,
    );
    return toConnection(page, toChangeRequest, count);
  }

  @Authorized("operate")
  @Mutation(() => ApproveChangePayload, {
    description:
      "Approves a PENDING change request and applies its operation as the caller, who needs the operation's own permission (admin for deletePool). FORBIDDEN for the requester (another principal must approve); CONFLICT when it expired or was decided, and when the target changed since the request (the request becomes FAILED).",
  })
  async approveChange(
    @Arg("input", () => ApproveChangeInput, { description: "The request." }) input: ApproveChangeInput,
    @Ctx() ctx: Context,
  ): Promise<ApproveChangePayload> {
    const { id } = fromGlobalId(input.id, "ChangeRequest", "id");
    return { changeRequest: toChangeRequest(await approveChangeRequest(ctx.services, callerOf(ctx), id)) };
  }

  @Authorized("operate")
  @Mutation(() => RejectChangePayload, {
    description:
      "Rejects a PENDING change request with a reason; nothing is changed. The requester may reject (withdraw) their own; anyone else needs the operation's permission. CONFLICT when it expired or was decided.",
  })
  async rejectChange(
    @Arg("input", () => RejectChangeInput, { description: "The request and why." }) input: RejectChangeInput,
    @Ctx() ctx: Context,
  ): Promise<RejectChangePayload> {
    const { id } = fromGlobalId(input.id, "ChangeRequest", "id");
    const rejected = await rejectChange(ctx.services.store, callerOf(ctx), id, input.reason);
    return { changeRequest: toChangeRequest(rejected) };
  }

  @FieldResolver(() => ChangeTarget, {
    nullable: true,
    description:
      "The Pool or Allocation acted on; null once it no longer exists (e.g. after an approved deletePool).",
  })
  async target(@Root() r: ChangeRequest, @Ctx() ctx: Context): Promise<typeof ChangeTarget | null> {
    return r.targetType === "Pool"
      ? ctx.loaders.pool.load(r.targetRowId)
      : ctx.loaders.allocation.load(r.targetRowId);
  }
}
