/**
 * AWS change notifications end to end: the real server, the real EC2 and SQS SDK clients, loopback EC2 and
 * SQS emulators. The poll runs once an hour here, so every drift event seen came from a notification.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { useEmulators } from "../helpers/cloud.js";
import { subscribe } from "../events/stream.js";
import { startEc2Emulator, type Ec2Emulator } from "../emulators/ec2-emulator.js";
import { startSqsEmulator, type SqsEmulator } from "../emulators/sqs-emulator.js";
import { createAccount } from "../../src/domain/accounts.js";
import { SYSTEM_ACTOR } from "../../src/domain/roles.js";
import { toGlobalId } from "../../src/schema/node.js";

const SYSTEM = { actor: SYSTEM_ACTOR };
let s: TestServer;
let ec2: Ec2Emulator;
let sqs: SqsEmulator;
let seq = 0;

beforeAll(async () => {
  ec2 = await startEc2Emulator();
  sqs = await startSqsEmulator();
  s = await startTestServer({ RECONCILE_INTERVAL_SECONDS: "3600" });
  useEmulators(s, { ec2 });
  s.app.services.reconcile.providerOverrides.sqs = { endpoint: sqs.url };
});

afterAll(async () => {
  await s?.close();
  await sqs?.close();
  await ec2?.close();
});

/** An EventBridge event of a CloudTrail EC2 call, as the rule delivers it to SQS. */
export function trailEvent(
  eventName: string,
  account: string,
  region: string,
  requestParameters: Record<string, unknown>,
  responseElements: Record<string, unknown> | null = null,
): string {
  return JSON.stringify({
    version: "0",
    id: randomUUID(),
    "detail-type": "AWS API Call via CloudTrail",
    source: "aws.ec2",
    account,
    time: new Date().toISOString(),
    region,
    resources: [],
    detail: {
      eventVersion: "1.10",
      eventSource: "ec2.amazonaws.com",
      eventName,
      awsRegion: region,
      eventType: "AwsApiCall",
      eventID: randomUUID(),
      requestParameters,
      responseElements,
    },
  });
}

const createSubnetEvent = (account: string, region: string, vpcId: string, subnetId: string, cidr: string) =>
  trailEvent(
    "CreateSubnet",
    account,
    region,
    { vpcId, cidrBlock: cidr },
    { subnet: { subnetId, vpcId, cidrBlock: cidr } },
  );

interface Fixture {
  accountId: number;
  gid: string;
  awsId: string;
  queueUrl: string;
  dlqUrl: string;
  vpcId: string;
  n: number;
}

