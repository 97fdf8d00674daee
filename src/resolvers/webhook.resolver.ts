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
  toDelivery,
  toWebhook,
  type WebhookDelivery,
} from "../schema/webhook.js";
import { ConnectionArgs, toConnection, type Connection } from "../schema/connection.js";
import { fromGlobalId, toGlobalId } from "../schema/node.js";
import { createWebhook, deleteWebhook, listWebhooks, updateWebhook } from "../domain/webhooks.js";
import { callerOf, type Context } from "./context.js";

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
    // One statement for the deliveries of every webhook on the page (and one for their counts).
    const page = await ctx.loaders
      .webhookDeliveries(args, ctx.services.config.limits.maxPageSize)
      .load(webhook.rowId);
    return toConnection(page, toDelivery, () => ctx.loaders.webhookDeliveryCounts.load(webhook.rowId));
  }
}
