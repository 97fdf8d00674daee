/**
 * One account's sync: discovery over the network (no transaction open), then ONE write transaction that
 * records the observed resources, classifies every CIDR, merges the findings into drift (with
 * drift.detected / drift.resolved events) and writes the sync state of every region.
 * Two syncs of the same account never run at once: a second request joins the one in flight.
 */
import { Counter, Histogram } from "prom-client";
import type { AccountRow } from "../db/accounts.js";
import { deleteSyncStates, syncStatesOf } from "../db/cloud.js";
import { registry } from "../metrics.js";
import type { Store } from "../db/store.js";
import type { Logger } from "../logger.js";
import type { Caller } from "../domain/caller.js";
import {
  applyVerdicts,
  markSyncStarted,
  boundAllocations,
  overlapLookup,
  recordObservation,
  scopeIdOf,
  writeSyncState,
  type SyncStateRecord,
} from "../domain/cloud-sync.js";
import { applyFindings } from "../domain/drift.js";
import { requireAccount } from "../domain/validation.js";
import { parsePrefix, type Prefix } from "../allocator/index.js";
import { classify } from "./classify.js";
import { discover, type Observation } from "./discovery.js";
import { providerFor, type ProviderHandle, type ProviderOverrides } from "./provider-factory.js";

/** Reconciliation's long-lived state, one per server process (`services.reconcile`). */
export interface ReconcileState {
  /**
   * Extra SDK options merged into every provider built (endpoint, credentials, retry policy, page size):
   * tests point the real EC2 / Compute clients at the loopback emulators with it.
   */
  providerOverrides: ProviderOverrides;
  /** The sync running now per account id: a second request joins it. */
  readonly inflight: Map<number, Promise<SyncResult>>;
  /**
   * The tail of each account's chain of syncs (full and targeted): they run one at a time per account, so
   * an older observation is never written over a newer one of the same account by a concurrent sync.
   */
  readonly chains: Map<number, Promise<unknown>>;
  /** Targeted re-reads queued but not started, by account/unit/VPC: a duplicate notification joins one. */
  readonly queuedTargets: Map<string, Promise<unknown>>;
  /** How often the notification worker looks for accounts with new or changed notification settings. */
  notificationRescanMs: number;
  /** Providers kept for targeted re-reads, per account (src/reconcile/targeted.ts). */
  readonly targetedProviders: Map<
    number,
    { key: string; overrides: ProviderOverrides; handle: Promise<ProviderHandle> }
  >;
  /** The running notification worker (src/reconcile/notifications.ts), for an immediate rescan. */
  notifications: { rescan(): Promise<void> } | null;
}

export function createReconcileState(providerOverrides: ProviderOverrides = {}): ReconcileState {
  return {
    providerOverrides,
    inflight: new Map(),
    chains: new Map(),
    queuedTargets: new Map(),
    targetedProviders: new Map(),
    notificationRescanMs: 60_000,
    notifications: null,
  };
}

/** Runs `work` after every sync of the account queued before it (full and targeted syncs alike). */
export function inAccountChain<T>(
  state: ReconcileState,
  accountId: number,
  work: () => Promise<T>,
): Promise<T> {
  const before = state.chains.get(accountId) ?? Promise.resolve();
  const run = before.then(work, work);
  const tail = run.then(
    () => undefined,
    () => undefined,
  );
  state.chains.set(accountId, tail);
  void tail.then(() => {
    if (state.chains.get(accountId) === tail) state.chains.delete(accountId);
  });
  return run;
}

/** What reconciliation needs from the server (a subset of Services). */
export interface ReconcileServices {
  store: Store;
  logger: Logger;
  reconcile: ReconcileState;
}

export interface SyncResult {
  accountId: number;
  states: SyncStateRecord[];
  /** Logical cloud calls made (pages included, retries not). */
  calls: number;
  discoveryMs: number;
  classifyMs: number;
  resources: { seen: number; inserted: number; changed: number; deleted: number };
  drift: { detected: number; resolved: number; open: number };
}

const syncDuration = new Histogram({
  name: "cloudpam_reconcile_sync_duration_seconds",
  help: "Account syncs (discovery + recording + classification) by provider and outcome (ok | partial | error)",
  labelNames: ["provider", "outcome"] as const,
  buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  registers: [registry],
});
const driftChanges = new Counter({
  name: "cloudpam_drift_changes_total",
  help: "Drift items opened (detected) and resolved by syncs",
  labelNames: ["change"] as const,
  registers: [registry],
});

/** Builds the provider of an account with the server's overrides applied. */
export function providerOf(services: ReconcileServices, account: AccountRow): Promise<ProviderHandle> {
  return providerFor(account, services.reconcile.providerOverrides);
}

/** Syncs one account now; joins a sync of the same account already running. */
export function syncAccount(
  services: ReconcileServices,
  caller: Caller,
  accountId: number,
): Promise<SyncResult> {
  const { inflight } = services.reconcile;
  const running = inflight.get(accountId);
  if (running) return running;
  const p = inAccountChain(services.reconcile, accountId, () => runSync(services, caller, accountId)).finally(
    () => inflight.delete(accountId),
  );
  inflight.set(accountId, p);
  return p;
}

