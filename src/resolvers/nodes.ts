/** Relay object identification: any object by its global id, through the request's loaders. */
import { fromGlobalId, type Node } from "../schema/node.js";
import { authorize, type Context } from "./context.js";

/** How `node(id:)` fetches each type; types that need more than `read` check it (null for anonymous). */
const NODE_FETCHERS: Record<string, (ctx: Context, id: number) => Promise<Node | null>> = {
  Pool: (ctx, id) => ctx.loaders.pool.load(id),
  Account: (ctx, id) => ctx.loaders.account.load(id),
  Scope: (ctx, id) => ctx.loaders.scope.load(id),
  Allocation: (ctx, id) => ctx.loaders.allocation.load(id),
  Reservation: (ctx, id) => ctx.loaders.reservation.load(id),
  CloudResource: (ctx, id) => ctx.loaders.cloudResource.load(id),
  DriftItem: (ctx, id) => ctx.loaders.driftItem.load(id),
  ChangeRequest: (ctx, id) => ctx.loaders.changeRequest.load(id),
  Event: async (ctx, id) => {
    if (!ctx.actor.role) return null;
    authorize(ctx, "audit");
    return ctx.loaders.event.load(id);
  },
  Webhook: async (ctx, id) => {
    if (!ctx.actor.role) return null;
    authorize(ctx, "admin");
    return ctx.loaders.webhook.load(id);
  },
};

/** Any object by global id through the request's loaders; null for a malformed id or an unknown type. */
export async function loadNode(ctx: Context, globalId: string): Promise<Node | null> {
  let decoded;
  try {
    decoded = fromGlobalId(globalId);
  } catch {
    return null;
  }
  const fetch = Object.hasOwn(NODE_FETCHERS, decoded.type) ? NODE_FETCHERS[decoded.type] : undefined;
  return fetch ? fetch(ctx, decoded.id) : null;
}
