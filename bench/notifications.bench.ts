/**
 * Notification -> drift event latency: the real server (SQLite file), the real EC2 and SQS SDK clients
 * against the loopback emulators, a graphql-ws driftEvents subscriber. A burst of 1,000 CloudTrail
 * CreateSubnet notifications (1,000 new subnets in 20 VPCs) is put on the account's queue at once; each
 * subnet's latency is the time from the burst to its drift.detected event on the subscription. The poll is
 * off (RECONCILE_INTERVAL_SECONDS=0). Then the same for a burst of duplicates (every notification twice).
 * Run: npm run bench -- notifications
 */
import "reflect-metadata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import WebSocket from "ws";
import { createClient } from "graphql-ws";
import { loadConfig } from "../src/config.js";
import { startApp } from "../src/server/app.js";
import { createLogger } from "../src/logger.js";
import { createAccount } from "../src/domain/accounts.js";
import { SYSTEM_ACTOR } from "../src/domain/roles.js";
import { toGlobalId } from "../src/schema/node.js";
import { EC2_TEST_CREDENTIALS, startEc2Emulator } from "../test/emulators/ec2-emulator.js";
import { startSqsEmulator } from "../test/emulators/sqs-emulator.js";

const VPCS = 20;
const SUBNETS = 1000;
const AWS_ID = "555500000001";

function event(vpcId: string, subnetId: string, cidr: string): string {
  return JSON.stringify({
    version: "0",
    id: randomUUID(),
    "detail-type": "AWS API Call via CloudTrail",
    source: "aws.ec2",
    account: AWS_ID,
    region: "us-east-1",
    detail: {
      eventSource: "ec2.amazonaws.com",
      eventName: "CreateSubnet",
      awsRegion: "us-east-1",
      requestParameters: { vpcId, cidrBlock: cidr },
      responseElements: { subnet: { subnetId, vpcId, cidrBlock: cidr } },
    },
  });
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "cloudpam-bench-"));
  const ec2 = await startEc2Emulator();
  const sqs = await startSqsEmulator({ accountId: AWS_ID });
  let token = "";
  const config = loadConfig(
    {
      ADDR: "127.0.0.1:0",
      SQLITE_DSN: join(dir, "bench.db"),
      LOG_LEVEL: "silent",
      RECONCILE_INTERVAL_SECONDS: "0",
    },
    {},
  );
  const app = await startApp(config, {
    logger: createLogger("silent"),
    onBootstrapToken: (t) => (token = t),
  });
  app.services.reconcile.providerOverrides = {
    aws: { endpoint: ec2.url, credentials: EC2_TEST_CREDENTIALS, pageSize: 1000 },
    sqs: { endpoint: sqs.url },
  };
  const client = createClient({
    url: app.url.replace(/^http/, "ws") + "/graphql",
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  try {
    const rows: Record<string, string | number>[] = [];
    for (const [run, copies] of [
      ["burst of 1,000", 1],
      ["burst of 1,000, each twice", 2],
    ] as const) {
      const queue = sqs.createQueue(`bench-${copies}`);
      const vpcs = Array.from({ length: VPCS }, (_, v) =>
        ec2.addVpc({ region: "us-east-1", cidr: `10.${copies * 50 + v}.0.0/16` }),
      );
      const account = await createAccount(
        app.services.store,
        { actor: SYSTEM_ACTOR },
        {
          key: `aws:${String(Number(AWS_ID) + copies - 1).padStart(12, "0")}`,
          name: `bench-${copies}`,
          regions: ["us-east-1"],
          settings: { notificationQueueUrl: queue },
        },
      );
      // Events name the account's own id.
      const awsId = account.key.replace("aws:", "");
      await app.services.reconcile.notifications!.rescan();
      const seen = new Map<string, number>();
      const all = new Promise<void>((resolve, reject) => {
        client.subscribe<{ driftEvents: { drift: { cidr: string } } }>(
          {
            query: `subscription($a: ID) { driftEvents(accountId: $a) { drift { cidr } } }`,
            variables: { a: toGlobalId("Account", account.id) },
          },
          {
            next: (v) => {
              const cidr = v.data?.driftEvents.drift.cidr;
              if (cidr?.endsWith("/24") && !seen.has(cidr)) seen.set(cidr, performance.now());
              if (seen.size >= SUBNETS) resolve();
            },
            error: reject,
            complete: () => undefined,
          },
        );
      });
      await new Promise((r) => setTimeout(r, 300)); // the subscription is registered
      const bodies: string[] = [];
      for (let i = 0; i < SUBNETS; i++) {
        const vpc = vpcs[i % VPCS]!;
        const cidr = vpc.cidrBlock.replace(/\.0\.0\/16$/, `.${Math.floor(i / VPCS)}.0/24`);
        const subnet = ec2.addSubnet({ vpcId: vpc.id, cidr });
        for (let c = 0; c < copies; c++) bodies.push(event(vpc.id, subnet.id, cidr).replace(AWS_ID, awsId));
      }
      const describesBefore = ec2.calls.DescribeSubnets ?? 0;
      const t0 = performance.now();
      for (const b of bodies) sqs.send(queue, b);
      await all;
      const lat = [...seen.values()].map((t) => t - t0).sort((a, b) => a - b);
      rows.push({
        run,
        notifications: bodies.length,
        "drift events": seen.size,
        "median ms": Math.round(pct(lat, 50)),
        "p99 ms": Math.round(pct(lat, 99)),
        "last ms": Math.round(lat.at(-1)!),
        "subnet re-reads (DescribeSubnets)": (ec2.calls.DescribeSubnets ?? 0) - describesBefore,
      });
    }
    console.table(rows);
  } finally {
    await client.dispose();
    await app.close();
    await sqs.close();
    await ec2.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
