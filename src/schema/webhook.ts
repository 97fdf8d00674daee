/** GraphQL types of webhooks and their delivery attempts. */
import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";
import { ConnectionArgs, ConnectionType } from "./connection.js";
import { Node, toGlobalId } from "./node.js";
import { eventCursor } from "../ids.js";
import type { DeliveryInfo, WebhookInfo } from "../domain/webhooks.js";
import { DateTimeScalar } from "./scalars.js";

export enum WebhookDeliveryOutcome {
  SUCCESS = "SUCCESS",
  RETRY = "RETRY",
  FAILED = "FAILED",
}

registerEnumType(WebhookDeliveryOutcome, {
  name: "WebhookDeliveryOutcome",
  description: "What became of one delivery attempt.",
  valuesConfig: {
    SUCCESS: { description: "The endpoint answered 2xx; the event is delivered." },
    RETRY: { description: "The attempt failed (non-2xx, timeout, network error); it will be retried." },
    FAILED: { description: "The last allowed attempt failed; delivery moved on to the next event." },
  },
});

@ObjectType({ description: "One attempt to deliver one event to a webhook." })
export class WebhookDelivery {
  @Field(() => ID, { description: "Global id of this attempt." })
  id!: string;

  @Field(() => ID, { description: "Global id of the delivered Event." })
  eventId!: string;

  @Field(() => String, { description: "Cursor of the delivered event (also sent as X-CloudPAM-Event-Id)." })
  eventCursor!: string;

  @Field(() => Int, { description: "Attempt number for this event, from 1." })
  attempt!: number;

  @Field(() => Int, { nullable: true, description: "HTTP status of the answer; null when none came." })
  statusCode!: number | null;

  @Field(() => Int, { description: "How long the attempt took, in milliseconds." })
  durationMs!: number;

  @Field(() => String, { nullable: true, description: "Why the attempt failed (null on success)." })
  error!: string | null;

  @Field(() => WebhookDeliveryOutcome, { description: "Outcome of the attempt." })
  outcome!: WebhookDeliveryOutcome;

  @Field(() => DateTimeScalar, { description: "When the attempt finished (ISO-8601 UTC)." })
  createdAt!: string;
}

@ObjectType({ description: "A page of webhook delivery attempts." })
export class WebhookDeliveryConnection extends ConnectionType("WebhookDelivery", WebhookDelivery) {}

@ObjectType({
  implements: Node,
  description:
    'An HTTP endpoint that receives events as signed JSON POSTs (header X-CloudPAM-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">), in order, at least once.',
})
export class Webhook extends Node {
  declare __typename?: "Webhook";

  /** Numeric id, for the deliveries loader. */
  rowId!: number;

  @Field(() => String, {
    description: "Where events are POSTed (http or https; redirects are not followed).",
  })
  url!: string;

  @Field(() => [String], {
    description: 'Event types ("pool.created") or subjects ("allocation.*") delivered; empty = all.',
  })
  eventTypes!: string[];

  @Field(() => Boolean, {
    description: "Whether events are delivered (a paused webhook resumes where it stopped).",
  })
  active!: boolean;

  @Field(() => String, {
    description: "Cursor of the last event whose delivery is settled (delivered or given up on).",
  })
  cursor!: string;

  @Field(() => DateTimeScalar, { description: "When the webhook was created." })
  createdAt!: string;

  @Field(() => DateTimeScalar, { description: "When the webhook was last changed." })
  updatedAt!: string;
}

@ObjectType({ description: "A page of webhooks." })
export class WebhookConnection extends ConnectionType("Webhook", Webhook) {}

@InputType({ description: "A new webhook." })
export class CreateWebhookInput {
  @Field(() => String, { description: "Endpoint URL (http or https)." })
  url!: string;

  @Field(() => [String], {
    nullable: true,
    description:
      'Event types ("pool.created") or subjects ("allocation.*") to deliver; empty or omitted = all.',
  })
  eventTypes?: string[] | null;

  @Field(() => String, {
    nullable: true,
    description: "HMAC signing secret (16-256 characters); omitted = generated and returned once.",
  })
  secret?: string | null;
}

@ObjectType({ description: "Result of createWebhook." })
export class CreateWebhookPayload {
  @Field(() => Webhook, { description: "The new webhook; it receives events committed from now on." })
  webhook!: Webhook;

  @Field(() => String, {
    nullable: true,
    description: "The generated signing secret when none was given (shown only here); otherwise null.",
  })
  generatedSecret!: string | null;
}

@InputType({ description: "Changes to a webhook; omitted fields stay as they are." })
export class UpdateWebhookInput {
  @Field(() => ID, { description: "The webhook to change." })
  id!: string;

  @Field(() => String, { nullable: true, description: "New endpoint URL (http or https)." })
  url?: string | null;

  @Field(() => [String], { nullable: true, description: "New event types; empty = all." })
  eventTypes?: string[] | null;

  @Field(() => String, { nullable: true, description: "New signing secret (16-256 characters)." })
  secret?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Pause (false) or resume (true) delivery." })
  active?: boolean | null;
}

@ObjectType({ description: "Result of updateWebhook." })
export class UpdateWebhookPayload {
  @Field(() => Webhook, { description: "The changed webhook." })
  webhook!: Webhook;
}

@InputType({ description: "The webhook to delete." })
export class DeleteWebhookInput {
  @Field(() => ID, { description: "The webhook to delete (its delivery history goes with it)." })
  id!: string;
}

@ObjectType({ description: "Result of deleteWebhook." })
export class DeleteWebhookPayload {
  @Field(() => ID, { description: "Global id of the deleted webhook." })
  deletedId!: string;
}

@ArgsType()
export class WebhookDeliveriesArgs extends ConnectionArgs {}

/** Maps a domain webhook to the API's Webhook. */
export function toWebhook(w: WebhookInfo): Webhook {
  return {
    __typename: "Webhook",
    id: toGlobalId("Webhook", w.id),
    rowId: w.id,
    url: w.url,
    eventTypes: w.eventTypes,
    active: w.active,
    cursor: eventCursor(w.cursor),
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
  };
}

/** Maps a delivery attempt to the API's WebhookDelivery. */
export function toDelivery(d: DeliveryInfo): WebhookDelivery {
  return {
    id: toGlobalId("WebhookDelivery", d.id),
    eventId: toGlobalId("Event", d.eventId),
    eventCursor: eventCursor(d.eventId),
    attempt: d.attempt,
    statusCode: d.statusCode,
    durationMs: d.durationMs,
    error: d.error,
    outcome: d.outcome as WebhookDeliveryOutcome,
    createdAt: d.createdAt,
  };
}
