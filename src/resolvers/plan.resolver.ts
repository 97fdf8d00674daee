/** Address plans: previewPlan (reads) and applyPlan (one transaction). */
import { Arg, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { addressCount, formatPrefix } from "../allocator/index.js";
import {
  applyPlan,
  percentOf,
  previewPlan,
  type PlanInput as DomainPlanInput,
  type PlanPreview as DomainPlanPreview,
} from "../domain/plans.js";
import { fromGlobalId } from "../schema/node.js";
import { ApplyPlanPayload, PlanInput, PlanPreview } from "../schema/plan.js";
import { toAccount } from "../schema/account.js";
import { toPool } from "../schema/pool.js";
import { callerOf, type Context } from "./context.js";

function domainInput(input: PlanInput): DomainPlanInput {
  return { rootPoolId: fromGlobalId(input.rootPoolId, "Pool", "rootPoolId").id, levels: input.levels };
}

function toPreview(r: DomainPlanPreview): PlanPreview {
  return {
    rootPool: toPool(r.root),
    nodes: r.nodes.map((n) => ({
      path: n.path,
      parentPath: n.parent < 0 ? null : r.nodes[n.parent]!.path,
      level: n.level,
      key: n.key,
      account: n.account ? toAccount(n.account) : null,
      name: n.name,
      cidr: n.prefix ? formatPrefix(n.prefix) : null,
      prefixLength: n.prefixLength,
      slot: n.slot ? formatPrefix(n.slot) : null,
      percent: n.prefix ? percentOf(n.childAddresses, addressCount(n.prefix)) : 0,
      headroom: n.prefix && n.slot ? String(addressCount(n.slot) - addressCount(n.prefix)) : "0",
      percentWithHeadroom: n.prefix ? percentOf(n.childSlotAddresses, addressCount(n.prefix)) : 0,
    })),
    poolCount: r.nodes.length,
    conflicts: r.conflicts.map((c) => ({
      path: c.path,
      field: c.field,
      code: c.code,
      message: c.message,
      conflicting: toPool(c.conflicting),
    })),
    applicable: r.conflicts.length === 0,
    rootPercentBefore: percentOf(r.rootUsedBefore, r.rootTotal),
    rootPercentAfter: percentOf(r.rootUsedAfter, r.rootTotal),
    rootHeadroomAfter: String(r.rootHeadroomAfter),
    rootPercentWithHeadroomAfter: percentOf(r.rootUsedAfter + r.rootHeadroomAfter, r.rootTotal),
    rootLargestFreeAfter: r.largestFreeAfter ? formatPrefix(r.largestFreeAfter) : null,
  };
}

@Resolver()
export class PlanResolver {
  @Authorized("read")
  @Query(() => PlanPreview, {
    description:
      "The whole tree a plan template would create under a root pool, with CIDRs, the utilisation it leaves and every conflict with what exists. Writes nothing; applyPlan with the same input writes exactly this.",
  })
  async previewPlan(
    @Arg("input", () => PlanInput, { description: "The root pool and the template levels." })
    input: PlanInput,
    @Ctx() ctx: Context,
  ): Promise<PlanPreview> {
    return toPreview(await previewPlan(ctx.services.store, domainInput(input)));
  }

  @Authorized("admin")
  @Mutation(() => ApplyPlanPayload, {
    description:
      "Creates the whole tree of a plan in one transaction, or nothing (CONFLICT listing the conflicts in extensions.details.conflicts). One pool.created event per pool and one plan.applied event on the root pool.",
  })
  async applyPlan(
    @Arg("input", () => PlanInput, { description: "The root pool and the template levels." })
    input: PlanInput,
    @Arg("idempotencyKey", () => String, {
      nullable: true,
      description:
        "Makes retries safe: the same key with the same plan returns the first result; with another plan, CONFLICT.",
    })
    idempotencyKey: string | null | undefined,
    @Ctx() ctx: Context,
  ): Promise<ApplyPlanPayload> {
    const { root, pools } = await applyPlan(
      ctx.services.store,
      callerOf(ctx),
      domainInput(input),
      idempotencyKey,
    );
    return { rootPool: toPool(root), pools: pools.map(toPool) };
  }
}
