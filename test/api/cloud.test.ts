/**
 * Cloud truth end to end: the real server, the real AWS/GCP SDK clients, loopback EC2 and Compute
 * emulators. Each test gets its own emulator, account and pool (a distinct /8), so tests do not share state.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { collect, startTestServer, type TestServer } from "../helpers/server.js";
import { useEmulators } from "../helpers/cloud.js";
import { startEc2Emulator, type Ec2Emulator } from "../emulators/ec2-emulator.js";
import { startComputeEmulator, type ComputeEmulator } from "../emulators/compute-emulator.js";
import { createAccount, updateAccount } from "../../src/domain/accounts.js";
import { createPool } from "../../src/domain/pools.js";
import { createScope } from "../../src/domain/scopes.js";
import { allocate } from "../../src/domain/allocations.js";
import { SYSTEM_ACTOR } from "../../src/domain/roles.js";
import { toGlobalId } from "../../src/schema/node.js";

const SYSTEM = { actor: SYSTEM_ACTOR };
let s: TestServer;
let seq = 0;
const toClose: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  s = await startTestServer();
});
afterEach(async () => {
  await Promise.all(toClose.splice(0).map((e) => e.close()));
});
afterAll(async () => {
  await s.close();
});

interface Fixture {
  accountId: number;
  account: string;
  pool: string;
  poolId: number;
  /** First octet of this test's private /8. */
  n: number;
  /** GCP project of the account. */
  project: string;
}

async function fixture(provider: "aws" | "gcp", opts: { regions?: string[] } = {}): Promise<Fixture> {
  const n = 20 + ++seq;
  const store = s.app.services.store;
  const project = `proj-${n}-test`;
  const key = provider === "aws" ? `aws:${String(100000000000 + n)}` : `gcp:${project}`;
  const account = await createAccount(store, SYSTEM, {
    key,
    name: `${provider}-${n}`,
    regions: opts.regions ?? (provider === "aws" ? ["us-east-1", "eu-west-1"] : []),
  });
  const pool = await createPool(store, SYSTEM, { cidr: `${n}.0.0.0/8`, name: `pool-${n}`, status: "ACTIVE" });
  return {
    accountId: account.id,
    account: toGlobalId("Account", account.id),
    pool: toGlobalId("Pool", pool.id),
    poolId: pool.id,
    n,
    project,
  };
}

async function awsEmulator(): Promise<Ec2Emulator> {
  const ec2 = await startEc2Emulator({ maxPageSize: 5 });
  toClose.push(ec2);
  useEmulators(s, { ec2 });
  return ec2;
}

async function gcpEmulator(project: string): Promise<ComputeEmulator> {
  const gce = await startComputeEmulator({ project, maxPageSize: 5, regions: ["us-east1", "europe-west1"] });
  toClose.push(gce);
  useEmulators(s, { gce });
  return gce;
}

const SYNC = `mutation Sync($id: ID!) { syncAccount(input: { accountId: $id }) {
  calls resourcesSeen driftDetected driftResolved driftOpen
  states { region status error counts { vpcs subnets cidrs findings } } } }`;

interface SyncPayload {
  calls: number;
  resourcesSeen: number;
  driftDetected: number;
  driftResolved: number;
  driftOpen: number;
  states: {
    region: string;
    status: string;
    error: string | null;
    counts: { vpcs: number; subnets: number; cidrs: number; findings: number } | null;
  }[];
}

async function sync(f: Fixture): Promise<SyncPayload> {
  return (await s.ok<{ syncAccount: SyncPayload }>(SYNC, { id: f.account })).syncAccount;
}

interface Resource {
  id: string;
  externalId: string;
  resourceType: string;
  region: string | null;
  deletedAt: string | null;
  managedByCloudPam: boolean;
  cidrs: { cidr: string; role: string; management: string | null; allocationId: string | null }[];
}

async function resources(f: Fixture, includeDeleted = false): Promise<Resource[]> {
  const r = await s.ok<{ cloudResources: { totalCount: number; edges: { node: Resource }[] } }>(
    `query R($f: CloudResourceFilter) { cloudResources(filter: $f, first: 50) { totalCount edges { node {
      id externalId resourceType region deletedAt managedByCloudPam cidrs { cidr role management allocationId } } } } }`,
    { f: { accountId: f.account, includeDeleted } },
  );
  expect(r.cloudResources.totalCount).toBe(r.cloudResources.edges.length);
  return r.cloudResources.edges.map((e) => e.node);
}

