/** `lookup`: who owns an address, per scope. */
import { Field, ID, Int, ObjectType } from "type-graphql";
import type { PrefixRow } from "../db/prefixes.js";
import { PrefixKind, prefixGlobalId, prefixKindOf } from "./pool.js";
import { CIDRScalar } from "./scalars.js";

@ObjectType({
  description: "One prefix of a lookup chain: a pool, allocation or reservation containing the target.",
})
export class LookupEntry {
  /** The raw row (not in the schema). */
  row!: PrefixRow;

  @Field(() => ID, {
    description: "Global id of the prefix (Pool, Allocation or Reservation); fetch it with `node(id:)`.",
  })
  id!: string;

  @Field(() => PrefixKind, { description: "What the prefix is." })
  kind!: PrefixKind;

  @Field(() => CIDRScalar, { description: "Its range." })
  cidr!: string;

  @Field(() => Int, { description: "Its prefix length." })
  prefixLength!: number;

  @Field(() => String, { nullable: true, description: "Its name." })
  name!: string | null;

  @Field(() => String, {
    description: "Its status (pool: PLANNED/ACTIVE/DEPRECATED; allocation: ALLOCATED, ...).",
  })
  status!: string;
}

export function toLookupEntry(row: PrefixRow): LookupEntry {
  return {
    row,
    id: prefixGlobalId(row),
    kind: prefixKindOf(row.kind),
    cidr: row.cidr,
    prefixLength: row.prefixLen,
    name: row.name,
    status: row.status,
  };
}

@ObjectType({ description: "The prefixes containing the target in one scope." })
export class LookupResult {
  /** Scope row id (not in the schema). */
  scopeId!: number;

  @Field(() => [LookupEntry], { description: "Root pool first, the deepest pool or allocation last." })
  chain!: LookupEntry[];
}
