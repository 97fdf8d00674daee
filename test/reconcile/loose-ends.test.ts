/**
 * Loose ends of the cloud work (issue #18): assume-role against a loopback STS, and regions removed from an
 * account's settings. The real server and SDK clients against the loopback EC2 and STS emulators.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { FAST_RETRY } from "../helpers/cloud.js";
import { EC2_TEST_CREDENTIALS, startEc2Emulator, type Ec2Emulator } from "../emulators/ec2-emulator.js";
import { startStsEmulator, type StsEmulator } from "../emulators/sts-emulator.js";
import { createAccount, updateAccount } from "../../src/domain/accounts.js";
import { SYSTEM_ACTOR } from "../../src/domain/roles.js";
import { toGlobalId } from "../../src/schema/node.js";

const SYSTEM = { actor: SYSTEM_ACTOR };
let s: TestServer;
let ec2: Ec2Emulator;
let sts: StsEmulator;

beforeAll(async () => {
  s = await startTestServer();
});
afterEach(async () => {
  await ec2?.close();
  await sts?.close();
});
afterAll(async () => {
  await s.close();
});

async function emulators(): Promise<void> {
  ec2 = await startEc2Emulator();
  sts = await startStsEmulator({ requireExternalId: "cloudpam-ext-7" });
  s.app.services.reconcile.providerOverrides = {
    aws: { endpoint: ec2.url, credentials: EC2_TEST_CREDENTIALS, stsEndpoint: sts.url, retry: FAST_RETRY },
  };
}

const SYNC = `mutation S($id: ID!) { syncAccount(input: { accountId: $id }) {
  driftDetected driftResolved states { region status error } } }`;
interface SyncPayload {
  driftDetected: number;
  driftResolved: number;
  states: { region: string; status: string; error: string | null }[];
}
const sync = async (id: string) => (await s.ok<{ syncAccount: SyncPayload }>(SYNC, { id })).syncAccount;

describe("assume-role (roleArn + externalId) against STS on loopback", () => {
  it("signs the EC2 calls with the temporary credentials STS issued for the role", async () => {
    await emulators();
    ec2.addVpc({ region: "us-east-1", cidr: "10.160.0.0/16" });
    const a = await createAccount(s.app.services.store, SYSTEM, {
      key: "aws:316000000001",
      name: "assumed",
      regions: ["us-east-1"],
      settings: { roleArn: "arn:aws:iam::316000000001:role/cloudpam-reader", externalId: "cloudpam-ext-7" },
    });

    const r = await sync(toGlobalId("Account", a.id));

    expect(r.states).toEqual([{ region: "us-east-1", status: "OK", error: null }]);
    expect(sts.assumed).toEqual([
      {
        roleArn: "arn:aws:iam::316000000001:role/cloudpam-reader",
        sessionName: "cloudpam",
        externalId: "cloudpam-ext-7",
        callerKeyId: EC2_TEST_CREDENTIALS.accessKeyId,
      },
    ]);
    expect(sts.issued).toHaveLength(1);
    // EC2 saw only the role's temporary key, never the source credentials.
    expect([...ec2.accessKeyIds]).toEqual([sts.issued[0]!.accessKeyId]);
    expect(sts.issued[0]!.accessKeyId).toMatch(/^ASIA/);
  });

  it("a wrong external id is refused by STS and the region's sync state says so", async () => {
    await emulators();
    ec2.addVpc({ region: "us-east-1", cidr: "10.161.0.0/16" });
    const a = await createAccount(s.app.services.store, SYSTEM, {
      key: "aws:316000000002",
      name: "wrong-external-id",
      regions: ["us-east-1"],
      settings: { roleArn: "arn:aws:iam::316000000002:role/cloudpam-reader", externalId: "not-the-one" },
    });

    const r = await sync(toGlobalId("Account", a.id));

    expect(r.states).toEqual([
      { region: "us-east-1", status: "ERROR", error: expect.stringContaining("AccessDenied") },
    ]);
    expect(ec2.calls.DescribeVpcs ?? 0).toBe(0);
    expect(sts.assumed.map((x) => x.externalId)).toContain("not-the-one");
  });
});

describe("a region removed from the account's settings", () => {
  it("marks its resources deleted and resolves its drift at the next sync; the other region is untouched", async () => {
    await emulators();
    s.app.services.reconcile.providerOverrides = {
      aws: { endpoint: ec2.url, credentials: EC2_TEST_CREDENTIALS, retry: FAST_RETRY },
    };
    const east = ec2.addVpc({ region: "us-east-1", cidr: "10.170.0.0/16" });
    const west = ec2.addVpc({ region: "eu-west-1", cidr: "10.171.0.0/16" });
    ec2.addSubnet({ vpcId: west.id, cidr: "10.171.1.0/24" });
    const a = await createAccount(s.app.services.store, SYSTEM, {
      key: "aws:317000000001",
      name: "two-regions",
      regions: ["us-east-1", "eu-west-1"],
    });
    const id = toGlobalId("Account", a.id);
    expect((await sync(id)).driftDetected).toBe(3);

    await updateAccount(s.app.services.store, SYSTEM, a.id, { regions: ["us-east-1"] });
    const second = await sync(id);

    expect(second.driftResolved).toBe(2);
    expect(second.states.map((x) => x.region)).toEqual(["us-east-1"]);
    const view = await s.ok<{
      cloudResources: { edges: { node: { externalId: string; region: string; deletedAt: string | null } }[] };
      driftItems: { edges: { node: { cidr: string; status: string } }[] };
      syncState: { region: string }[];
    }>(
      `query V($f: CloudResourceFilter, $d: DriftFilter, $id: ID!) {
        cloudResources(filter: $f, first: 20) { edges { node { externalId region deletedAt } } }
        driftItems(filter: $d, first: 20) { edges { node { cidr status } } }
        syncState(accountId: $id) { region } }`,
      { f: { accountId: id, includeDeleted: true }, d: { accountId: id }, id },
    );
    const byRegion = (r: string) =>
      view.cloudResources.edges.map((e) => e.node).filter((n) => n.region === r);
    expect(byRegion("eu-west-1")).toHaveLength(2);
    expect(byRegion("eu-west-1").every((n) => n.deletedAt !== null)).toBe(true);
    expect(byRegion("us-east-1")).toEqual([{ externalId: east.id, region: "us-east-1", deletedAt: null }]);
    expect(view.driftItems.edges.map((e) => e.node).sort((x, y) => x.cidr.localeCompare(y.cidr))).toEqual([
      { cidr: "10.170.0.0/16", status: "OPEN" },
      { cidr: "10.171.0.0/16", status: "RESOLVED" },
      { cidr: "10.171.1.0/24", status: "RESOLVED" },
    ]);
    expect(view.syncState).toEqual([{ region: "us-east-1" }]);

    // A third sync has nothing left to do for the removed region.
    const third = await sync(id);
    expect([third.driftDetected, third.driftResolved]).toEqual([0, 0]);
  });
});
