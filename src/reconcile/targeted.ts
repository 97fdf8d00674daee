/**
 * The targeted re-read a change notification triggers: one VPC (AWS) or network (GCP) and its subnets are
 * read again through the provider — the notification only says WHERE to look, never what is there — and
 * recorded, classified and merged into drift exactly as a full sync does, but only for that VPC: resources
 * of other VPCs are neither touched nor marked deleted, and only drift items of this VPC's resources (and
 * MISSING_IN_CLOUD items of allocations bound to them) may resolve.
 *
 * Duplicates, reordering and lost notifications are harmless: a re-read observes the cloud as it is now,
 * findings keep the fingerprints of the full sync (so a finding is reported once whoever sees it first),
 * and the periodic poll still runs. Re-reads of an account run one at a time with its full syncs
 * (inAccountChain); a notification for a VPC whose re-read is queued but not started joins that one.
 */
import {
  cidrsByResourceIds,
  resourceByExternalId,
  resourcesOfVpc,
  type CloudResourceRow,
} from "../db/cloud.js";
import type { DriftRow } from "../db/drift.js";
import type { Caller } from "../domain/caller.js";
import {
  applyVerdicts,
  boundAllocations,
  overlapLookup,
  recordObservation,
  scopeIdOf,
} from "../domain/cloud-sync.js";
import { applyFindings, type DriftChanges } from "../domain/drift.js";
import { requireAccount } from "../domain/validation.js";
import type { ChangeTarget, CloudSubnet, CloudVpc } from "../providers/types.js";

export type { ChangeTarget };
import { classify } from "./classify.js";
import type { AccountRow } from "../db/accounts.js";
import { accountSettings, type ProviderHandle } from "./provider-factory.js";
import { ignorePrefixes, inAccountChain, providerOf, type ReconcileServices } from "./sync.js";

export interface TargetedResult {
  accountId: number;
  /** The VPC/network re-read (null when the target could not be tied to one: nothing to do). */
  vpcId: string | null;
  unit: string | null;
  /** Why nothing was read, when nothing was. */
  skipped?: string;
  vpcFound: boolean;
  subnets: number;
  drift: DriftChanges;
}

const NO_DRIFT: DriftChanges = { detected: 0, resolved: 0, open: 0 };

/** `https://…/compute/v1/projects/p/…` → `projects/p/…` (the GCP provider's resource ids). */
function resourcePath(link: string): string {
  const i = link.indexOf("projects/");
  return i >= 0 ? link.slice(i) : link;
}

/**
 * Re-reads the VPC a notification points at and reconciles it. A re-read of the same VPC queued and not yet
 * started is joined instead of queueing a second one.
 */
export function syncTarget(
  services: ReconcileServices,
  caller: Caller,
  accountId: number,
  target: ChangeTarget,
): Promise<TargetedResult> {
  const state = services.reconcile;
  const key = `${accountId}|${target.kind}|${target.region ?? ""}|${target.id}`;
  const queued = state.queuedTargets.get(key) as Promise<TargetedResult> | undefined;
  if (queued) return queued;
  const run = inAccountChain(state, accountId, () => {
    if (state.queuedTargets.get(key) === run) state.queuedTargets.delete(key);
    return runTargeted(services, caller, accountId, target);
  });
  state.queuedTargets.set(key, run);
  void run
    .catch(() => undefined)
    .finally(() => {
      if (state.queuedTargets.get(key) === run) state.queuedTargets.delete(key);
    });
  return run;
}

