/** GraphQL types of change requests: destructive operations waiting for a second principal (issue #18). */
import { ArgsType, Field, ID, InputType, ObjectType, registerEnumType } from "type-graphql";
import { GraphQLJSONObject } from "graphql-scalars";
import type { ChangeRequestRecord } from "../domain/change-requests.js";
import { ConnectionArgs, ConnectionType } from "./connection.js";
import { Node, toGlobalId } from "./node.js";
import { CIDRScalar, DateTimeScalar } from "./scalars.js";

export enum ChangeOperation {
  DELETE_POOL = "DELETE_POOL",
  RELEASE_ALLOCATION = "RELEASE_ALLOCATION",
  PROVISION_SUBNET = "PROVISION_SUBNET",
  DEPROVISION_SUBNET = "DEPROVISION_SUBNET",
}
registerEnumType(ChangeOperation, {
  name: "ChangeOperation",
  description: "The mutation a change request will run once approved.",
  valuesConfig: {
    DELETE_POOL: { description: "deletePool (input: cascade). Approver needs the admin permission." },
    RELEASE_ALLOCATION: { description: "releaseAllocation. Approver needs the operate permission." },
    PROVISION_SUBNET: {
      description: "provisionSubnet (input: vpc, region, zone, name). Approver needs operate.",
    },
    DEPROVISION_SUBNET: { description: "deprovisionSubnet. Approver needs operate." },
  },
});

export enum ChangeRequestStatus {
  PENDING = "PENDING",
  APPROVED = "APPROVED",
  REJECTED = "REJECTED",
  EXPIRED = "EXPIRED",
  FAILED = "FAILED",
}
registerEnumType(ChangeRequestStatus, {
  name: "ChangeRequestStatus",
  description: "Where a change request stands.",
  valuesConfig: {
    PENDING: {
      description:
        "Waiting for a decision (with decidedBy set: approved, and the cloud operation is running now).",
    },
    APPROVED: { description: "Approved; the operation was applied, as the approver." },
    REJECTED: { description: "Rejected (reason says why); nothing was changed." },
    EXPIRED: { description: "Not decided before expiresAt (CHANGE_REQUEST_TTL_HOURS); nothing was changed." },
    FAILED: {
      description:
        "Approved, but the operation was refused: the target changed since the request (reason says how); nothing was changed.",
    },
  },
});

@ObjectType({
  implements: Node,
  description:
    "A destructive operation that a scope's approval policy holds until a second principal approves it (approveChange) or rejects it (rejectChange). Every step is an event: change.requested, change.approved, change.rejected, change.expired, change.failed.",
})
export class ChangeRequest extends Node {
  declare __typename?: "ChangeRequest";
  rowId!: number;
  targetType!: "Pool" | "Allocation";
  targetRowId!: number;

  @Field(() => ChangeOperation, { description: "What will run once approved." })
  operation!: ChangeOperation;

  @Field(() => ID, {
    description: "Global id of the target (a Pool or an Allocation), also once it is gone.",
  })
  targetId!: string;

  @Field(() => CIDRScalar, { description: "The target's range when the change was requested." })
  targetCidr!: string;

  @Field(() => GraphQLJSONObject, {
    description: "The operation's other arguments, replayed on approval (e.g. {cascade: true}).",
  })
  input!: Record<string, unknown>;

  @Field(() => ID, { nullable: true, description: "Global id of the target's scope (whose policy applies)." })
  scopeId!: string | null;

  @Field(() => String, {
    description: "Who asked (as in the audit log: token:<id>:<name>, jwt:<subject>).",
  })
  requestedBy!: string;

  @Field(() => ChangeRequestStatus, { description: "Where the request stands." })
  status!: ChangeRequestStatus;

  @Field(() => String, {
    nullable: true,
    description: "Why it was rejected, or why applying it failed; null otherwise.",
  })
  reason!: string | null;

  @Field(() => DateTimeScalar, { description: "When it was requested." })
  createdAt!: string;

  @Field(() => DateTimeScalar, { description: "When it expires unless decided." })
  expiresAt!: string;

  @Field(() => String, { nullable: true, description: "Who approved or rejected it." })
  decidedBy!: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "When it was decided (or expired)." })
  decidedAt!: string | null;
}

export function toChangeRequest(r: ChangeRequestRecord): ChangeRequest {
  return {
    __typename: "ChangeRequest",
    id: toGlobalId("ChangeRequest", r.id),
    rowId: r.id,
    targetType: r.targetType,
    targetRowId: r.targetId,
    operation: r.operation as ChangeOperation,
    targetId: toGlobalId(r.targetType, r.targetId),
    targetCidr: r.targetCidr,
    input: r.input,
    scopeId: r.scopeId === null ? null : toGlobalId("Scope", r.scopeId),
    requestedBy: r.requestedBy,
    status: r.status as ChangeRequestStatus,
    reason: r.reason,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    decidedBy: r.decidedBy,
    decidedAt: r.decidedAt,
  };
}

@ObjectType({ description: "A page of change requests." })
export class ChangeRequestConnection extends ConnectionType("ChangeRequest", ChangeRequest) {}

@InputType({ description: "Which change requests (every field present must match)." })
export class ChangeRequestFilter {
  @Field(() => [ChangeRequestStatus], {
    nullable: true,
    description: "Any of these statuses (a PENDING request past expiresAt counts as EXPIRED).",
  })
  status?: ChangeRequestStatus[] | null;

  @Field(() => [ChangeOperation], { nullable: true, description: "Any of these operations." })
  operation?: ChangeOperation[] | null;

  @Field(() => ID, { nullable: true, description: "Requests on objects of this scope." })
  scopeId?: string | null;

  @Field(() => ID, { nullable: true, description: "Requests on this Pool or Allocation." })
  targetId?: string | null;
}

@ArgsType()
export class ChangeRequestsArgs extends ConnectionArgs {
  @Field(() => ChangeRequestFilter, { nullable: true, description: "Which requests (default: all)." })
  filter?: ChangeRequestFilter | null;
}

@InputType({ description: "The change request to approve." })
export class ApproveChangeInput {
  @Field(() => ID, { description: "Global id of the change request." })
  id!: string;
}

@InputType({ description: "The change request to reject, and why." })
export class RejectChangeInput {
  @Field(() => ID, { description: "Global id of the change request." })
  id!: string;

  @Field(() => String, {
    description: "Why (required, up to 4096 characters); shown as the request's reason.",
  })
  reason!: string;
}

@ObjectType({ description: "The approved change request (status APPROVED); its operation was applied." })
export class ApproveChangePayload {
  @Field(() => ChangeRequest, { description: "The request after approval." })
  changeRequest!: ChangeRequest;
}

@ObjectType({ description: "The rejected change request (status REJECTED)." })
export class RejectChangePayload {
  @Field(() => ChangeRequest, { description: "The request after rejection." })
  changeRequest!: ChangeRequest;
}
