/**
 * The background reconcile loop: every RECONCILE_INTERVAL_SECONDS (0 = off) each AWS/GCP account is
 * synced, at most RECONCILE_CONCURRENCY (4) accounts at a time. Each account gets its own timer with a
 * random first delay within one interval (jittered start, so a restart does not hit every cloud API at
 * once) and then runs every interval ±10%. A failed sync is logged and recorded in its sync state; the
 * loop goes on. Stop waits for the syncs in flight.
 */
import pLimit from "p-limit";
import { cloudAccountIds } from "../db/cloud.js";
import { SYSTEM_ACTOR } from "../domain/roles.js";
import type { Services } from "../server/context.js";
import { syncAccount } from "./sync.js";

export const RECONCILE_CONCURRENCY = 4;
/** How often the loop looks for new or deleted accounts. */
const RESCAN_MS = 60_000;

interface LoopState {
  timers: Map<number, NodeJS.Timeout>;
  rescan: NodeJS.Timeout | null;
  inflight: Set<Promise<unknown>>;
  stopped: boolean;
}

const STATE = "reconcile.loop";

export const reconcileWorker = {
  name: "reconcile-loop",
  async start(services: Services): Promise<void> {
    const intervalMs = services.config.reconcileIntervalSeconds * 1000;
    if (intervalMs <= 0) return;
    const limit = pLimit(RECONCILE_CONCURRENCY);
    const state: LoopState = { timers: new Map(), rescan: null, inflight: new Set(), stopped: false };
    services.extensions.set(STATE, state);

    const schedule = (accountId: number, delayMs: number) => {
      const t = setTimeout(() => {
        const run = limit(async () => {
          if (state.stopped) return;
          const requestId = `reconcile-${accountId}-${Date.now()}`;
          try {
            await syncAccount(services, { actor: SYSTEM_ACTOR, requestId }, accountId);
          } catch (err) {
            services.logger.warn({ accountId, err: (err as Error).message }, "background cloud sync failed");
          }
        });
        state.inflight.add(run);
        void run.finally(() => {
          state.inflight.delete(run);
          if (!state.stopped && state.timers.has(accountId))
            schedule(accountId, intervalMs * (0.9 + Math.random() * 0.2));
        });
      }, delayMs);
      t.unref();
      state.timers.set(accountId, t);
    };

    const rescan = async () => {
      if (state.stopped) return;
      try {
        const ids = new Set(await services.store.read((db) => cloudAccountIds(db)));
        for (const id of ids) if (!state.timers.has(id)) schedule(id, Math.random() * intervalMs);
        for (const [id, t] of state.timers) {
          if (ids.has(id)) continue;
          clearTimeout(t);
          state.timers.delete(id);
        }
      } catch (err) {
        services.logger.warn({ err: (err as Error).message }, "reconcile loop could not list accounts");
      }
      if (!state.stopped) {
        state.rescan = setTimeout(() => void rescan(), Math.min(RESCAN_MS, intervalMs));
        state.rescan.unref();
      }
    };
    await rescan();
  },
  async stop(services: Services): Promise<void> {
    const state = services.extensions.get(STATE) as LoopState | undefined;
    if (!state) return;
    state.stopped = true;
    if (state.rescan) clearTimeout(state.rescan);
    for (const t of state.timers.values()) clearTimeout(t);
    state.timers.clear();
    await Promise.allSettled([...state.inflight]);
  },
};