async function runTargeted(
  services: ReconcileServices,
  caller: Caller,
  accountId: number,
  target: ChangeTarget,
): Promise<TargetedResult> {
  const { store } = services;
  const account = await store.read((db) => requireAccount(db, accountId, "accountId"));
  const handle = await cachedProvider(services, account);
  const skip = (skipped: string): TargetedResult => ({
    accountId,
    vpcId: null,
    unit: null,
    skipped,
    vpcFound: false,
    subnets: 0,
    drift: NO_DRIFT,
  });
  try {
    const gcp = handle.name === "gcp";
    const unitOf = (region: string | null) => (gcp ? "global" : (region ?? "unknown"));
    const region = gcp ? null : target.region;
    if (!gcp && (!region || !handle.regions.includes(region)))
      return skip(`region ${region ?? "(none)"} is not synced for this account`);
    const unit = unitOf(region);
    const id = gcp ? resourcePath(target.id) : target.id;

    // Which VPC: the target itself, or the VPC of the subnet (as stored, else as the cloud says now).
    let vpcId: string | null = target.kind === "vpc" ? id : null;
    if (vpcId === null) {
      const row = await store.read((db) => resourceByExternalId(db, accountId, id));
      vpcId = row?.vpcExternalId ?? null;
      if (vpcId === null) {
        const subnetRegion = gcp ? /\/regions\/([^/]+)\//.exec(id)?.[1] : region;
        if (!subnetRegion) return skip(`${id} names no region`);
        const subnet = await handle.provider.getSubnet({ id, region: subnetRegion });
        vpcId = subnet?.vpcId ?? null;
      }
      if (vpcId === null) return skip(`subnet ${id} is neither known nor in the cloud`);
    }

    // The re-read: the VPC, and its subnets (none when the VPC is gone).
    const vpc: CloudVpc | null = await handle.provider.getVpc({ id: vpcId, region: region ?? undefined });
    let subnets: CloudSubnet[] = [];
    if (vpc) {
      const scope = gcp && handle.settings.regions ? { regions: handle.settings.regions } : {};
      subnets = await handle.provider.listSubnets(scope, { id: vpcId, region: region ?? undefined });
    }
    const scopeId = await store.read((db) => scopeIdOf(db, handle.settings.scope));
    const theVpc = vpcId;
    const inScope = (row: CloudResourceRow) =>
      unitOf(row.region) === unit && (row.externalId === theVpc || row.vpcExternalId === theVpc);

    const drift = await store.write(async (db) => {
      const now = new Date().toISOString();
      // Only this VPC's rows are loaded (not the whole account's): a re-read costs what the VPC holds.
      const rows = await resourcesOfVpc(db, accountId, theVpc);
      const cidrs = await cidrsByResourceIds(
        db,
        rows.map((r) => r.id),
      );
      const recorded = await recordObservation(
        db,
        accountId,
        [{ unit, ok: true, vpcs: vpc ? [vpc] : [], subnets }],
        unitOf,
        now,
        inScope,
        { resources: rows, cidrs },
      );
      const scopeRows = new Set([...recorded.live.map((r) => r.rowId), ...recorded.gone.values()]);
      const scopeIds = new Set([...recorded.live.map((r) => r.externalId), ...recorded.gone.keys()]);
      const bound = (await boundAllocations(db, accountId, handle.name)).filter((a) =>
        scopeIds.has(a.resourceId),
      );
      const boundIds = new Set(bound.map((a) => a.id));
      const lookup = await overlapLookup(
        db,
        scopeId,
        recorded.live.flatMap((r) => r.cidrs.map((c) => c.prefix)),
      );
      const classification = classify({
        accountId,
        live: recorded.live,
        gone: recorded.gone,
        bound,
        unitOf,
        failedUnits: new Set(),
        ignoreCidrs: ignorePrefixes(handle.settings.ignoreCidrs),
        ignoreTag: handle.settings.ignoreTag ?? "cloudpam:ignore",
        overlapping: lookup,
      });
      await applyVerdicts(db, recorded.management, classification.verdicts);
      const resolvable = (row: DriftRow) =>
        (row.resourceId !== null && scopeRows.has(row.resourceId)) ||
        (row.kind === "MISSING_IN_CLOUD" && row.allocationId !== null && boundIds.has(row.allocationId));
      return applyFindings(db, caller, accountId, classification.findings, new Set([unit]), now, resolvable);
    });
    services.logger.info(
      { accountId, key: account.key, vpcId, vpcFound: vpc !== null, subnets: subnets.length, drift },
      "targeted cloud re-read finished",
    );
    return { accountId, vpcId, unit, vpcFound: vpc !== null, subnets: subnets.length, drift };
  } catch (err) {
    // A failure may come from a client in a bad state: build a fresh one next time.
    await dropCachedProvider(services.reconcile, accountId);
    throw err;
  }
}

/** What the provider of an account is built from (a change builds a new one). */
function providerKey(account: AccountRow): string {
  const s = accountSettings(account);
  return JSON.stringify([
    account.provider,
    account.key,
    s.regions,
    s.roleArn,
    s.externalId,
    s.projectId,
    s.concurrency,
  ]);
}

/**
 * Targeted re-reads keep one provider per account (its SDK clients and connections), instead of building
 * one per notification: the clients' set-up costs hundreds of milliseconds (GCP) per build. Settings other
 * than the provider's own (scope, ignore rules) are read fresh from the account each time.
 */
async function cachedProvider(services: ReconcileServices, account: AccountRow): Promise<ProviderHandle> {
  const cache = services.reconcile.targetedProviders;
  const key = providerKey(account);
  const hit = cache.get(account.id);
  if (hit && hit.key === key && hit.overrides === services.reconcile.providerOverrides) {
    const handle = await hit.handle;
    return { ...handle, settings: accountSettings(account) };
  }
  if (hit) await dropCachedProvider(services.reconcile, account.id);
  const handle = providerOf(services, account);
  cache.set(account.id, { key, overrides: services.reconcile.providerOverrides, handle });
  handle.catch(() => cache.delete(account.id));
  return { ...(await handle), settings: accountSettings(account) };
}

async function dropCachedProvider(state: ReconcileServices["reconcile"], accountId: number): Promise<void> {
  const hit = state.targetedProviders.get(accountId);
  if (!hit) return;
  state.targetedProviders.delete(accountId);
  await hit.handle.then(
    (h) => h.dispose(),
    () => undefined,
  );
}

/** Lets go of every cached provider (the notification worker's stop). */
export async function disposeTargetedProviders(state: ReconcileServices["reconcile"]): Promise<void> {
  await Promise.all([...state.targetedProviders.keys()].map((id) => dropCachedProvider(state, id)));
}