async function resource(f: Fixture, externalId: string): Promise<Resource> {
  const found = (await resources(f, true)).find((r) => r.externalId === externalId);
  if (!found) throw new Error(`no resource ${externalId}`);
  return found;
}

interface Drift {
  id: string;
  kind: string;
  severity: string;
  status: string;
  cidr: string | null;
  allocationId: string | null;
  detail: string;
  resolvedAt: string | null;
  resource: { externalId: string } | null;
}

async function drift(f: Fixture, filter: Record<string, unknown> = {}): Promise<Drift[]> {
  const r = await s.ok<{ driftItems: { edges: { node: Drift }[] } }>(
    `query D($f: DriftFilter) { driftItems(filter: $f, first: 100) { edges { node {
      id kind severity status cidr allocationId detail resolvedAt resource { externalId } } } } }`,
    { f: { accountId: f.account, ...filter } },
  );
  return r.driftItems.edges.map((e) => e.node);
}

const ADOPT = `mutation A($input: AdoptResourceInput!) { adoptResource(input: $input) {
  allocationId cidr resource { externalId } resolvedDrift { kind status cidr } } }`;

/** One VPC per region with 7 subnets (pages of 5) in us-east-1, dual-stack, plus a default VPC in eu-west-1. */
function seedAws(ec2: Ec2Emulator, n: number) {
  const vpc = ec2.addVpc({
    region: "us-east-1",
    cidr: `${n}.1.0.0/16`,
    ipv6Cidrs: ["2600:1f18:4000:ff00::/56"],
    tags: { Name: "main" },
  });
  const subnets = [];
  for (let i = 0; i < 7; i++)
    subnets.push(
      ec2.addSubnet({
        vpcId: vpc.id,
        cidr: `${n}.1.${i}.0/24`,
        ipv6Cidrs: i === 0 ? ["2600:1f18:4000:ff01::/64"] : [],
      }),
    );
  const dflt = ec2.addVpc({ region: "eu-west-1", cidr: "172.31.0.0/16" });
  ec2.addSubnet({ vpcId: dflt.id, cidr: "172.31.0.0/20" });
  const other = ec2.addVpc({ region: "eu-west-1", cidr: `${n}.2.0.0/16` });
  const otherSubnet = ec2.addSubnet({ vpcId: other.id, cidr: `${n}.2.0.0/24` });
  return { vpc, subnets, dflt, other, otherSubnet };
}

