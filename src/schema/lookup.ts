/** `lookup`: who owns an address, per scope. */
import { Field, ID, Int, ObjectType } from "type-graphql";
import type { LookupEntryRecord } from "../domain/lookup.js";
import { Pool, PrefixKind, prefixGlobalId, prefixKindOf, toPool } from "./pool.js";
import { CIDRScalar } from "./scalars.js";

@ObjectType({
  description: "One prefix of a lookup chain: a pool, allocation or reservation containing the target.",
})
export class LookupEntry {
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

  @Field(() => Pool, { nullable: true, description: "The pool, when the entry is one." })
  pool!: Pool | null;
}

export function toLookupEntry(entry: LookupEntryRecord): LookupEntry {
  return {
    id: prefixGlobalId(entry),
    kind: prefixKindOf(entry.kind),
    cidr: entry.cidr,
    prefixLength: entry.prefixLength,
    name: entry.name,
    status: entry.status,
    pool: entry.pool ? toPool(entry.pool) : null,
  };
}

@ObjectType({ description: "The prefixes containing the target in one scope." })
export class LookupResult {
  /** Scope row id (not in the schema). */
  scopeId!: number;

  @Field(() => [LookupEntry], { description: "Root pool first, the deepest pool or allocation last." })
  chain!: LookupEntry[];
}
