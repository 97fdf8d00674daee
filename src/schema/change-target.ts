/**
 * The target of a change request (a Pool or an Allocation). Apart from ./change-request.ts, which the pool
 * and allocation payloads import: the union imports those types, so keeping it there would make a cycle.
 */
import { createUnionType } from "type-graphql";
import { Allocation } from "./allocation.js";
import { Pool } from "./pool.js";

export const ChangeTarget = createUnionType({
  name: "ChangeTarget",
  description: "The object a change request acts on.",
  types: () => [Pool, Allocation] as const,
  resolveType: (value) => (value as { __typename: string }).__typename,
});
