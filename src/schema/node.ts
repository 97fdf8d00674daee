/** Relay Global Object Identification: the Node interface and global ids ("Pool:42" in base64url). */
import { Field, ID, InterfaceType } from "type-graphql";

@InterfaceType({
  description: "An object with a globally unique id (Relay). Fetch any of them with `node(id:)`.",
  resolveType: (value: { __typename?: string }) => value.__typename,
})
export abstract class Node {
  @Field(() => ID, { description: "Globally unique, opaque id." })
  id!: string;
}

import { fromGlobalId } from "../ids.js";

export { fromGlobalId, toGlobalId } from "../ids.js";

/** A global id argument of a known type, as a row id (null/undefined pass through). */
export function rowIdOf(
  globalId: string | null | undefined,
  type: string,
  field: string,
): number | null | undefined {
  return globalId == null ? (globalId as null | undefined) : fromGlobalId(globalId, type, field).id;
}
