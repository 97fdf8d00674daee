/** Per-request context: who is calling, the request's logger, and its DataLoaders. */
import DataLoader from "dataloader";
import type { Config } from "../config.js";
import type { Store } from "../db/store.js";
import type { Logger } from "../logger.js";
import type { Actor } from "../domain/roles.js";
import type { Caller } from "../domain/caller.js";

/** Long-lived services shared by every request (one per server process). */
export interface Services {
  config: Config;
  store: Store;
  logger: Logger;
  startedAt: Date;
  /** Registry of named singletons that modules attach at start-up (event hub, webhook worker, ...). */
  extensions: Map<string, unknown>;
}

/**
 * Per-request DataLoaders, created on first use: `ctx.loaders.for("account", batchFn)`.
 * One instance per request, so caching never outlives the request.
 */
export class Loaders {
  private readonly loaders = new Map<string, DataLoader<unknown, unknown>>();
  for<K, V>(
    name: string,
    batch: (keys: readonly K[]) => Promise<(V | null | Error)[]>,
  ): DataLoader<K, V | null> {
    let l = this.loaders.get(name);
    if (!l) {
      l = new DataLoader<K, V | null>(
        batch as (keys: readonly K[]) => Promise<(V | null | Error)[]>,
      ) as DataLoader<unknown, unknown>;
      this.loaders.set(name, l);
    }
    return l as DataLoader<K, V | null>;
  }
}

export interface Context {
  requestId: string;
  logger: Logger;
  actor: Actor;
  /** The raw bearer credential's identity for revocation checks on long-lived connections. */
  credential: { kind: "token"; tokenId: number } | { kind: "jwt"; subject: string } | { kind: "none" };
  services: Services;
  loaders: Loaders;
}

/** What domain functions get to know about the caller. */
export function callerOf(ctx: Context): Caller {
  return { actor: ctx.actor, requestId: ctx.requestId };
}
