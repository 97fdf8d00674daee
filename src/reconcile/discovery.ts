/**
 * Discovery: the network half of a sync. Asks the provider for VPCs and subnets, region by region
 * (AWS) or in one aggregated listing (GCP), and returns what it saw per region, failures included, so
 * that a region that could not be read keeps its previous state instead of looking deleted.
 * Runs outside any database transaction.
 */
import { errorMessage } from "../providers/errors.js";
import type { CloudSubnet, CloudVpc } from "../providers/types.js";
import type { ProviderHandle } from "./provider-factory.js";

export interface RegionObservation {
  region: string;
  startedAt: string;
  finishedAt: string;
  vpcs: CloudVpc[];
  subnets: CloudSubnet[];
  /** Set when the region could not be read; vpcs/subnets are then empty and mean nothing. */
  error: string | null;
}

export interface Observation {
  regions: RegionObservation[];
  /** Logical cloud calls of the whole discovery (each page counts; retries do not). */
  calls: number;
  durationMs: number;
}

async function observeRegion(
  region: string,
  read: () => Promise<[CloudVpc[], CloudSubnet[]]>,
): Promise<RegionObservation> {
  const startedAt = new Date().toISOString();
  try {
    const [vpcs, subnets] = await read();
    return {
      region,
      startedAt,
      finishedAt: new Date().toISOString(),
      vpcs,
      subnets,
      error: null,
    };
  } catch (err) {
    return {
      region,
      startedAt,
      finishedAt: new Date().toISOString(),
      vpcs: [],
      subnets: [],
      error: errorMessage(err),
    };
  }
}

/** Reads every configured region of the account concurrently (the provider's CallGate bounds the calls). */
export async function discover(handle: ProviderHandle): Promise<Observation> {
  const t0 = performance.now();
  const p = handle.provider;
  let regions: RegionObservation[];
  if (handle.name === "aws") {
    regions = await Promise.all(
      handle.regions.map((region) =>
        observeRegion(region, () =>
          Promise.all([p.listVpcs({ regions: [region] }), p.listSubnets({ regions: [region] })]),
        ),
      ),
    );
  } else {
    // GCP networks are global and subnetworks come from one aggregated listing: one unit, "global".
    const scope = handle.settings.regions ? { regions: handle.settings.regions } : {};
    regions = [await observeRegion("global", () => Promise.all([p.listVpcs(scope), p.listSubnets(scope)]))];
  }
  return { regions, calls: handle.calls(), durationMs: performance.now() - t0 };
}
