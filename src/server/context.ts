/** Per-request context: who is calling, the request's logger, and its DataLoaders. */
import type { Config } from "../config.js";
import type { Store } from "../db/store.js";
import type { Logger } from "../logger.js";
import type { Actor } from "../domain/roles.js";
import type { Caller } from "../domain/caller.js";
import type { Loaders } from "../resolvers/loaders.js";

/** Long-lived services shared by every request (one per server process). */
export interface Services {
  config: Config;
  store: Store;
  logger: Logger;
  startedAt: Date;
  /** Registry of named singletons that modules attach at start-up (event hub, webhook worker, ...). */
  extensions: Map<string, unknown>;
}

export interface Context {
  requestId: string;
  logger: Logger;
  actor: Actor;
  /** The raw bearer credential's identity for revocation checks on long-lived connections. */
  credential: { kind: "token"; tokenId: number } | { kind: "jwt"; subject: string } | { kind: "none" };
  services: Services;
  /** The request's DataLoaders (`createLoaders(store)`), one typed field per kind. */
  loaders: Loaders;
}

/** What domain functions get to know about the caller. */
export function callerOf(ctx: Context): Caller {
  return { actor: ctx.actor, requestId: ctx.requestId };
}
