/**
 * Sync of one account with 50 VPCs and 5,000 subnets across 4 regions (AWS) through the real EC2 SDK
 * against the loopback emulator, into a real SQLite file: wall time of the whole sync, cloud calls made,
 * time of discovery and of drift classification; first sync (everything new) and steady state
 * (nothing changed). Half the VPCs are allocated (their subnets are MANAGED), the rest UNMANAGED, and
 * a few subnets overlap another account's allocation. Same for GCP (50 networks, 5,000 subnetworks).
 * Run: npm run bench -- reconcile
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../src/db/store.js";
import { createLogger } from "../src/logger.js";
import { createAccount } from "../src/domain/accounts.js";
import { createPool } from "../src/domain/pools.js";
import { allocate } from "../src/domain/allocations.js";
import { SYSTEM_ACTOR } from "../src/domain/roles.js";
import type { ProviderOverrides } from "../src/reconcile/provider-factory.js";
import { createReconcileState, syncAccount, type SyncResult } from "../src/reconcile/sync.js";
import { EC2_TEST_CREDENTIALS, startEc2Emulator } from "../test/emulators/ec2-emulator.js";
import { startComputeEmulator } from "../test/emulators/compute-emulator.js";
import { computeTestAuthClient } from "../test/helpers/cloud.js";
import type { FaultBook } from "../test/emulators/faults.js";

const REGIONS_AWS = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"];
const REGIONS_GCP = ["us-east1", "us-west1", "europe-west1", "asia-southeast1"];
const VPCS = 50;
const SUBNETS_PER_VPC = 100;
const SYSTEM = { actor: SYSTEM_ACTOR, requestId: "bench" };

interface Row {
  run: string;
  "wall ms": number;
  calls: number;
  "discovery ms": number;
  "classify ms": number;
  "write ms": number;
  resources: number;
  "drift +": number;
  "drift open": number;
}

function row(run: string, wallMs: number, r: SyncResult): Row {
  return {
    run,
    "wall ms": Math.round(wallMs),
    calls: r.calls,
    "discovery ms": Math.round(r.discoveryMs),
    "classify ms": Math.round(r.classifyMs),
    "write ms": Math.round(wallMs - r.discoveryMs),
    resources: r.resources.seen,
    "drift +": r.drift.detected,
    "drift open": r.drift.open,
  };
}

async function bench(
  provider: "aws" | "gcp",
  overrides: ProviderOverrides,
  log: FaultBook,
  key: string,
  regions: string[],
): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), "cloudpam-bench-"));
  const store = openStore({ dsn: join(dir, "bench.db") });
  const services = { store, logger: createLogger("silent"), reconcile: createReconcileState(overrides) };
  try {
    const account = await createAccount(store, SYSTEM, { key, name: `bench-${provider}`, regions });
    const other = await createAccount(store, SYSTEM, { key: "aws:999999999999", name: "other" });
    const pool = await createPool(store, SYSTEM, { cidr: "10.0.0.0/8", name: "bench", status: "ACTIVE" });
    for (let v = 0; v < VPCS; v += 2)
      await allocate(store, SYSTEM, { poolId: pool.id, accountId: account.id, cidr: `10.${v}.0.0/16` });
    for (let v = 1; v < 10; v += 2)
      await allocate(store, SYSTEM, { poolId: pool.id, accountId: other.id, cidr: `10.${v}.0.0/20` });

    const rows: Row[] = [];
    for (const run of ["first sync", "steady state", "steady state"]) {
      log.resetLog();
      const t0 = performance.now();
      const r = await syncAccount(services, SYSTEM, account.id);
      const wall = performance.now() - t0;
      if (r.states.some((s) => s.error)) throw new Error(JSON.stringify(r.states));
      if (r.resources.seen !== VPCS * (SUBNETS_PER_VPC + 1)) throw new Error(`saw ${r.resources.seen}`);
      if (log.log.length < r.calls) throw new Error("call count mismatch");
      rows.push(row(`${provider} ${run}`, wall, r));
    }
    return rows;
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
{
  const ec2 = await startEc2Emulator({ maxPageSize: 1000 });
  for (let v = 0; v < VPCS; v++) {
    const vpc = ec2.addVpc({ region: REGIONS_AWS[v % REGIONS_AWS.length]!, cidr: `10.${v}.0.0/16` });
    for (let s = 0; s < SUBNETS_PER_VPC; s++)
      ec2.addSubnet({ vpcId: vpc.id, cidr: `10.${v}.${s}.0/24`, unchecked: true });
  }
  rows.push(
    ...(await bench(
      "aws",
      { aws: { endpoint: ec2.url, credentials: EC2_TEST_CREDENTIALS } },
      ec2.faults,
      "aws:123456789012",
      REGIONS_AWS,
    )),
  );
  await ec2.close();
}
{
  const gce = await startComputeEmulator({
    maxPageSize: 500,
    regions: REGIONS_GCP,
    project: "bench-project",
  });
  for (let v = 0; v < VPCS; v++) {
    gce.addNetwork({ name: `net-${v}` });
    for (let s = 0; s < SUBNETS_PER_VPC; s++)
      gce.addSubnetwork({
        region: REGIONS_GCP[(v + s) % REGIONS_GCP.length]!,
        network: `net-${v}`,
        name: `net-${v}-sub-${s}`,
        cidr: `10.${v}.${s}.0/24`,
        unchecked: true,
      });
  }
  rows.push(
    ...(await bench(
      "gcp",
      { gcp: { ...gce.clientOptions, authClient: computeTestAuthClient() } },
      gce.faults,
      "gcp:bench-project",
      [],
    )),
  );
  await gce.close();
}
console.log(`one account: ${VPCS} VPCs, ${VPCS * SUBNETS_PER_VPC} subnets, 4 regions`);
console.table(rows);
