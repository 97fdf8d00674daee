/**
 * src/db/cloud.ts in await style, and cloud-sync's recording on top of it (recordObservation, applyVerdicts,
 * sync state, provisioned subnets), answer the same on SQLite and PostgreSQL: a first sync inserts resources
 * and CIDRs, a second touches the unchanged, rewrites the changed and marks the vanished deleted (only in
 * regions that were read); resource pages and filters, CIDRs per resource, sync-state upserts, the accounts
 * reconciliation reaches, allocations bound to resources.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresAvailability } from "../helpers/postgres.js";
import { bothBackends, type BothBackends } from "../helpers/both-backends.js";
import type { Db } from "../../src/db/store.js";
import { resolvePage } from "../../src/db/pagination.js";
import { insertAccount } from "../../src/db/accounts.js";
import { defaultScope } from "../../src/db/scopes.js";
import { rangeColumns } from "../../src/db/prefixes.js";
import { prefixes } from "../../src/db/schema.js";
import {
  allocationsBoundTo,
  boundAllocationsOfAccount,
  cidrsByResourceIds,
  cloudAccountIds,
  cloudResourcesPage,
  countCloudResources,
  resourceByExternalId,
  resourcesByIds,
  syncStatesOf,
  type CloudResourceFilter,
} from "../../src/db/cloud.js";
import {
  applyVerdicts,
  markResourceGone,
  markSyncStarted,
  recordObservation,
  recordProvisionedSubnet,
  requireResource,
  writeSyncState,
  type UnitObservation,
} from "../../src/domain/cloud-sync.js";
import { parsePrefix } from "../../src/allocator/index.js";
import type { CloudSubnet, CloudVpc } from "../../src/providers/types.js";

const availability = postgresAvailability();
const T = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

const vpc = (id: string, region: string, cidr: string, tags: Record<string, string> = {}): CloudVpc => ({
  provider: "aws",
  id,
  region,
  name: id,
  cidrs: [{ cidr, family: 4, role: "primary" }],
  tags,
  state: "available",
});
const subnet = (id: string, vpcId: string, region: string, cidr: string): CloudSubnet => ({
  provider: "aws",
  id,
  vpcId,
  region,
  zone: `${region}a`,
  cidrs: [{ cidr, family: 4, role: "primary" }],
  tags: {},
  state: "available",
  managedByCloudPam: false,
});
const unitOf = (r: string | null) => r ?? "unknown";

async function exercise(db: Db) {
  const acct = await insertAccount(db, { key: "aws:000000000001", provider: "AWS", name: "a" });
  await insertAccount(db, { key: "onprem:dc-east", provider: "ONPREM", name: "dc" });
  const gcp = await insertAccount(db, { key: "gcp:analytics-42", provider: "GCP", name: "g" });
  const first: UnitObservation[] = [
    {
      unit: "us-east-1",
      ok: true,
      vpcs: [vpc("vpc-1", "us-east-1", "10.0.0.0/16"), vpc("vpc-2", "us-east-1", "10.1.0.0/16")],
      subnets: [
        subnet("subnet-1", "vpc-1", "us-east-1", "10.0.1.0/24"),
        subnet("subnet-2", "vpc-1", "us-east-1", "10.0.2.0/24"),
      ],
    },
    { unit: "eu-west-1", ok: true, vpcs: [vpc("vpc-3", "eu-west-1", "10.2.0.0/16")], subnets: [] },
  ];
  await markSyncStarted(db, acct.id, ["us-east-1", "eu-west-1"], T(1));
  const r1 = await recordObservation(db, acct.id, first, unitOf, T(1));
  const verdicts = r1.live.flatMap((r) =>
    r.cidrs.map((c) => ({
      cidrRowId: c.rowId,
      management: c.cidr.endsWith("/24") ? "MANAGED" : "UNMANAGED",
      allocationId: null,
    })),
  );
  const changedVerdicts = [await applyVerdicts(db, r1.management, verdicts)];
  for (const region of ["us-east-1", "eu-west-1"])
    await writeSyncState(db, {
      accountId: acct.id,
      region,
      status: "OK",
      startedAt: T(1),
      finishedAt: T(2),
      counts: { vpcs: 1 },
      error: null,
    });
  // Second sync: eu-west-1 fails (vpc-3 keeps its row), vpc-2 is gone, vpc-1 changes tags, subnet-2 changes CIDR.
  const second: UnitObservation[] = [
    {
      unit: "us-east-1",
      ok: true,
      vpcs: [vpc("vpc-1", "us-east-1", "10.0.0.0/16", { team: "net" })],
      subnets: [
        subnet("subnet-1", "vpc-1", "us-east-1", "10.0.1.0/24"),
        subnet("subnet-2", "vpc-1", "us-east-1", "10.0.3.0/24"),
      ],
    },
    { unit: "eu-west-1", ok: false, vpcs: [], subnets: [] },
  ];
  await markSyncStarted(db, acct.id, ["us-east-1", "eu-west-1"], T(10));
  const r2 = await recordObservation(db, acct.id, second, unitOf, T(10));
  changedVerdicts.push(
    await applyVerdicts(
      db,
      r2.management,
      r2.live.flatMap((r) =>
        r.cidrs.map((c) => ({ cidrRowId: c.rowId, management: "MANAGED", allocationId: null })),
      ),
    ),
  );
  // An allocation bound to subnet-1, and a provisioned subnet recorded with it.
  const scope = await defaultScope(db);
  const [pool] = await db
    .insert(prefixes)
    .values({ kind: "pool", scopeId: scope.id, status: "ACTIVE", ...rangeColumns(parsePrefix("10.0.0.0/8")) })
    .returning();
  const [alloc] = await db
    .insert(prefixes)
    .values({
      kind: "allocation",
      scopeId: scope.id,
      parentId: pool!.id,
      status: "ALLOCATED",
      accountId: acct.id,
      resourceProvider: "AWS",
      resourceId: "subnet-9",
      resourceType: "SUBNET",
      ...rangeColumns(parsePrefix("10.0.9.0/24")),
    })
    .returning();
  const provisioned = await recordProvisionedSubnet(
    db,
    acct.id,
    subnet("subnet-9", "vpc-1", "us-east-1", "10.0.9.0/24"),
    alloc!,
    T(20),
  );
  const names = (rows: { externalId: string }[]) => rows.map((r) => r.externalId);
  const page = async (filter: CloudResourceFilter) => {
    const p = await cloudResourcesPage(db, filter, resolvePage({ first: 2 }, 100));
    const rest = await cloudResourcesPage(
      db,
      filter,
      resolvePage({ first: 100, after: p.cursors.at(-1) ?? null }, 100),
    );
    return { first: names(p.items), rest: names(rest.items), count: await countCloudResources(db, filter) };
  };
  const vpc3 = (await resourceByExternalId(db, acct.id, "vpc-3"))!;
  const vpc2 = (await resourceByExternalId(db, acct.id, "vpc-2"))!;
  const vpc1 = (await resourceByExternalId(db, acct.id, "vpc-1"))!;
  const s2 = (await resourceByExternalId(db, acct.id, "subnet-2"))!;
  const out = {
    counts: [r1.counts, r2.counts],
    gone: [...r2.gone.keys()],
    live2: r2.live.map((r) => `${r.externalId}:${r.cidrs.map((c) => c.cidr).join(",")}`),
    changedVerdicts,
    vpc1: { tags: vpc1.tags, lastSeen: vpc1.lastSeenAt, firstSeen: vpc1.firstSeenAt },
    vpc2: vpc2.deletedAt,
    vpc3: { deletedAt: vpc3.deletedAt, lastSeen: vpc3.lastSeenAt },
    s2cidrs: (await cidrsByResourceIds(db, [s2.id])).map((c) => `${c.cidr}:${c.management}`),
    provisioned: (await cidrsByResourceIds(db, [provisioned.id])).map(
      (c) => `${c.cidr}:${c.management}:${c.allocationId === alloc!.id}`,
    ),
    all: await page({ accountId: acct.id }),
    withDeleted: await page({ accountId: acct.id, includeDeleted: true }),
    subnets: await page({ resourceType: "SUBNET" }),
    inVpc1: await page({ vpcExternalId: "vpc-1", region: "us-east-1" }),
    byIds: names(await resourcesByIds(db, [vpc1.id, vpc3.id])).sort(),
    required: (await requireResource(db, acct.id, { externalId: "vpc-1" }, "vpcId")).externalId,
    requireGone: await requireResource(db, acct.id, { externalId: "vpc-2" }, "vpcId").then(
      () => "found",
      (e: Error) => e.constructor.name,
    ),
    states: (await syncStatesOf(db, acct.id)).map(
      (s) => `${s.region}:${s.status}:${s.startedAt}:${s.counts}`,
    ),
    cloudAccounts: (await cloudAccountIds(db)).map((id) =>
      id === acct.id ? "aws" : id === gcp.id ? "gcp" : "?",
    ),
    bound: (await boundAllocationsOfAccount(db, acct.id, "aws")).map((r) => r.cidr),
    boundOther: (await boundAllocationsOfAccount(db, acct.id, "gcp")).length,
    boundTo: (await allocationsBoundTo(db, "subnet-9")).map((r) => r.cidr),
  };
  await markResourceGone(db, acct.id, "subnet-9", T(30));
  return { ...out, afterGone: (await resourceByExternalId(db, acct.id, "subnet-9"))!.deletedAt };
}

describe.skipIf(!availability.available)("cloud rows on both backends", () => {
  let both: BothBackends;
  beforeAll(async () => {
    both = await bothBackends(availability.bin!);
  }, 60_000);
  afterAll(async () => {
    await both?.stop();
  });

  it("answer the same on SQLite and PostgreSQL", async () => {
    const { sqlite, pg } = await both.run(exercise);
    expect(sqlite).toMatchObject({
      counts: [
        { inserted: 5, changed: 0, deleted: 0 },
        { inserted: 0, changed: 1, deleted: 1 },
      ],
      gone: ["vpc-2"],
      live2: ["vpc-1:10.0.0.0/16", "subnet-1:10.0.1.0/24", "subnet-2:10.0.3.0/24"],
      changedVerdicts: [5, 2],
      vpc1: { tags: '{"team":"net"}', lastSeen: T(10), firstSeen: T(1) },
      vpc2: T(10),
      vpc3: { deletedAt: null, lastSeen: T(1) },
      s2cidrs: ["10.0.3.0/24:MANAGED"],
      provisioned: ["10.0.9.0/24:MANAGED:true"],
      // id order: insertion order of the first sync (per unit: VPCs, then subnets)
      all: { first: ["vpc-1", "subnet-1"], rest: ["subnet-2", "vpc-3", "subnet-9"], count: 5 },
      withDeleted: { count: 6 },
      subnets: { count: 3 },
      inVpc1: { first: ["subnet-1", "subnet-2"], rest: ["subnet-9"], count: 3 },
      byIds: ["vpc-1", "vpc-3"],
      required: "vpc-1",
      requireGone: "NotFound",
      states: ["eu-west-1:RUNNING:" + T(10) + ':{"vpcs":1}', "us-east-1:RUNNING:" + T(10) + ':{"vpcs":1}'],
      cloudAccounts: ["aws", "gcp"],
      bound: ["10.0.9.0/24"],
      boundOther: 0,
      boundTo: ["10.0.9.0/24"],
      afterGone: T(30),
    });
    expect(pg).toEqual(sqlite);
  });
});
