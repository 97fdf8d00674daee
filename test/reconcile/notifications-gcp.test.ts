/**
 * GCP change notifications end to end: the real server, the real Compute and Pub/Sub clients (gRPC, emulator
 * mode), loopback Compute and Pub/Sub emulators. The poll runs once an hour here, so every drift event seen
 * came from a notification.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { useEmulators } from "../helpers/cloud.js";
import { subscribe } from "../events/stream.js";
import { startComputeEmulator, type ComputeEmulator } from "../emulators/compute-emulator.js";
import { startPubSubEmulator, type PubSubEmulator } from "../emulators/pubsub-emulator.js";
import { createAccount, updateAccount } from "../../src/domain/accounts.js";
import { SYSTEM_ACTOR } from "../../src/domain/roles.js";
import { toGlobalId } from "../../src/schema/node.js";

const SYSTEM = { actor: SYSTEM_ACTOR };
const PROJECT = "proj-notify-gcp";
const SUBSCRIPTION = `projects/${PROJECT}/subscriptions/cloudpam-audit`;
let s: TestServer;
let gce: ComputeEmulator;
let ps: PubSubEmulator;
let account: string;
let accountRowId: number;

/** A Cloud Audit Log entry of a subnetworks call, as a log sink publishes it. */
function auditEntry(method: string, region: string, name: string, network?: string): string {
  return JSON.stringify({
    protoPayload: {
      "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
      serviceName: "compute.googleapis.com",
      methodName: `v1.compute.subnetworks.${method}`,
      resourceName: `projects/${PROJECT}/regions/${region}/subnetworks/${name}`,
      ...(network
        ? {
            request: {
              "@type": "type.googleapis.com/compute.subnetworks.insert",
              network: `https://www.googleapis.com/compute/v1/projects/${PROJECT}/global/networks/${network}`,
            },
          }
        : {}),
    },
    insertId: String(Math.random()),
    resource: { type: "gce_subnetwork", labels: { project_id: PROJECT, region, subnetwork_name: name } },
    severity: "NOTICE",
    logName: `projects/${PROJECT}/logs/cloudaudit.googleapis.com%2Factivity`,
    operation: { id: "operation-1", producer: "compute.googleapis.com", last: true },
  });
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

async function drift(): Promise<{ kind: string; status: string; cidr: string | null }[]> {
  const r = await s.ok<{
    driftItems: { edges: { node: { kind: string; status: string; cidr: string | null } }[] };
  }>(
    `query D($f: DriftFilter) { driftItems(filter: $f, first: 100) { edges { node { kind status cidr } } } }`,
    { f: { accountId: account } },
  );
  return r.driftItems.edges.map((e) => e.node);
}

beforeAll(async () => {
  gce = await startComputeEmulator({ project: PROJECT, regions: ["us-east1", "europe-west1"] });
  gce.addNetwork({ name: "main" });
  gce.addNetwork({ name: "other" });
  ps = await startPubSubEmulator({ holdMs: 2_000 });
  ps.createSubscription(SUBSCRIPTION, { ackDeadlineSeconds: 1 });
  s = await startTestServer({ RECONCILE_INTERVAL_SECONDS: "3600" });
  useEmulators(s, { gce });
  s.app.services.reconcile.providerOverrides.pubsub = { apiEndpoint: ps.endpoint };
  const a = await createAccount(s.app.services.store, SYSTEM, {
    key: `gcp:${PROJECT}`,
    name: "notified-gcp",
    settings: { notificationSubscription: SUBSCRIPTION },
  });
  account = toGlobalId("Account", a.id);
  accountRowId = a.id;
  await s.app.services.reconcile.notifications!.rescan();
});

afterAll(async () => {
  await s?.close();
  await ps?.close();
  await gce?.close();
});

describe("GCP change notifications (Pub/Sub)", () => {
  it("a subnetwork created and its audit log entry raise a drift event on the subscription", async () => {
    // A first full sync (the baseline): it also loads the Compute SDK, whose cold start (seconds on a loaded
    // machine) would otherwise be paid by the first notification.
    await s.ok(`mutation S($id: ID!) { syncAccount(input: { accountId: $id }) { driftOpen } }`, {
      id: account,
    });
    const stream = subscribe(
      s.wsClient(),
      "driftEvents",
      { accountId: account, after: "0" },
      "type drift { cidr }",
    );
    const t0 = performance.now();
    gce.addSubnetwork({ region: "us-east1", network: "main", name: "fresh", cidr: "10.140.1.0/24" });
    ps.publish(SUBSCRIPTION, auditEntry("insert", "us-east1", "fresh", "main"));

    const ev = await until("the subnetwork's drift event", () =>
      stream.events.find((e) => (e as unknown as { drift: { cidr: string } }).drift.cidr === "10.140.1.0/24"),
    );
    console.log(`audit log entry -> drift event: ${(performance.now() - t0).toFixed(0)} ms`);
    stream.stop();
    expect(ev.type).toBe("drift.detected");
    await until("the message acknowledged", () => ps.messages(SUBSCRIPTION).length === 0);
    expect(ps.calls.Acknowledge).toBeGreaterThan(0);
    // Only the baseline was a full sync: the drift came from the targeted re-read.
    expect(s.logs.filter((l) => l.includes('"msg":"cloud sync finished"'))).toHaveLength(1);
    expect(s.logs.some((l) => l.includes('"msg":"targeted cloud re-read finished"'))).toBe(true);
  });

  it("a duplicated entry and a delete entry arriving before its insert leave one drift item", async () => {
    gce.addSubnetwork({ region: "europe-west1", network: "other", name: "dup", cidr: "10.141.1.0/24" });
    gce.addSubnetwork({ region: "europe-west1", network: "other", name: "gone", cidr: "10.141.2.0/24" });
    gce.deleteSubnetwork("europe-west1", "gone");
    ps.publish(SUBSCRIPTION, auditEntry("delete", "europe-west1", "gone"));
    ps.publish(SUBSCRIPTION, auditEntry("insert", "europe-west1", "dup", "other"));
    ps.publish(SUBSCRIPTION, auditEntry("insert", "europe-west1", "dup", "other"));
    ps.publish(SUBSCRIPTION, auditEntry("insert", "europe-west1", "gone", "other"));

    await until("all acknowledged", () => ps.messages(SUBSCRIPTION).length === 0);
    await until("the re-reads done", () => s.app.services.reconcile.chains.size === 0);
    const items = await drift();
    expect(items.filter((d) => d.cidr === "10.141.1.0/24")).toEqual([
      { kind: "UNMANAGED", status: "OPEN", cidr: "10.141.1.0/24" },
    ]);
    expect(items.filter((d) => d.cidr === "10.141.2.0/24")).toEqual([]);
  });

  it("a deleted subnetwork's entry resolves its drift (the re-read sees it gone)", async () => {
    gce.deleteSubnetwork("europe-west1", "dup");
    ps.publish(SUBSCRIPTION, auditEntry("delete", "europe-west1", "dup"));
    await until("the drift resolved", async () =>
      (await drift()).find((d) => d.cidr === "10.141.1.0/24" && d.status === "RESOLVED"),
    );
    // The other network's items were not touched by this VPC's re-read.
    expect((await drift()).find((d) => d.cidr === "10.140.1.0/24")?.status).toBe("OPEN");
  });

  it("drops a poison message after maxReceiveCount deliveries (no dead-letter policy) and goes on", async () => {
    const sub = `projects/${PROJECT}/subscriptions/cloudpam-poison`;
    ps.createSubscription(sub, { ackDeadlineSeconds: 0 }); // redelivered at once (Pub/Sub itself: 10 s at least)
    await updateAccount(s.app.services.store, SYSTEM, accountRowId, {
      settings: { notificationSubscription: sub, maxReceiveCount: 2 },
    });
    await s.app.services.reconcile.notifications!.rescan();
    ps.publish(sub, "{ not an audit log entry");
    await until("the poison message dropped", () => ps.messages(sub).length === 0);
    expect(
      s.logs.some((l) => l.includes("change notification dead-lettered") && l.includes('"receiveCount":2')),
    ).toBe(true);

    gce.addSubnetwork({ region: "us-east1", network: "main", name: "after-poison", cidr: "10.140.9.0/24" });
    ps.publish(sub, auditEntry("insert", "us-east1", "after-poison", "main"));
    await until("the next message processed", async () =>
      (await drift()).some((d) => d.cidr === "10.140.9.0/24"),
    );
  });
});
