import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import {
  CreateWebhookInput,
  CreateWebhookPayload,
  DeleteWebhookInput,
  DeleteWebhookPayload,
  UpdateWebhookInput,
  UpdateWebhookPayload,
  Webhook,
  WebhookConnection,
  WebhookDeliveriesArgs,
  WebhookDeliveryConnection,
  WebhookDeliveryOutcome,
  type WebhookDelivery,
} from "../schema/webhook.js";
import { ConnectionArgs, toConnection, type Connection } from "../schema/connection.js";
import { fromGlobalId, toGlobalId } from "../schema/node.js";
import {
  countDeliveriesOf,
  createWebhook,
  deleteWebhook,
  deliveriesOf,
  listWebhooks,
  updateWebhook,
  webhooksById,
  type DeliveryInfo,
  type WebhookInfo,
} from "../domain/webhooks.js";
import { eventCursor } from "../domain/events.js";
import type { Page } from "../db/pagination.js";
import { authorize } from "../server/auth.js";
import { callerOf, type Context } from "../server/context.js";
import { registerNodeType } from "./node.resolver.js";

function toWebhook(w: WebhookInfo): Webhook {
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

function toDelivery(d: DeliveryInfo): WebhookDelivery {
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

registerNodeType("Webhook", async (ctx, id) => {
  if (!ctx.actor.role) return null;
  authorize(ctx, "admin");
  const w = await ctx.loaders
    .for<number, WebhookInfo>("webhook", (ids) => webhooksById(ctx.services.store, ids))
    .load(id);
  return w ? toWebhook(w) : null;
});

@Resolver(() => Webhook)
export class WebhookResolver {
  @Authorized("admin")
  @Query(() => WebhookConnection, { description: "Webhooks, oldest first. Needs the admin permission." })
  async webhooks(
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<Webhook>> {
    const { page, count } = await listWebhooks(
      ctx.services.store,
      args,
      ctx.services.config.limits.maxPageSize,
    );
    return toConnection(page, toWebhook, count);
  }

  @Authorized("admin")
  @Mutation(() => CreateWebhookPayload, {
    description: "Registers an endpoint that receives the events committed from now on. Needs admin.",
  })
  async createWebhook(
    @Arg("input", () => CreateWebhookInput, { description: "URL, event types and signing secret." })
    input: CreateWebhookInput,
    @Ctx() ctx: Context,
  ): Promise<CreateWebhookPayload> {
    const { webhook, generatedSecret } = await createWebhook(ctx.services.store, callerOf(ctx), input);
    return { webhook: toWebhook(webhook), generatedSecret };
  }

  @Authorized("admin")
  @Mutation(() => UpdateWebhookPayload, { description: "Changes or pauses a webhook. Needs admin." })
  async updateWebhook(
    @Arg("input", () => UpdateWebhookInput, { description: "The webhook and what to change." })
    input: UpdateWebhookInput,
    @Ctx() ctx: Context,
  ): Promise<UpdateWebhookPayload> {
    const { id } = fromGlobalId(input.id, "Webhook", "id");
    const webhook = await updateWebhook(ctx.services.store, callerOf(ctx), id, input);
    return { webhook: toWebhook(webhook) };
  }

  @Authorized("admin")
  @Mutation(() => DeleteWebhookPayload, {
    description: "Deletes a webhook and its delivery history. Needs admin.",
  })
  async deleteWebhook(
    @Arg("input", () => DeleteWebhookInput, { description: "The webhook to delete." })
    input: DeleteWebhookInput,
    @Ctx() ctx: Context,
  ): Promise<DeleteWebhookPayload> {
    const { id } = fromGlobalId(input.id, "Webhook", "id");
    const deleted = await deleteWebhook(ctx.services.store, callerOf(ctx), id);
    return { deletedId: toGlobalId("Webhook", deleted.id) };
  }

  @FieldResolver(() => WebhookDeliveryConnection, {
    description: "Every delivery attempt of this webhook, oldest first (use `last` for the newest).",
  })
  async deliveries(
    @Root() webhook: Webhook,
    @Args(() => WebhookDeliveriesArgs) args: WebhookDeliveriesArgs,
    @Ctx() ctx: Context,
  ): Promise<Connection<WebhookDelivery>> {
    const store = ctx.services.store;
    const max = ctx.services.config.limits.maxPageSize;
    const key = JSON.stringify([args.first, args.after, args.last, args.before]);
    // One statement for the deliveries of every webhook on the page (and one for their counts).
    const page = await ctx.loaders
      .for<number, Page<DeliveryInfo>>(`webhookDeliveries:${key}`, (ids) =>
        deliveriesOf(store, ids, args, max),
      )
      .load(webhook.rowId);
    const counts = ctx.loaders.for<number, number>("webhookDeliveryCounts", (ids) =>
      countDeliveriesOf(store, ids),
    );
    return toConnection(page!, toDelivery, async () => (await counts.load(webhook.rowId)) ?? 0);
  }
}
