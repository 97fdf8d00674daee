/** Scopes (address spaces, like VRFs) as the API shows them. */
import { Field, ID, InputType, ObjectType } from "type-graphql";
import type { ScopeRecord } from "../domain/scopes.js";
import { ConnectionType } from "./connection.js";
import { Node, toGlobalId } from "./node.js";

@ObjectType({
  description:
    "Which destructive operations on a scope's objects wait for a second principal's approval (a ChangeRequest) instead of acting at once. All false: no approvals, every mutation acts directly.",
})
export class ApprovalPolicy {
  @Field(() => Boolean, { description: "deletePool of a pool in this scope needs approval." })
  deletePool!: boolean;

  @Field(() => Boolean, { description: "releaseAllocation of an allocation in this scope needs approval." })
  releaseAllocation!: boolean;

  @Field(() => Boolean, {
    description: "provisionSubnet and deprovisionSubnet of an allocation in this scope need approval.",
  })
  actuation!: boolean;
}

@InputType({ description: "Approval switches: only the fields present change (on create, absent = false)." })
export class ApprovalPolicyInput {
  @Field(() => Boolean, { nullable: true, description: "deletePool needs approval." })
  deletePool?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "releaseAllocation needs approval." })
  releaseAllocation?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "provisionSubnet / deprovisionSubnet need approval." })
  actuation?: boolean | null;
}

@ObjectType({
  implements: Node,
  description:
    "An address space (like a VRF): prefixes in different scopes may overlap, inside one scope they nest.",
})
export class Scope extends Node {
  /** Row id (not in the schema). */
  rowId!: number;
  __typename!: "Scope";

  @Field(() => String, { description: "Unique name." })
  name!: string;

  @Field(() => String, { nullable: true, description: "Free-text description." })
  description!: string | null;

  @Field(() => Boolean, {
    description: "Whether this is the default scope (used when none is given; cannot be deleted).",
  })
  isDefault!: boolean;

  @Field(() => ApprovalPolicy, {
    description: "The scope's approval policy for destructive operations (all false: none).",
  })
  approvals!: ApprovalPolicy;

  @Field(() => Date, { description: "When the scope was created." })
  createdAt!: Date;

  @Field(() => Date, { description: "When the scope was last changed." })
  updatedAt!: Date;
}

export function toScope(scope: ScopeRecord): Scope {
  return {
    __typename: "Scope",
    id: toGlobalId("Scope", scope.id),
    rowId: scope.id,
    name: scope.name,
    description: scope.description,
    isDefault: scope.isDefault,
    approvals: { ...scope.approvals },
    createdAt: new Date(scope.createdAt),
    updatedAt: new Date(scope.updatedAt),
  };
}

export const ScopeConnection = ConnectionType("Scope", Scope);
export type ScopeConnection = InstanceType<typeof ScopeConnection>;

@InputType({ description: "A new scope." })
export class CreateScopeInput {
  @Field(() => String, { description: "Unique name, 1-255 characters." })
  name!: string;

  @Field(() => String, { nullable: true, description: "Free-text description." })
  description?: string | null;

  @Field(() => ApprovalPolicyInput, {
    nullable: true,
    description: "Operations that wait for a second principal's approval (default: none).",
  })
  approvals?: ApprovalPolicyInput | null;
}

@InputType({ description: "Changes to a scope: only the fields present change; an explicit null clears." })
export class UpdateScopeInput {
  @Field(() => ID, { description: "Global id of the scope." })
  id!: string;

  @Field(() => String, { nullable: true, description: "New unique name (cannot be cleared)." })
  name?: string | null;

  @Field(() => String, { nullable: true, description: "New description; null clears." })
  description?: string | null;

  @Field(() => ApprovalPolicyInput, {
    nullable: true,
    description:
      "Approval switches to change (only those present); null turns every approval off. Pending requests keep waiting.",
  })
  approvals?: ApprovalPolicyInput | null;
}

@InputType({ description: "The scope to delete: it must be empty and not the default scope." })
export class DeleteScopeInput {
  @Field(() => ID, { description: "Global id of the scope." })
  id!: string;
}

@ObjectType({ description: "The created scope." })
export class CreateScopePayload {
  @Field(() => Scope, { description: "The new scope." })
  scope!: Scope;
}

@ObjectType({ description: "The updated scope." })
export class UpdateScopePayload {
  @Field(() => Scope, { description: "The scope after the change." })
  scope!: Scope;
}

@ObjectType({ description: "The deleted scope." })
export class DeleteScopePayload {
  @Field(() => ID, { description: "Global id the scope had." })
  deletedScopeId!: string;
}

@InputType({
  description:
    "Two scopes routed together (peered VPCs, a transit gateway): no live prefix of one may overlap one of the other.",
})
export class LinkScopesInput {
  @Field(() => [ID], { description: "Global ids of exactly two different scopes." })
  scopeIds!: string[];
}

@ObjectType({ description: "The two scopes of a link, in the order given." })
export class LinkScopesPayload {
  @Field(() => [Scope], { description: "The linked scopes." })
  scopes!: Scope[];
}

@ObjectType({ description: "The two scopes that are no longer linked, in the order given." })
export class UnlinkScopesPayload {
  @Field(() => [Scope], { description: "The unlinked scopes." })
  scopes!: Scope[];
}
