/** Address plans: a hierarchy of pools from a template, previewed (previewPlan) and applied (applyPlan). */
import { Field, Float, ID, InputType, Int, ObjectType } from "type-graphql";
import { Account, AccountFilter } from "./account.js";
import { Pool } from "./pool.js";
import { CIDRScalar } from "./scalars.js";

@InputType({
  description:
    "One level of a plan template: one child pool per key under every node of the level above (the root pool for the first level).",
})
export class PlanLevelInput {
  @Field(() => String, {
    nullable: true,
    description:
      "Name of each pool: `{key}`, `{index}` (1-based) and `{parent}` (the parent pool's name) are replaced; on an accounts level also `{account.name}`, `{account.key}`, `{account.tier}`, `{account.environment}`, `{account.platform}`, `{account.provider}`. Names of siblings must differ. Default `{parent}-{key}`; on an accounts level `{parent}-{account.name}`.",
  })
  namePattern?: string | null;

  @Field(() => [String], {
    nullable: true,
    description:
      "The keys (regions, tiers, account names): one pool per key, in this order. Pass one of keys, count or accounts.",
  })
  keys?: string[] | null;

  @Field(() => Int, {
    nullable: true,
    description: "Number of pools, keyed 1..count. Pass one of keys, count or accounts.",
  })
  count?: number | null;

  @Field(() => AccountFilter, {
    nullable: true,
    description:
      "Accounts by filter (the accounts query's filter): one pool per matching account, in account key order, keyed by the account key and assigned to the account. Pass one of keys, count or accounts.",
  })
  accounts?: AccountFilter | null;

  @Field(() => Int, { nullable: true, description: "Prefix length of each pool. Pass prefixLength or size." })
  prefixLength?: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Addresses each pool must hold (decimal string): the smallest prefix that holds them. Pass prefixLength or size.",
  })
  size?: string | null;

  @Field(() => Int, {
    nullable: true,
    description:
      "Growth headroom: each pool sits at the start of an aligned slot 2^ceil(log2 reserveFor) times its size, the rest of the slot free beside it, so the pool can grow in place to its slot with resizePool (2 = room to double, 4 = to quadruple). The slot is placed, not reserved: later allocations in the parent may take the headroom. Default 1, at most 1024.",
  })
  reserveFor?: number | null;
}

@InputType({ description: "A plan: the root pool and the nested template levels below it." })
export class PlanInput {
  @Field(() => ID, { description: "Global id of the existing pool the plan is carved from." })
  rootPoolId!: string;

  @Field(() => [PlanLevelInput], {
    description: "The levels, outermost first (e.g. regions, tiers, accounts).",
  })
  levels!: PlanLevelInput[];
}

@ObjectType({ description: "One pool of a proposed plan." })
export class PlanNode {
  @Field(() => String, {
    description: "Names from the first level down, joined with '/': unique in the plan.",
  })
  path!: string;

  @Field(() => String, { nullable: true, description: "Path of the parent node; null under the root pool." })
  parentPath!: string | null;

  @Field(() => Int, { description: "Level index (0 = directly under the root pool)." })
  level!: number;

  @Field(() => String, {
    description: "The key the pool was made for (on an accounts level, the account key).",
  })
  key!: string;

  @Field(() => Account, {
    nullable: true,
    description: "The account the pool is assigned to (accounts levels); null otherwise.",
  })
  account!: Account | null;

  @Field(() => String, { description: "The pool's name." })
  name!: string;

  @Field(() => CIDRScalar, { nullable: true, description: "The proposed range; null when it does not fit." })
  cidr!: string | null;

  @Field(() => Int, { description: "Prefix length of the pool." })
  prefixLength!: number;

  @Field(() => CIDRScalar, {
    nullable: true,
    description: "The pool plus its growth headroom (equal to cidr when reserveFor is 1).",
  })
  slot!: string | null;

  @Field(() => Float, {
    description: "Percent of the pool its planned children fill (4 decimals); their headroom counts as free.",
  })
  percent!: number;

  @Field(() => String, {
    description:
      "Addresses of growth headroom left free beside the pool: its slot minus the pool (decimal string; 0 when reserveFor is 1).",
  })
  headroom!: string;

  @Field(() => Float, {
    description:
      "Percent of the pool its planned children fill together with their headroom (their slots), 4 decimals.",
  })
  percentWithHeadroom!: number;
}

@ObjectType({ description: "Something a plan clashes with: the plan cannot be applied while any exists." })
export class PlanConflict {
  @Field(() => String, { nullable: true, description: "Path of the node that conflicts." })
  path!: string | null;

  @Field(() => String, { description: "The input field to change, e.g. `levels[1].prefixLength`." })
  field!: string;

  @Field(() => String, {
    description: "NO_SPACE (it does not fit) or NAME_TAKEN (a sibling pool has that name).",
  })
  code!: string;

  @Field(() => String, { description: "What clashes, in words." })
  message!: string;

  @Field(() => Pool, {
    description: "The existing pool it clashes with (the parent that is full, or the namesake).",
  })
  conflicting!: Pool;
}

@ObjectType({
  description: "The whole proposed tree, what it leaves and what it clashes with; nothing is written.",
})
export class PlanPreview {
  @Field(() => Pool, { description: "The root pool." })
  rootPool!: Pool;

  @Field(() => [PlanNode], {
    description: "Every proposed pool, depth first (a parent before its children).",
  })
  nodes!: PlanNode[];

  @Field(() => Int, { description: "Number of pools the plan creates." })
  poolCount!: number;

  @Field(() => [PlanConflict], {
    description: "Every conflict with what exists; empty when the plan applies.",
  })
  conflicts!: PlanConflict[];

  @Field(() => Boolean, { description: "True when there are no conflicts." })
  applicable!: boolean;

  @Field(() => Float, { description: "Percent of the root pool in use now." })
  rootPercentBefore!: number;

  @Field(() => Float, {
    description: "Percent of the root pool in use after the plan (headroom counts as free).",
  })
  rootPercentAfter!: number;

  @Field(() => String, {
    description:
      "Addresses of the root pool left free as headroom beside the first level's pools (decimal string).",
  })
  rootHeadroomAfter!: string;

  @Field(() => Float, {
    description:
      "Percent of the root pool in use after the plan with the first level's headroom counted as used (what is left for anything else).",
  })
  rootPercentWithHeadroomAfter!: number;

  @Field(() => CIDRScalar, {
    nullable: true,
    description: "The root pool's largest free block after the plan (headroom counts as free).",
  })
  rootLargestFreeAfter!: string | null;
}

@ObjectType({ description: "The pools an applied plan created." })
export class ApplyPlanPayload {
  @Field(() => Pool, { description: "The root pool." })
  rootPool!: Pool;

  @Field(() => [Pool], { description: "The created pools, in the order of the preview's nodes." })
  pools!: Pool[];
}