export function ignorePrefixes(cidrs: readonly string[] | undefined): Prefix[] {
  const out: Prefix[] = [];
  for (const c of cidrs ?? []) {
    try {
      out.push(parsePrefix(c));
    } catch {
      /* a malformed rule ignores nothing */
    }
  }
  return out;
}

async function runSync(services: ReconcileServices, caller: Caller, accountId: number): Promise<SyncResult> {
  const { store } = services;
  const account = await store.read((db) => requireAccount(db, accountId, "accountId"));
  const handle = await providerOf(services, account);
  const end = syncDuration.startTimer({ provider: handle.name });
  try {
    const result = await syncWith(services, caller, account, handle);
    const failed = result.states.filter((s) => s.error).length;
    end({ outcome: failed === 0 ? "ok" : failed === result.states.length ? "error" : "partial" });
    driftChanges.inc({ change: "detected" }, result.drift.detected);
    driftChanges.inc({ change: "resolved" }, result.drift.resolved);
    return result;
  } catch (err) {
    end({ outcome: "error" });
    throw err;
  }
}

async function syncWith(
  services: ReconcileServices,
  caller: Caller,
  account: AccountRow,
  handle: ProviderHandle,
): Promise<SyncResult> {
  const { store } = services;
  const accountId = account.id;
  const unitOf = (region: string | null) => (handle.name === "gcp" ? "global" : (region ?? "unknown"));
  const scopeId = await store.read((db) => scopeIdOf(db, handle.settings.scope));
  const startedAt = new Date().toISOString();
  await store.write((db) => markSyncStarted(db, accountId, handle.regions, startedAt));

  let observation: Observation;
  try {
    observation = await discover(handle);
  } finally {
    await handle.dispose();
  }

  const result = await store.write(async (db) => {
    const now = new Date().toISOString();
    const units = observation.regions.map((r) => ({
      unit: r.region,
      ok: r.error === null,
      vpcs: r.vpcs,
      subnets: r.subnets,
    }));
    // Regions synced before but no longer in the account's settings: read as empty, so their resources
    // are marked deleted (stale) and their drift resolves; their allocations are not judged missing.
    const configured = new Set(units.map((u) => u.unit));
    const stale = [...new Set((await syncStatesOf(db, accountId)).map((s) => unitOf(s.region)))].filter(
      (u) => !configured.has(u),
    );
    for (const unit of stale) units.push({ unit, ok: true, vpcs: [], subnets: [] });
    const staleUnits = new Set(stale);
    const recorded = await recordObservation(db, accountId, units, unitOf, now);
    const failedUnits = new Set(units.filter((u) => !u.ok).map((u) => u.unit));
    const t0 = performance.now();
    const lookup = await overlapLookup(
      db,
      scopeId,
      recorded.live.flatMap((r) => r.cidrs.map((c) => c.prefix)),
    );
    const classification = classify({
      accountId,
      live: recorded.live,
      gone: recorded.gone,
      bound: (await boundAllocations(db, accountId, handle.name)).filter(
        (a) => !staleUnits.has(unitOf(a.region)),
      ),
      unitOf,
      failedUnits,
      ignoreCidrs: ignorePrefixes(handle.settings.ignoreCidrs),
      ignoreTag: handle.settings.ignoreTag ?? "cloudpam:ignore",
      overlapping: lookup,
    });
    const classifyMs = performance.now() - t0; // range lookups included
    await applyVerdicts(db, recorded.management, classification.verdicts);
    const openByUnit = new Map<string, number>();
    for (const f of classification.findings) openByUnit.set(f.unit, (openByUnit.get(f.unit) ?? 0) + 1);
    const states: SyncStateRecord[] = observation.regions.map((r) => ({
      accountId,
      region: r.region,
      status: r.error === null ? "OK" : "ERROR",
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      counts: {
        vpcs: r.vpcs.length,
        subnets: r.subnets.length,
        cidrs:
          r.vpcs.reduce((n, v) => n + v.cidrs.length, 0) + r.subnets.reduce((n, s) => n + s.cidrs.length, 0),
        findings: openByUnit.get(r.region) ?? 0,
      },
      error: r.error,
    }));
    for (const s of states) await writeSyncState(db, s);
    await deleteSyncStates(db, accountId, stale);
    // The drift events last (src/db/README.md).
    const okUnits = new Set(units.filter((u) => u.ok).map((u) => u.unit));
    const drift = await applyFindings(db, caller, accountId, classification.findings, okUnits, now);
    return {
      accountId,
      states,
      calls: observation.calls,
      discoveryMs: observation.durationMs,
      classifyMs,
      resources: { seen: recorded.live.length, ...recorded.counts },
      drift,
    };
  });
  const failed = result.states.filter((s) => s.error);
  services.logger[failed.length ? "warn" : "info"](
    {
      accountId,
      key: account.key,
      calls: result.calls,
      discoveryMs: Math.round(result.discoveryMs),
      resources: result.resources,
      drift: result.drift,
      ...(failed.length ? { failed: failed.map((s) => ({ region: s.region, error: s.error })) } : {}),
    },
    "cloud sync finished",
  );
  return result;
}
