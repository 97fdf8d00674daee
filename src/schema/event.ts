/** GraphQL types of the event log (audit log, subscriptions). */
import { ArgsType, Field, ID, InputType, ObjectType } from "type-graphql";
import { JSONResolver } from "graphql-scalars";
import { ConnectionArgs, ConnectionType } from "./connection.js";
import { Node, toGlobalId } from "./node.js";
import type { EventRecord } from "../domain/events.js";
import { eventCursor } from "../ids.js";
import { DateTimeScalar } from "./scalars.js";
import { Allocation } from "./allocation.js";
import { DriftItem } from "./drift.js";
import { Pool } from "./pool.js";

@ObjectType({
  implements: Node,
  description:
    "One change recorded in the append-only event log: who did what to which object, with before/after snapshots. The audit log, the source of subscriptions and the webhook outbox.",
})
export class Event extends Node {
  declare __typename?: "Event";

  @Field(() => String, {
    description:
      'Position of this event in the log: an integer as a string, strictly increasing. Pass it as `after` to a subscription to resume after this event ("0" = from the beginning).',
  })
  cursor!: string;

  @Field(() => String, {
    description: "`<subject>.<verb>`, e.g. `pool.created`, `allocation.released`, `drift.detected`.",
  })
  type!: string;

  @Field(() => String, {
    description: "Who made the change: `token:<id>:<name>`, `jwt:<subject>` or `system`.",
  })
  actor!: string;

  @Field(() => String, { description: 'GraphQL type of the changed object, e.g. "Pool", "Allocation".' })
  subjectType!: string;

  @Field(() => ID, { description: "Global id of the changed object (fetch it with `node(id:)`)." })
  subjectId!: string;

  @Field(() => Node, {
    nullable: true,
    description:
      "The changed object as it is now (null once it is deleted, or when the caller may not read it).",
  })
  subject?: Node | null;

  @Field(() => JSONResolver, {
    nullable: true,
    description:
      "Snapshot of the object before the change (null on creation): version 2 (`v: 2`), every id a global id.",
  })
  before!: unknown;

  @Field(() => JSONResolver, {
    nullable: true,
    description:
      "Snapshot of the object after the change (null on deletion): version 2 (`v: 2`), every id a global id.",
  })
  after!: unknown;

  @Field(() => String, {
    nullable: true,
    description: "Id of the request that made the change (the X-Request-ID header / log field).",
  })
  requestId!: string | null;

  @Field(() => DateTimeScalar, { description: "When the change was committed (ISO-8601 UTC)." })
  createdAt!: string;
}

@ObjectType({ description: "A page of events." })
export class EventConnection extends ConnectionType("Event", Event) {}

@InputType({ description: "Narrows the audit log; every given field must match." })
export class EventFilterInput {
  @Field(() => [String], {
    nullable: true,
    description: 'Event types ("pool.created") or whole subjects ("allocation.*"); any of them matches.',
  })
  types?: string[] | null;

  @Field(() => ID, { nullable: true, description: "Only events of this object (its global id)." })
  subjectId?: string | null;

  @Field(() => String, { nullable: true, description: "Only events by this actor (as shown in `actor`)." })
  actor?: string | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "Only events at or after this time." })
  from?: Date | null;

  @Field(() => DateTimeScalar, { nullable: true, description: "Only events before this time." })
  to?: Date | null;
}

@ArgsType()
export class EventsArgs extends ConnectionArgs {
  @Field(() => EventFilterInput, { nullable: true, description: "Which events to list." })
  filter?: EventFilterInput | null;
}

@ObjectType({
  description:
    "An allocation change as `allocationEvents` streams it: the allocation as it is after the change (a released one with status RELEASED), so a client cache can update from it.",
})
export class AllocationEvent {
  /** The pool's row id (not in the schema): for the `pool` field resolver. */
  poolRowId!: number;

  @Field(() => String, { description: "Position in the event log; pass it as `after` to resume." })
  cursor!: string;

  @Field(() => String, {
    description:
      "`allocation.created`, `allocation.updated`, `allocation.released`, `allocation.deleted` or `allocation.restored` (soft delete undone).",
  })
  type!: string;

  @Field(() => DateTimeScalar, { description: "When the change was committed (ISO-8601 UTC)." })
  createdAt!: string;

  @Field(() => String, {
    description: "Who made the change: `token:<id>:<name>`, `jwt:<subject>` or `system`.",
  })
  actor!: string;

  @Field(() => Allocation, { description: "The allocation after the change (before it, for a deletion)." })
  allocation!: Allocation;

  @Field(() => Pool, { description: "The pool the allocation is in (as it is now)." })
  pool?: Pool;
}

@ObjectType({ description: "A drift change as `driftEvents` streams it: the drift item after the change." })
export class DriftEvent {
  @Field(() => String, { description: "Position in the event log; pass it as `after` to resume." })
  cursor!: string;

  @Field(() => String, { description: "`drift.detected`, `drift.resolved`, `drift.ignored`, ..." })
  type!: string;

  @Field(() => DateTimeScalar, { description: "When the change was committed (ISO-8601 UTC)." })
  createdAt!: string;

  @Field(() => String, {
    description:
      "Who made the change: `token:<id>:<name>`, `jwt:<subject>` or `system` (the reconcile loop).",
  })
  actor!: string;

  @Field(() => DriftItem, { description: "The drift item after the change." })
  drift!: DriftItem;
}

@ArgsType()
export class EventsSubscriptionArgs {
  @Field(() => [String], {
    nullable: true,
    description: 'Only these event types ("pool.created") or subjects ("allocation.*"); default all.',
  })
  types?: string[] | null;

  @Field(() => String, {
    nullable: true,
    description: 'Replay events after this cursor first ("0" = the whole log); default: only new events.',
  })
  after?: string | null;
}

@ArgsType()
export class AllocationEventsArgs {
  @Field(() => ID, { nullable: true, description: "Only allocations in this pool." })
  poolId?: string | null;

  @Field(() => ID, { nullable: true, description: "Only allocations of this account." })
  accountId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Replay events after this cursor first; default: only new events.",
  })
  after?: string | null;
}

@ArgsType()
export class DriftEventsArgs {
  @Field(() => ID, { nullable: true, description: "Only drift of this account." })
  accountId?: string | null;

  @Field(() => String, {
    nullable: true,
    description: "Replay events after this cursor first; default: only new events.",
  })
  after?: string | null;
}

/** Maps a domain event to the GraphQL Event (global ids, string cursor). */
export function toEvent(e: EventRecord): Event {
  return {
    __typename: "Event",
    id: toGlobalId("Event", e.id),
    cursor: eventCursor(e.id),
    type: e.type,
    actor: e.actor,
    subjectType: e.subjectType,
    subjectId: toGlobalId(e.subjectType, e.subjectId),
    before: e.before,
    after: e.after,
    requestId: e.requestId,
    createdAt: e.createdAt,
  };
}
