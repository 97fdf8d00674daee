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
import { syncAccount, type ReconcileServices } from "./sync.js";

/** What the loop needs: the sync's services and its settings. */
type LoopServices = ReconcileServices & { config: { reconcileIntervalSeconds: number } };

export const RECONCILE_CONCURRENCY = 4;
/** How often the loop looks for new or deleted accounts. */
const RESCAN_MS = 60_000;

interface LoopState {
  timers: Map<number, NodeJS.Timeout>;
  rescan: NodeJS.Timeout | null;
  inflight: Set<Promise<unknown>>;
  stopped: boolean;
}

/** The loop as a background worker; its timers live in this closure, one worker per app. */
export function createReconcileWorker() {
  let state: LoopState | null = null;
  return {
    name: "reconcile-loop",
    async start(services: LoopServices): Promise<void> {
      const intervalMs = services.config.reconcileIntervalSeconds * 1000;
      if (intervalMs <= 0) return;
      const limit = pLimit(RECONCILE_CONCURRENCY);
      const loop: LoopState = { timers: new Map(), rescan: null, inflight: new Set(), stopped: false };
      state = loop;

      const schedule = (accountId: number, delayMs: number) => {
        const t = setTimeout(() => {
          const run = limit(async () => {
            if (loop.stopped) return;
            const requestId = `reconcile-${accountId}-${Date.now()}`;
            try {
              await syncAccount(services, { actor: SYSTEM_ACTOR, requestId }, accountId);
            } catch (err) {
              services.logger.warn(
                { accountId, err: (err as Error).message },
                "background cloud sync failed",
              );
            }
          });
          loop.inflight.add(run);
          void run.finally(() => {
            loop.inflight.delete(run);
            if (!loop.stopped && loop.timers.has(accountId))
              schedule(accountId, intervalMs * (0.9 + Math.random() * 0.2));
          });
        }, delayMs);
        t.unref();
        loop.timers.set(accountId, t);
      };

      const rescan = async () => {
        if (loop.stopped) return;
        try {
          const ids = new Set(await services.store.read((db) => cloudAccountIds(db)));
          for (const id of ids) if (!loop.timers.has(id)) schedule(id, Math.random() * intervalMs);
          for (const [id, t] of loop.timers) {
            if (ids.has(id)) continue;
            clearTimeout(t);
            loop.timers.delete(id);
          }
        } catch (err) {
          services.logger.warn({ err: (err as Error).message }, "reconcile loop could not list accounts");
        }
        if (!loop.stopped) {
          loop.rescan = setTimeout(() => void rescan(), Math.min(RESCAN_MS, intervalMs));
          loop.rescan.unref();
        }
      };
      await rescan();
    },
    async stop(): Promise<void> {
      if (!state) return;
      state.stopped = true;
      if (state.rescan) clearTimeout(state.rescan);
      for (const t of state.timers.values()) clearTimeout(t);
      state.timers.clear();
      await Promise.allSettled([...state.inflight]);
      state = null;
    },
  };
}
