import { Args, Authorized, Ctx, FieldResolver, Query, Resolver, Root, Subscription } from "type-graphql";
import {
  AllocationEvent,
  AllocationEventsArgs,
  DriftEvent,
  DriftEventsArgs,
  Event,
  EventConnection,
  EventsArgs,
  EventsSubscriptionArgs,
  toEvent,
} from "../schema/event.js";
import { Node } from "../schema/node.js";
import { Pool } from "../schema/pool.js";
import { toAllocation } from "../schema/allocation.js";
import { allocationOfSnapshot } from "../domain/allocations.js";
import { driftOfSnapshot } from "../domain/drift.js";
import { NotFound, SlowConsumer } from "../domain/errors.js";
import { toDriftItem } from "../schema/drift.js";
import { fromGlobalId } from "../schema/node.js";
import { toConnection, type Connection } from "../schema/connection.js";
import {
  allEventsFilter,
  allocationEventsFilter,
  driftEventsFilter,
  eventCursor,
  listEvents,
  parseEventCursor,
  type EventRecord,
  type EventStreamFilter,
} from "../domain/events.js";
import { isSubscriptionClosed, type StreamItem } from "../domain/event-hub.js";
import { authorize, type Context } from "./context.js";
import { loadNode } from "./nodes.js";

/** A stream item, or the error that tells the client why the server ended the stream. */
function streamed(item: StreamItem): EventRecord {
  if (isSubscriptionClosed(item)) {
    throw new SlowConsumer(item.reason, eventCursor(item.cursor), item.lag);
  }
  return item;
}

/** The allocation event payload: the allocation from the event's snapshot (its state at that event). */
function toAllocationEvent(e: EventRecord): AllocationEvent {
  const allocation = toAllocation(allocationOfSnapshot((e.after ?? e.before)!, e.createdAt));
  return {
    cursor: eventCursor(e.id),
    type: e.type,
    createdAt: e.createdAt,
    actor: e.actor,
    allocation,
    poolRowId: allocation.poolRowId,
  };
}

function toDriftEvent(e: EventRecord): DriftEvent {
  return {
    cursor: eventCursor(e.id),
    type: e.type,
    createdAt: e.createdAt,
    actor: e.actor,
    drift: toDriftItem(driftOfSnapshot((e.after ?? e.before)!)),
  };
}

type SubscribeData = { args: unknown; context: unknown };

function openStream(
  data: SubscribeData,
  permission: "read" | "audit",
  stream: string,
  filter: () => EventStreamFilter,
  after: string | null | undefined,
) {
  const ctx = data.context as Context;
  authorize(ctx, permission);
  return ctx.services.eventHub.subscribe(filter(), after == null ? null : parseEventCursor(after), stream);
}

@Resolver(() => Event)
export class EventResolver {
  @Authorized("audit")
  @Query(() => EventConnection, {
    description:
      "The audit log: every change, oldest first (use `last` for the newest). Needs the audit permission (AUDITOR, ADMIN).",
  })
  async events(@Args(() => EventsArgs) args: EventsArgs, @Ctx() ctx: Context): Promise<Connection<Event>> {
    const f = args.filter ?? {};
    const subject = f.subjectId ? fromGlobalId(f.subjectId, undefined, "filter.subjectId") : null;
    const { page, count } = await listEvents(
      ctx.services.store,
      { types: f.types, subject, actor: f.actor, from: f.from, to: f.to },
      args,
      ctx.services.config.limits.maxPageSize,
    );
    return toConnection(page, toEvent, count);
  }

  @FieldResolver(() => Node, { nullable: true })
  subject(@Root() event: Event, @Ctx() ctx: Context): Promise<Node | null> {
    return loadNode(ctx, event.subjectId);
  }

  @Authorized("audit")
  @Subscription(() => Event, {
    name: "events",
    description:
      "Streams events as they are committed. With `after`, first replays every matching event after that cursor, then continues live (no gap, no duplicate). A consumer that falls too far behind gets a SLOW_CONSUMER error whose details.cursor resumes it. Needs the audit permission.",
    subscribe: (data) => {
      const args = data.args as EventsSubscriptionArgs;
      return openStream(data, "audit", "events", () => allEventsFilter(args.types), args.after);
    },
  })
  eventStream(
    @Root() item: StreamItem,
    @Args(() => EventsSubscriptionArgs) _args: EventsSubscriptionArgs,
  ): Event {
    return toEvent(streamed(item));
  }

  @Authorized("read")
  @Subscription(() => AllocationEvent, {
    description:
      "Streams allocation.created/released/updated/deleted events, optionally of one pool and/or one account, each with the allocation after the change. With `after`, replays first, then continues live.",
    subscribe: (data) => {
      const args = data.args as AllocationEventsArgs;
      return openStream(data, "read", "allocationEvents", () => allocationEventsFilter(args), args.after);
    },
  })
  allocationEvents(
    @Root() item: StreamItem,
    @Args(() => AllocationEventsArgs) _args: AllocationEventsArgs,
  ): AllocationEvent {
    return toAllocationEvent(streamed(item));
  }

  @Authorized("read")
  @Subscription(() => DriftEvent, {
    description:
      "Streams drift.detected/resolved events, optionally of one account, each with the drift item after the change. With `after`, replays first, then continues live.",
    subscribe: (data) => {
      const args = data.args as DriftEventsArgs;
      return openStream(data, "read", "driftEvents", () => driftEventsFilter(args), args.after);
    },
  })
  driftEvents(@Root() item: StreamItem, @Args(() => DriftEventsArgs) _args: DriftEventsArgs): DriftEvent {
    return toDriftEvent(streamed(item));
  }
}

@Resolver(() => AllocationEvent)
export class AllocationEventResolver {
  @FieldResolver(() => Pool)
  async pool(@Root() e: AllocationEvent, @Ctx() ctx: Context): Promise<Pool> {
    const pool = await ctx.loaders.pool.load(e.poolRowId);
    if (!pool) throw new NotFound("Pool", e.poolRowId, "pool");
    return pool;
  }
}