describe("AWS discovery and drift", () => {
  it("records VPCs and subnets of every region across pages, with IPv4 and IPv6 CIDRs classified", async () => {
    const ec2 = await awsEmulator();
    const f = await fixture("aws");
    const seed = seedAws(ec2, f.n);

    const result = await sync(f);

    expect(result.states.map((st) => [st.region, st.status]).sort()).toEqual([
      ["eu-west-1", "OK"],
      ["us-east-1", "OK"],
    ]);
    expect(result.states.find((st) => st.region === "us-east-1")!.counts).toMatchObject({
      vpcs: 1,
      subnets: 7,
    });
    expect(result.resourcesSeen).toBe(3 + 7 + 2);
    expect(ec2.calls.DescribeSubnets).toBeGreaterThan(2); // 7 subnets in pages of 5
    const all = await resources(f);
    expect(all).toHaveLength(12);
    const first = all.find((r) => r.externalId === seed.subnets[0]!.id)!;
    expect(first.cidrs.map((c) => [c.cidr, c.management]).sort()).toEqual([
      [`${f.n}.1.0.0/24`, "UNMANAGED"],
      ["2600:1f18:4000:ff01::/64", "UNMANAGED"],
    ]);
    const dflt = all.find((r) => r.externalId === seed.dflt.id)!;
    expect(dflt.cidrs).toEqual([expect.objectContaining({ cidr: "172.31.0.0/16", management: "IGNORED" })]);
    const open = await drift(f, { status: "OPEN" });
    // 3 VPC CIDRs (v4 x2 + v6) and 9 subnet CIDRs are unmanaged; 172.31/16 and its subnet are ignored.
    expect(open.filter((d) => d.kind === "UNMANAGED")).toHaveLength(3 + 9);
    expect(open.find((d) => d.cidr === "2600:1f18:4000:ff01::/64")!.severity).toBe("LOW");
    expect(open.find((d) => d.cidr === `${f.n}.1.0.0/24`)!.severity).toBe("MEDIUM");
    const states = await s.ok<{
      syncState: { region: string; status: string; counts: { subnets: number } }[];
    }>(`query S($id: ID!) { syncState(accountId: $id) { region status counts { subnets } } }`, {
      id: f.account,
    });
    expect(states.syncState).toEqual([
      { region: "eu-west-1", status: "OK", counts: { subnets: 2 } },
      { region: "us-east-1", status: "OK", counts: { subnets: 7 } },
    ]);
  });

  it("adopts an unmanaged subnet into an allocation, resolving its drift for good", async () => {
    const ec2 = await awsEmulator();
    const f = await fixture("aws");
    const seed = seedAws(ec2, f.n);
    await sync(f);
    const target = await resource(f, seed.subnets[1]!.id);

    const adopted = await s.ok<{
      adoptResource: {
        allocationId: string;
        cidr: string;
        resolvedDrift: { kind: string; status: string }[];
      };
    }>(ADOPT, { input: { resourceId: target.id, poolId: f.pool } });

    expect(adopted.adoptResource.cidr).toBe(`${f.n}.1.1.0/24`);
    expect(adopted.adoptResource.resolvedDrift).toEqual([
      { kind: "UNMANAGED", status: "RESOLVED", cidr: `${f.n}.1.1.0/24` },
    ]);
    const again = await sync(f);
    expect(again.driftDetected).toBe(0);
    const after = await resource(f, seed.subnets[1]!.id);
    expect(after.cidrs[0]).toMatchObject({
      management: "MANAGED",
      allocationId: adopted.adoptResource.allocationId,
    });
    const forIt = (await drift(f)).filter((d) => d.cidr === `${f.n}.1.1.0/24`);
    expect(forIt.map((d) => d.status)).toEqual(["RESOLVED"]);
  });

  it("refuses to adopt a CIDR that overlaps an existing allocation, with CONFLICT naming it", async () => {
    const ec2 = await awsEmulator();
    const f = await fixture("aws");
    const seed = seedAws(ec2, f.n);
    await sync(f);
    await s.ok(ADOPT, { input: { resourceId: (await resource(f, seed.subnets[2]!.id)).id, poolId: f.pool } });

    const vpc = await resource(f, seed.vpc.id);
    const r = await s.gql(ADOPT, { input: { resourceId: vpc.id, poolId: f.pool, cidr: `${f.n}.1.0.0/16` } });

    expect(r.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(r.errors?.[0]?.message).toContain(`${f.n}.1.2.0/24`);
    expect((await resource(f, seed.vpc.id)).cidrs.find((c) => c.role === "primary")!.management).toBe(
      "UNMANAGED",
    );
  });

  it("raises MISSING_IN_CLOUD when an adopted subnet is deleted in the cloud, and resolves drift that disappears", async () => {
    const ec2 = await awsEmulator();
    const f = await fixture("aws");
    const seed = seedAws(ec2, f.n);
    await sync(f);
    const adopted = await s.ok<{ adoptResource: { allocationId: string } }>(ADOPT, {
      input: { resourceId: (await resource(f, seed.subnets[3]!.id)).id, poolId: f.pool },
    });

    ec2.deleteSubnet(seed.subnets[3]!.id);
    ec2.deleteSubnet(seed.subnets[4]!.id); // unmanaged: its UNMANAGED drift resolves itself
    const result = await sync(f);

    expect(result.driftDetected).toBe(1);
    expect(result.driftResolved).toBe(1);
    const missing = await drift(f, { kind: "MISSING_IN_CLOUD" });
    expect(missing).toEqual([
      expect.objectContaining({
        status: "OPEN",
        allocationId: adopted.adoptResource.allocationId,
        cidr: `${f.n}.1.3.0/24`,
        resource: { externalId: seed.subnets[3]!.id },
      }),
    ]);
    const gone = await resource(f, seed.subnets[4]!.id);
    expect(gone.deletedAt).not.toBeNull();
    expect((await drift(f)).find((d) => d.cidr === `${f.n}.1.4.0/24`)).toMatchObject({ status: "RESOLVED" });

    ec2.addSubnet({ vpcId: seed.vpc.id, cidr: `${f.n}.1.3.0/24`, id: seed.subnets[3]!.id });
    const back = await sync(f);
    expect(back.driftResolved).toBe(1);
    expect((await drift(f, { kind: "MISSING_IN_CLOUD" }))[0]!.status).toBe("RESOLVED");
    expect((await resource(f, seed.subnets[3]!.id)).deletedAt).toBeNull();
  });

  it("reports CIDR_MISMATCH when a bound subnet's CIDR differs from its allocation", async () => {
    const ec2 = await awsEmulator();
    const f = await fixture("aws");
    const seed = seedAws(ec2, f.n);
    await sync(f);
    await s.ok(ADOPT, { input: { resourceId: (await resource(f, seed.subnets[5]!.id)).id, poolId: f.pool } });

    ec2.deleteSubnet(seed.subnets[5]!.id);
    ec2.addSubnet({ vpcId: seed.vpc.id, cidr: `${f.n}.1.50.0/24`, id: seed.subnets[5]!.id });
    await sync(f);

    const mismatch = await drift(f, { kind: "CIDR_MISMATCH", status: "OPEN" });
    expect(mismatch).toHaveLength(1);
    expect(mismatch[0]).toMatchObject({ severity: "HIGH", cidr: `${f.n}.1.50.0/24` });
    expect(mismatch[0]!.detail).toContain(`${f.n}.1.5.0/24`);
    expect((await drift(f, { kind: "UNMANAGED", status: "OPEN" })).map((d) => d.cidr)).not.toContain(
      `${f.n}.1.50.0/24`,
    );
  });

  it("reports OVERLAP when a cloud CIDR lies in another account's allocation", async () => {
    const ec2 = await awsEmulator();
    const f = await fixture("aws");
    const seed = seedAws(ec2, f.n);
    const other = await createAccount(s.app.services.store, SYSTEM, {
      key: `aws:${900000000000 + f.n}`,
      name: `other-${f.n}`,
    });
    const theirs = await allocate(s.app.services.store, SYSTEM, {
      poolId: f.poolId,
      accountId: other.id,
      cidr: `${f.n}.2.0.0/23`,
    });

    await sync(f);

    // The subnet lies inside their /23, and its VPC's /16 contains it.
    const overlap = await drift(f, { kind: "OVERLAP" });
    expect(overlap.map((d) => d.resource?.externalId).sort()).toEqual(
      [seed.other.id, seed.otherSubnet.id].sort(),
    );
    const onSubnet = overlap.find((d) => d.resource?.externalId === seed.otherSubnet.id)!;
    expect(onSubnet).toMatchObject({
      severity: "HIGH",
      status: "OPEN",
      cidr: `${f.n}.2.0.0/24`,
      allocationId: toGlobalId("Allocation", theirs.id),
    });
    expect(onSubnet.detail).toContain(`${f.n}.2.0.0/23`);
  });

  it("compares CIDRs in the scope its settings name, and honours its ignore rules", async () => {
    const ec2 = await awsEmulator();
    const f = await fixture("aws");
    const seed = seedAws(ec2, f.n);
    const store = s.app.services.store;
    const other = await createAccount(store, SYSTEM, { key: `aws:${800000000000 + f.n}`, name: `o-${f.n}` });
    await allocate(store, SYSTEM, { poolId: f.poolId, accountId: other.id, cidr: `${f.n}.2.0.0/23` });
    await createScope(store, SYSTEM, { name: `vrf-${f.n}` });
    await updateAccount(store, SYSTEM, f.accountId, {
      settings: { scope: `vrf-${f.n}`, ignoreCidrs: [], ignoreTag: "skip-me" },
    });
    ec2.getSubnet(seed.subnets[0]!.id)!.tags["skip-me"] = "yes";

    await sync(f);

    expect(await drift(f, { kind: "OVERLAP" })).toEqual([]);
    expect((await resource(f, seed.dflt.id)).cidrs[0]!.management).toBe("UNMANAGED");
    expect((await resource(f, seed.subnets[0]!.id)).cidrs.map((c) => c.management)).toEqual([
      "IGNORED",
      "IGNORED",
    ]);
    await updateAccount(store, SYSTEM, f.accountId, { settings: { scope: "no-such-scope" } });
    const bad = await s.gql(SYNC, { id: f.account });
    expect(bad.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(bad.errors?.[0]?.message).toContain("no-such-scope");
  });

  it("retries a throttled cloud and still converges", async () => {
    const ec2 = await awsEmulator();
    const f = await fixture("aws");
    seedAws(ec2, f.n);
    ec2.throttleNext(4);

    const result = await sync(f);

    expect(ec2.faults.log.filter((c) => c.error === "RequestLimitExceeded")).toHaveLength(4);
    expect(result.states.every((st) => st.status === "OK")).toBe(true);
    expect(result.resourcesSeen).toBe(12);
  });

  it("keeps the resources and drift of a region that cannot be read, and records its error", async () => {
    const ec2 = await awsEmulator();
    const f = await fixture("aws");
    const seed = seedAws(ec2, f.n);
    await sync(f);
    ec2.failNext({
      action: "DescribeVpcs",
      status: 403,
      code: "UnauthorizedOperation",
      message: "not allowed",
    });

    const result = await sync(f);

    const failed = result.states.filter((st) => st.status === "ERROR");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error).toContain("UnauthorizedOperation");
    expect(result.driftResolved).toBe(0);
    const live = await resources(f);
    expect(live).toHaveLength(12);
    expect(live.some((r) => r.externalId === seed.otherSubnet.id)).toBe(true);
  });

  it("streams drift.detected to a driftEvents subscriber with the typed drift item", async () => {
    const ec2 = await awsEmulator();
    const f = await fixture("aws");
    seedAws(ec2, f.n);
    const client = s.wsClient();
    const sub = collect<{ driftEvents: { type: string; drift: { accountId: string; kind: string } } }>(
      client,
      `subscription D($a: ID) { driftEvents(accountId: $a, after: "0") { type drift { accountId kind } } }`,
      1,
      { a: f.account },
    );

    await sync(f);

    const [first] = await sub.done;
    expect(first!.driftEvents.type).toBe("drift.detected");
    expect(first!.driftEvents.drift).toEqual({ accountId: f.account, kind: "UNMANAGED" });
  });

  it("lets an operator ignore drift, which later syncs leave alone", async () => {
    const ec2 = await awsEmulator();
    const f = await fixture("aws");
    seedAws(ec2, f.n);
    await sync(f);
    const item = (await drift(f, { status: "OPEN" }))[0]!;
    const operator = await s.tokenFor("OPERATOR");

    const r = await s.ok<{ ignoreDrift: { driftItem: { status: string } } }>(
      `mutation I($id: ID!) { ignoreDrift(input: { id: $id }) { driftItem { status } } }`,
      { id: item.id },
      operator,
    );
    const again = await sync(f);

    expect(r.ignoreDrift.driftItem.status).toBe("IGNORED");
    expect(again.driftDetected).toBe(0);
    expect((await drift(f)).find((d) => d.id === item.id)!.status).toBe("IGNORED");
  });

  it("joins a sync of the same account already running instead of reading the cloud twice", async () => {
    const ec2 = await awsEmulator();
    const f = await fixture("aws");
    seedAws(ec2, f.n);
    await sync(f);
    ec2.resetCalls();
    await sync(f);
    const once = ec2.faults.log.length;
    ec2.resetCalls();

    const [a, b] = await Promise.all([sync(f), sync(f)]);

    expect(ec2.faults.log.length).toBe(once);
    expect(a).toEqual(b);
  });

  it("refuses syncAccount to a VIEWER", async () => {
    const f = await fixture("aws");
    const viewer = await s.tokenFor("VIEWER");
    const r = await s.gql(SYNC, { id: f.account }, { token: viewer });
    expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

const PROVISION = `mutation P($input: ProvisionSubnetInput!) { provisionSubnet(input: $input) {
  allocationId created resource { externalId managedByCloudPam cidrs { cidr management } } } }`;
const DEPROVISION = `mutation D($input: DeprovisionSubnetInput!) { deprovisionSubnet(input: $input) { allocationId deletedResourceId } }`;

describe("AWS actuation", () => {
  it("refuses provisionSubnet on an OBSERVE account with FORBIDDEN and creates nothing", async () => {
    const ec2 = await awsEmulator();
    const f = await fixture("aws");
    const seed = seedAws(ec2, f.n);
    await sync(f);
    const a = await allocate(s.app.services.store, SYSTEM, {
      poolId: f.poolId,
      accountId: f.accountId,
      cidr: `${f.n}.1.100.0/24`,
    });

    const r = await s.gql(PROVISION, {
      input: { allocationId: toGlobalId("Allocation", a.id), vpcId: seed.vpc.id },
    });

    expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(r.errors?.[0]?.message).toMatch(/OBSERVE.*MANAGE/);
    expect(ec2.listSubnets({ vpcId: seed.vpc.id })).toHaveLength(7);
  });

  it("under MANAGE creates exactly one tagged subnet even when the create's answer is lost or the request repeated", async () => {
    const ec2 = await awsEmulator();
    const f = await fixture("aws");
    const seed = seedAws(ec2, f.n);
    await updateAccount(s.app.services.store, SYSTEM, f.accountId, { reconcilePolicy: "MANAGE" });
    await sync(f);
    const a = await allocate(s.app.services.store, SYSTEM, {
      poolId: f.poolId,
      accountId: f.accountId,
      cidr: `${f.n}.1.100.0/24`,
    });
    const input = {
      allocationId: toGlobalId("Allocation", a.id),
      vpcId: (await resource(f, seed.vpc.id)).id,
    };
    ec2.failNext({ action: "CreateSubnet", status: 500, code: "InternalError", afterApply: true });

    const first = await s.ok<{
      provisionSubnet: { created: boolean; resource: { externalId: string; managedByCloudPam: boolean } };
    }>(PROVISION, { input });
    const second = await s.ok<{ provisionSubnet: { created: boolean; resource: { externalId: string } } }>(
      PROVISION,
      {
        input,
      },
    );

    const tagged = ec2
      .listSubnets({ vpcId: seed.vpc.id })
      .filter((sn) => sn.tags["cloudpam:allocation-id"] === String(a.id));
    expect(tagged).toHaveLength(1);
    expect(tagged[0]!.tags["cloudpam:managed"]).toBe("true");
    expect(first.provisionSubnet).toMatchObject({
      created: true,
      resource: { externalId: tagged[0]!.id, managedByCloudPam: true },
    });
    expect(second.provisionSubnet).toMatchObject({ created: false, resource: { externalId: tagged[0]!.id } });
    const resync = await sync(f);
    expect(resync.driftDetected).toBe(0);
    expect((await resource(f, tagged[0]!.id)).cidrs[0]!.management).toBe("MANAGED");
  });

  it("deprovisions a subnet CloudPAM created, and never one without its tag", async () => {
    const ec2 = await awsEmulator();
    const f = await fixture("aws");
    const seed = seedAws(ec2, f.n);
    await updateAccount(s.app.services.store, SYSTEM, f.accountId, { reconcilePolicy: "MANAGE" });
    await sync(f);
    const a = await allocate(s.app.services.store, SYSTEM, {
      poolId: f.poolId,
      accountId: f.accountId,
      cidr: `${f.n}.1.101.0/24`,
    });
    const allocationId = toGlobalId("Allocation", a.id);
    const made = await s.ok<{ provisionSubnet: { resource: { externalId: string } } }>(PROVISION, {
      input: { allocationId, vpcId: seed.vpc.id },
    });
    const adopted = await s.ok<{ adoptResource: { allocationId: string } }>(ADOPT, {
      input: { resourceId: (await resource(f, seed.subnets[6]!.id)).id, poolId: f.pool },
    });

    const unconfirmed = await s.gql(DEPROVISION, { input: { allocationId, confirm: false } });
    const refused = await s.gql(DEPROVISION, {
      input: { allocationId: adopted.adoptResource.allocationId, confirm: true },
    });
    const deleted = await s.ok<{ deprovisionSubnet: { deletedResourceId: string } }>(DEPROVISION, {
      input: { allocationId, confirm: true },
    });

    expect(unconfirmed.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(refused.errors?.[0]?.message).toContain("ownership tag");
    expect(ec2.getSubnet(seed.subnets[6]!.id)).toBeDefined();
    expect(deleted.deprovisionSubnet.deletedResourceId).toBe(made.provisionSubnet.resource.externalId);
    expect(ec2.getSubnet(made.provisionSubnet.resource.externalId)).toBeUndefined();
    expect(ec2.calls.DeleteSubnet).toBe(1);
  });
});

describe("AWS actuation under a scope's approval policy (#18)", () => {
  const CR = `changeRequest { id operation status decidedBy }`;
  const PROVISION_GATED = `mutation P($input: ProvisionSubnetInput!) { provisionSubnet(input: $input) {
    allocationId created resource { externalId } ${CR} } }`;
  const DEPROVISION_GATED = `mutation D($input: DeprovisionSubnetInput!) { deprovisionSubnet(input: $input) {
    allocationId deletedResourceId ${CR} } }`;
  const APPROVE = `mutation A($id: ID!) { approveChange(input: { id: $id }) { changeRequest {
    status decidedBy target { ... on Allocation { id } } } } }`;
  type Gated = { changeRequest: { id: string; operation: string; status: string } | null };

  it("creates and deletes the subnet only once another principal approves, each step an event", async () => {
    const ec2 = await awsEmulator();
    const f = await fixture("aws");
    const seed = seedAws(ec2, f.n);
    await updateAccount(s.app.services.store, SYSTEM, f.accountId, { reconcilePolicy: "MANAGE" });
    await sync(f);
    const store = s.app.services.store;
    const scope = await createScope(store, SYSTEM, {
      name: `guarded-${f.n}`,
      approvals: { actuation: true },
    });
    const pool = await createPool(store, SYSTEM, {
      cidr: `${f.n}.0.0.0/8`,
      name: `guarded-pool-${f.n}`,
      status: "ACTIVE",
      scopeId: scope.id,
    });
    const a = await allocate(store, SYSTEM, {
      poolId: pool.id,
      accountId: f.accountId,
      cidr: `${f.n}.1.102.0/24`,
    });
    const allocationId = toGlobalId("Allocation", a.id);
    const approver = await s.tokenFor("OPERATOR", `cloud-approver-${f.n}`);

    const asked = await s.ok<{ provisionSubnet: Gated & { resource: unknown } }>(PROVISION_GATED, {
      input: { allocationId, vpcId: seed.vpc.id },
    });
    const cr = asked.provisionSubnet.changeRequest!;
    expect(asked.provisionSubnet).toMatchObject({ allocationId: null, created: null, resource: null });
    expect(cr).toMatchObject({ operation: "PROVISION_SUBNET", status: "PENDING" });
    expect(ec2.calls.CreateSubnet ?? 0).toBe(0);
    const self = await s.gql(APPROVE, { id: cr.id });
    expect(self.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const approved = await s.ok<{ approveChange: { changeRequest: { status: string; decidedBy: string } } }>(
      APPROVE,
      { id: cr.id },
      approver,
    );

    expect(approved.approveChange.changeRequest).toMatchObject({
      status: "APPROVED",
      decidedBy: expect.stringContaining("cloud-approver"),
    });
    const tagged = ec2
      .listSubnets({ vpcId: seed.vpc.id })
      .filter((sn) => sn.tags["cloudpam:allocation-id"] === String(a.id));
    expect(tagged).toHaveLength(1);
    expect(ec2.calls.CreateSubnet).toBe(1);

    const gone = await s.ok<{ deprovisionSubnet: Gated }>(DEPROVISION_GATED, {
      input: { allocationId, confirm: true },
    });
    const unconfirmed = await s.gql(DEPROVISION_GATED, { input: { allocationId, confirm: false } });
    expect(unconfirmed.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(ec2.getSubnet(tagged[0]!.id)).toBeDefined();
    await s.ok(APPROVE, { id: gone.deprovisionSubnet.changeRequest!.id }, approver);
    expect(ec2.getSubnet(tagged[0]!.id)).toBeUndefined();

    const events = await s.ok<{ events: { edges: { node: { type: string; subjectId: string } }[] } }>(
      `{ events(filter: { types: ["change.*"] }, last: 50) { edges { node { type subjectId } } } }`,
    );
    const mine = events.events.edges
      .map((e) => e.node)
      .filter((e) => [cr.id, gone.deprovisionSubnet.changeRequest!.id].includes(e.subjectId))
      .map((e) => e.type);
    expect(mine).toEqual(["change.requested", "change.approved", "change.requested", "change.approved"]);
  });
});

describe("GCP discovery, drift and actuation", () => {
  function seedGcp(gce: ComputeEmulator, n: number) {
    gce.addNetwork({ name: "main", internalIpv6Range: "fd20:100:200::/48" });
    for (let i = 0; i < 6; i++)
      gce.addSubnetwork({
        region: i % 2 ? "europe-west1" : "us-east1",
        network: "main",
        name: `sub-${i}`,
        cidr: `${n}.200.${i}.0/24`,
        ...(i === 0
          ? {
              secondaryRanges: [{ name: "pods", cidr: `${n}.201.0.0/20` }],
              ipv6: { cidr: "fd20:100:200:1::/64" },
            }
          : {}),
      });
  }

  it("discovers networks and subnetworks with secondary and IPv6 ranges, adopts one and notices its deletion", async () => {
    const f = await fixture("gcp");
    const project = f.project;
    const gce = await gcpEmulator(project);
    seedGcp(gce, f.n);
    gce.throttleNext(2, "subnetworks.aggregatedList");

    const first = await sync(f);

    expect(first.states).toEqual([expect.objectContaining({ region: "global", status: "OK" })]);
    expect(gce.faults.log.filter((c) => c.status === 403)).toHaveLength(2); // throttled, then retried
    expect(first.resourcesSeen).toBe(7);
    const sub0 = await resource(f, `projects/${project}/regions/us-east1/subnetworks/sub-0`);
    expect(sub0.cidrs.map((c) => [c.role, c.cidr]).sort()).toEqual([
      ["ipv6", "fd20:100:200:1::/64"],
      ["primary", `${f.n}.200.0.0/24`],
      ["secondary-range", `${f.n}.201.0.0/20`],
    ]);
    expect((await drift(f, { kind: "UNMANAGED" })).length).toBe(1 + 6 + 2);

    const adopted = await s.ok<{ adoptResource: { resolvedDrift: unknown[] } }>(ADOPT, {
      input: { resourceId: sub0.id, poolId: f.pool },
    });
    expect(adopted.adoptResource.resolvedDrift).toHaveLength(1);
    gce.deleteSubnetwork("us-east1", "sub-0", project);
    const second = await sync(f);

    expect(second.driftDetected).toBe(1);
    expect(await drift(f, { kind: "MISSING_IN_CLOUD", status: "OPEN" })).toHaveLength(1);
  });

  it("provisions a subnetwork once under MANAGE (a repeated insert is de-duplicated) and deletes only its own", async () => {
    const f = await fixture("gcp");
    const project = f.project;
    const gce = await gcpEmulator(project);
    seedGcp(gce, f.n);
    await updateAccount(s.app.services.store, SYSTEM, f.accountId, { reconcilePolicy: "MANAGE" });
    await sync(f);
    const a = await allocate(s.app.services.store, SYSTEM, {
      poolId: f.poolId,
      accountId: f.accountId,
      cidr: `${f.n}.7.0.0/24`,
    });
    const allocationId = toGlobalId("Allocation", a.id);
    const input = { allocationId, vpcId: `projects/${project}/global/networks/main`, region: "us-east1" };
    gce.failNext({ action: "subnetworks.insert", status: 503, code: "backendError", afterApply: true });

    const made = await s.ok<{ provisionSubnet: { created: boolean; resource: { externalId: string } } }>(
      PROVISION,
      { input },
    );
    const again = await s.ok<{ provisionSubnet: { created: boolean } }>(PROVISION, { input });

    expect(made.provisionSubnet.created).toBe(true);
    expect(again.provisionSubnet.created).toBe(false);
    expect(
      gce.listSubnetworks({ network: "main" }).filter((sn) => sn.ipCidrRange === `${f.n}.7.0.0/24`),
    ).toHaveLength(1);
    const unmanaged = await s.ok<{ adoptResource: { allocationId: string } }>(ADOPT, {
      input: {
        resourceId: (await resource(f, `projects/${project}/regions/europe-west1/subnetworks/sub-1`)).id,
        poolId: f.pool,
      },
    });
    const refused = await s.gql(DEPROVISION, {
      input: { allocationId: unmanaged.adoptResource.allocationId, confirm: true },
    });
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(gce.getSubnetwork("europe-west1", "sub-1", project)).toBeDefined();
    await s.ok(DEPROVISION, { input: { allocationId, confirm: true } });
    expect(gce.listSubnetworks({ network: "main" }).some((sn) => sn.ipCidrRange === `${f.n}.7.0.0/24`)).toBe(
      false,
    );
  });
});