async function fixture(
  opts: { settings?: Record<string, unknown>; queue?: Record<string, string>; dlq?: boolean } = {},
): Promise<Fixture> {
  const n = 80 + ++seq;
  const awsId = String(300000000000 + n);
  const queueUrl = sqs.createQueue(`cloudpam-${n}`, opts.queue);
  const dlqUrl = sqs.createQueue(`cloudpam-${n}-dlq`);
  const settings = { ...opts.settings, ...(opts.dlq ? { deadLetterQueueUrl: dlqUrl } : {}) };
  const vpc = ec2.addVpc({ region: "us-east-1", cidr: `10.${n}.0.0/16` });
  const account = await createAccount(s.app.services.store, SYSTEM, {
    key: `aws:${awsId}`,
    name: `notified-${n}`,
    regions: ["us-east-1"],
    settings: { notificationQueueUrl: queueUrl, ...settings },
  });
  await s.app.services.reconcile.notifications!.rescan();
  return {
    accountId: account.id,
    gid: toGlobalId("Account", account.id),
    awsId,
    queueUrl,
    dlqUrl,
    vpcId: vpc.id,
    n,
  };
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface DriftNode {
  kind: string;
  status: string;
  cidr: string | null;
}

async function drift(f: Fixture): Promise<DriftNode[]> {
  const r = await s.ok<{ driftItems: { edges: { node: DriftNode }[] } }>(
    `query D($f: DriftFilter) { driftItems(filter: $f, first: 100) { edges { node { kind status cidr } } } }`,
    { f: { accountId: f.gid } },
  );
  return r.driftItems.edges.map((e) => e.node);
}

const DRIFT_FIELDS = "type drift { cidr status }";

describe("AWS change notifications (SQS)", () => {
  it("a subnet created in the cloud and its notification raise a drift event on the subscription", async () => {
    const f = await fixture();
    const stream = subscribe(s.wsClient(), "driftEvents", { accountId: f.gid, after: "0" }, DRIFT_FIELDS);
    const cidr = `10.${f.n}.1.0/24`;
    const t0 = performance.now();
    const subnet = ec2.addSubnet({ vpcId: f.vpcId, cidr });
    sqs.send(f.queueUrl, createSubnetEvent(f.awsId, "us-east-1", f.vpcId, subnet.id, cidr));

    const ev = await until("the subnet's drift event", () =>
      stream.events.find((e) => (e as unknown as { drift: { cidr: string } }).drift.cidr === cidr),
    );
    const ms = performance.now() - t0;
    stream.stop();
    console.log(`notification -> drift event: ${ms.toFixed(0)} ms`);

    expect(ev.type).toBe("drift.detected");
    // The re-read was targeted: the VPC was read by filter, and the message is gone from the queue.
    expect(s.logs.some((l) => l.includes("targeted cloud re-read finished"))).toBe(true);
    expect(s.logs.some((l) => l.includes('"msg":"cloud sync finished"'))).toBe(false);
    await until("the message deleted", () => sqs.messages(f.queueUrl).length === 0);
    expect((await drift(f)).map((d) => d.cidr).sort()).toEqual([`10.${f.n}.0.0/16`, cidr]);
  });

  it("duplicated and reordered notifications leave one drift item, and the payload is not trusted", async () => {
    const f = await fixture();
    const y = ec2.addSubnet({ vpcId: f.vpcId, cidr: `10.${f.n}.2.0/24` });
    const x = ec2.addSubnet({ vpcId: f.vpcId, cidr: `10.${f.n}.3.0/24` });
    ec2.deleteSubnet(x.id); // x came and went before any notification was read
    const ev = (id: string, cidr: string) => createSubnetEvent(f.awsId, "us-east-1", f.vpcId, id, cidr);
    sqs.send(f.queueUrl, trailEvent("DeleteSubnet", f.awsId, "us-east-1", { subnetId: x.id }));
    sqs.send(f.queueUrl, ev(y.id, y.cidrBlock));
    sqs.send(f.queueUrl, ev(y.id, y.cidrBlock));
    sqs.send(f.queueUrl, ev(x.id, x.cidrBlock)); // late: x no longer exists

    await until("all four processed", () => sqs.messages(f.queueUrl).length === 0);
    await until("the re-reads done", () => s.app.services.reconcile.chains.size === 0);

    const items = await drift(f);
    expect(items.filter((d) => d.cidr === y.cidrBlock)).toEqual([
      { kind: "UNMANAGED", status: "OPEN", cidr: y.cidrBlock },
    ]);
    expect(items.filter((d) => d.cidr === x.cidrBlock)).toEqual([]);
    const events = await s.ok<{ events: { edges: { node: { type: string; after: { cidr?: string } } }[] } }>(
      `{ events(first: 500, filter: { types: ["drift.detected"] }) { edges { node { type after } } } }`,
    );
    expect(events.events.edges.filter((e) => e.node.after.cidr === y.cidrBlock)).toHaveLength(1);
  });

  it("dead-letters a poison message after maxReceiveCount deliveries and goes on with the next one", async () => {
    const f = await fixture({
      settings: { maxReceiveCount: 3 },
      queue: { VisibilityTimeout: "0" },
      dlq: true,
    });
    sqs.send(f.queueUrl, "this is {not an event");
    // Moved = sent to the dead-letter queue, then deleted from the queue.
    const dead = await until("the poison message dead-lettered", () =>
      sqs.messages(f.queueUrl).length === 0 ? sqs.messages(f.dlqUrl)[0] : undefined,
    );
    expect(dead.body).toBe("this is {not an event");
    expect(sqs.messages(f.queueUrl)).toEqual([]);
    expect(
      s.logs.filter(
        (l) =>
          l.includes("change notification failed; it will come again") &&
          l.includes(`"accountId":${f.accountId}`),
      ),
    ).toHaveLength(2);

    const cidr = `10.${f.n}.4.0/24`;
    const subnet = ec2.addSubnet({ vpcId: f.vpcId, cidr });
    sqs.send(f.queueUrl, createSubnetEvent(f.awsId, "us-east-1", f.vpcId, subnet.id, cidr));
    await until("the next message processed", async () => (await drift(f)).some((d) => d.cidr === cidr));
    expect(sqs.messages(f.dlqUrl)).toHaveLength(1);
  });

  it("drops events about other accounts and other calls without re-reading", async () => {
    const f = await fixture();
    const before = ec2.calls.DescribeVpcs ?? 0;
    sqs.send(
      f.queueUrl,
      createSubnetEvent("999999999999", "us-east-1", f.vpcId, "subnet-0abc", "10.0.0.0/24"),
    );
    sqs.send(f.queueUrl, trailEvent("RunInstances", f.awsId, "us-east-1", { subnetId: "subnet-0abc" }));
    sqs.send(f.queueUrl, trailEvent("CreateSubnet", f.awsId, "eu-west-3", { vpcId: "vpc-0abc" }));
    await until("the three dropped", () => sqs.messages(f.queueUrl).length === 0);
    await until("the re-reads done", () => s.app.services.reconcile.chains.size === 0);
    expect(ec2.calls.DescribeVpcs ?? 0).toBe(before);
    expect(await drift(f)).toEqual([]);
  });
});

describe("AWS change notifications: queue unreachable", () => {
  let p: TestServer;
  afterAll(async () => {
    await p?.close();
  });

  it("polling still finds the change", async () => {
    // A port nobody listens on.
    const dead = await new Promise<number>((resolve) => {
      const srv = createServer();
      srv.listen(0, "127.0.0.1", () => {
        const port = (srv.address() as { port: number }).port;
        srv.close(() => resolve(port));
      });
    });
    p = await startTestServer({ RECONCILE_INTERVAL_SECONDS: "1" });
    useEmulators(p, { ec2 });
    p.app.services.reconcile.providerOverrides.sqs = { endpoint: `http://127.0.0.1:${dead}` };
    const vpc = ec2.addVpc({ region: "us-east-1", cidr: "10.99.0.0/16" });
    const account = await createAccount(p.app.services.store, SYSTEM, {
      key: "aws:399999999999",
      name: "unreachable-queue",
      regions: ["us-east-1"],
      settings: { notificationQueueUrl: `http://127.0.0.1:${dead}/399999999999/gone` },
    });
    await p.app.services.reconcile.notifications!.rescan();
    const subnet = ec2.addSubnet({ vpcId: vpc.id, cidr: "10.99.7.0/24" });

    const found = await until("the poll's drift", async () => {
      const r = await p.ok<{ driftItems: { edges: { node: { cidr: string } }[] } }>(
        `query D($f: DriftFilter) { driftItems(filter: $f, first: 10) { edges { node { cidr } } } }`,
        { f: { accountId: toGlobalId("Account", account.id) } },
      );
      return r.driftItems.edges.find((e) => e.node.cidr === subnet.cidrBlock);
    });
    expect(found.node.cidr).toBe("10.99.7.0/24");
    expect(p.logs.some((l) => l.includes("receive failed; polling still covers the account"))).toBe(true);
  });
});
