/**
 * What a resolver gets: the per-request Context (caller, logger, loaders) and the long-lived Services,
 * and the permission check for code paths `@Authorized` does not cover. The server builds both
 * (src/server/app.ts `createServices`, src/server/http.ts and ws.ts per request); nothing here imports
 * src/server.
 */
import type { Config } from "../config.js";
import type { Store } from "../db/store.js";
import type { Logger } from "../logger.js";
import type { Caller } from "../domain/caller.js";
import { Forbidden, Unauthenticated } from "../domain/errors.js";
import type { EventHub } from "../domain/event-hub.js";
import { can, type Actor, type Permission } from "../domain/roles.js";
import { CREATE_TOKEN_HINT } from "../domain/tokens.js";
import type { WebhookDispatcher } from "../domain/webhook-worker.js";
import type { ReconcileState } from "../reconcile/sync.js";
import type { Loaders } from "./loaders.js";

/** Long-lived services shared by every request (one set per server process), created by `createServices`. */
export interface Services {
  config: Config;
  store: Store;
  logger: Logger;
  startedAt: Date;
  /** Fans committed events out to subscriptions; started by its worker before the server listens. */
  eventHub: EventHub;
  /** Delivers events to webhooks; started after the event hub. */
  webhooks: WebhookDispatcher;
  /** Cloud syncs in flight and the provider overrides (tests point the SDKs at emulators with them). */
  reconcile: ReconcileState;
}

/** The bearer credential's identity, for revocation checks on long-lived connections. */
export type Credential =
  { kind: "token"; tokenId: number } | { kind: "jwt"; subject: string } | { kind: "none" };

/** Per-request context: who is calling, the request's logger, and its DataLoaders. */
export interface Context {
  requestId: string;
  logger: Logger;
  actor: Actor;
  credential: Credential;
  services: Services;
  /** The request's DataLoaders (`createLoaders(store)`), one typed field per kind. */
  loaders: Loaders;
}

/** What domain functions get to know about the caller. */
export function callerOf(ctx: Context): Caller {
  return { actor: ctx.actor, requestId: ctx.requestId };
}

/** type-graphql authChecker: every listed permission must be held by the caller's role. */
export const authChecker = (
  { context }: { context: Pick<Context, "actor"> },
  permissions: Permission[],
): boolean => {
  if (permissions.includes("public")) return true;
  const role = context.actor.role;
  if (!role)
    throw new Unauthenticated(
      `authentication required: send 'Authorization: Bearer <token>' (${CREATE_TOKEN_HINT})`,
    );
  const missing = permissions.filter((p) => !can(role, p));
  if (missing.length === 0) return true;
  throw new Forbidden(`role ${role} may not do this (needs ${missing.join(", ")} permission)`, {
    role,
    required: missing,
  });
};

/**
 * The same check for code paths that `@Authorized` does not cover: a subscription's `subscribe`
 * function runs before its resolver, so it must call this before it starts streaming.
 */
export function authorize(context: Pick<Context, "actor">, ...permissions: Permission[]): void {
  authChecker({ context }, permissions);
}

/**
 * `includeDeleted: true` of a list (soft delete, issue #18): deleted objects are audit information, so it needs
 * the audit permission (ADMIN, AUDITOR); FORBIDDEN otherwise. Returns the flag.
 */
export function auditOnly(
  context: Pick<Context, "actor">,
  includeDeleted: boolean | null | undefined,
): boolean {
  if (!includeDeleted) return false;
  authorize(context, "audit");
  return true;
}
