import { Arg, Args, Authorized, Ctx, ID, Query, Resolver, Root, Subscription } from "type-graphql";
import type { GraphQLError } from "graphql";
import { Event, EventConnection, EventsArgs } from "../schema/event.js";
import { fromGlobalId, toGlobalId } from "../schema/node.js";
import { toConnection, type Connection } from "../schema/connection.js";
import {
  allEventsFilter,
  allocationEventsFilter,
  driftEventsFilter,
  eventCursor,
  eventsById,
  listEvents,
  parseEventCursor,
  type EventRecord,
  type EventStreamFilter,
} from "../domain/events.js";
import { eventHubOf, isSubscriptionClosed, type StreamItem } from "../domain/event-hub.js";
import { authorize } from "../server/auth.js";
import { graphqlError } from "../server/errors.js";
import type { Context } from "../server/context.js";
import { registerNodeType } from "./node.resolver.js";

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

registerNodeType("Event", async (ctx, id) => {
  if (!ctx.actor.role) return null;
  authorize(ctx, "audit");
  const e = await ctx.loaders
    .for<number, EventRecord>("event", (ids) => eventsById(ctx.services.store, ids))
    .load(id);
  return e ? toEvent(e) : null;
});

/** A stream item becomes an Event, or the error that tells the client why the server ended the stream. */
function streamed(item: StreamItem): Event {
  if (isSubscriptionClosed(item)) {
    throw graphqlError("SLOW_CONSUMER", item.reason, {
      cursor: eventCursor(item.cursor),
      lag: item.lag,
    }) as GraphQLError;
  }
  return toEvent(item);
}

type SubscribeData = { args: Record<string, unknown>; context: unknown };

function openStream(
  data: SubscribeData,
  permission: "read" | "audit",
  stream: string,
  filterOf: (args: Record<string, unknown>) => EventStreamFilter,
) {
  const ctx = data.context as Context;
  authorize(ctx, permission);
  const after = data.args.after as string | null | undefined;
  return eventHubOf(ctx.services).subscribe(
    filterOf(data.args),
    after == null ? null : parseEventCursor(after),
    stream,
  );
}

const decodeOptional = (value: unknown, type: string, field: string): number | null =>
  value == null ? null : fromGlobalId(value as string, type, field).id;

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

  @Authorized("audit")
  @Subscription(() => Event, {
    name: "events",
    description:
      "Streams events as they are committed. With `after`, first replays every matching event after that cursor, then continues live (no gap, no duplicate). A consumer that falls too far behind gets a SLOW_CONSUMER error whose details.cursor resumes it. Needs the audit permission.",
    subscribe: (data) =>
      openStream(data as SubscribeData, "audit", "events", (a) =>
        allEventsFilter(a.types as string[] | null),
      ),
  })
  eventStream(
    @Root() item: StreamItem,
    @Arg("types", () => [String], {
      nullable: true,
      description: 'Only these event types ("pool.created") or subjects ("allocation.*"); default all.',
    })
    _types: string[] | null,
    @Arg("after", () => String, {
      nullable: true,
      description: 'Replay events after this cursor first ("0" = the whole log); default: only new events.',
    })
    _after: string | null,
  ): Event {
    return streamed(item);
  }

  @Authorized("read")
  @Subscription(() => Event, {
    description:
      "Streams allocation.created/released/updated events, optionally of one pool and/or one account. With `after`, replays first, then continues live.",
    subscribe: (data) =>
      openStream(data as SubscribeData, "read", "allocationEvents", (a) =>
        allocationEventsFilter(
          decodeOptional(a.poolId, "Pool", "poolId"),
          decodeOptional(a.accountId, "Account", "accountId"),
        ),
      ),
  })
  allocationEvents(
    @Root() item: StreamItem,
    @Arg("poolId", () => ID, { nullable: true, description: "Only allocations in this pool." })
    _poolId: string | null,
    @Arg("accountId", () => ID, { nullable: true, description: "Only allocations of this account." })
    _accountId: string | null,
    @Arg("after", () => String, {
      nullable: true,
      description: "Replay events after this cursor first; default: only new events.",
    })
    _after: string | null,
  ): Event {
    return streamed(item);
  }

  @Authorized("read")
  @Subscription(() => Event, {
    description:
      "Streams drift.detected/resolved events, optionally of one account. With `after`, replays first, then continues live.",
    subscribe: (data) =>
      openStream(data as SubscribeData, "read", "driftEvents", (a) =>
        driftEventsFilter(decodeOptional(a.accountId, "Account", "accountId")),
      ),
  })
  driftEvents(
    @Root() item: StreamItem,
    @Arg("accountId", () => ID, { nullable: true, description: "Only drift of this account." })
    _accountId: string | null,
    @Arg("after", () => String, {
      nullable: true,
      description: "Replay events after this cursor first; default: only new events.",
    })
    _after: string | null,
  ): Event {
    return streamed(item);
  }
}
