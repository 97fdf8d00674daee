/** Drift and cloud resource pages load their related objects through DataLoaders. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { useEmulators } from "../helpers/cloud.js";
import { startEc2Emulator, type Ec2Emulator } from "../emulators/ec2-emulator.js";
import { createAccount } from "../../src/domain/accounts.js";
import { createPool } from "../../src/domain/pools.js";
import { allocate } from "../../src/domain/allocations.js";
import { SYSTEM_ACTOR } from "../../src/domain/roles.js";
import { toGlobalId } from "../../src/schema/node.js";

const SYSTEM = { actor: SYSTEM_ACTOR };
let s: TestServer;
let ec2: Ec2Emulator;
let statements: string[] = [];

beforeAll(async () => {
  ec2 = await startEc2Emulator();
  const vpc = ec2.addVpc({ region: "us-east-1", cidr: "10.60.0.0/16" });
  for (let i = 0; i < 80; i++) ec2.addSubnet({ vpcId: vpc.id, cidr: `10.60.${i}.0/24` });
  // AUTH=off keeps token checks out of the count.
  s = await startTestServer({ AUTH: "off" }, { onStatement: (sql) => statements.push(sql) });
  useEmulators(s, { ec2 });
  const store = s.app.services.store;
  const mine = await createAccount(store, SYSTEM, {
    key: "aws:606060606060",
    name: "mine",
    regions: ["us-east-1"],
  });
  const theirs = await createAccount(store, SYSTEM, { key: "aws:616161616161", name: "theirs" });
  const pool = await createPool(store, SYSTEM, { cidr: "10.60.0.0/16", name: "p60", status: "ACTIVE" });
  for (let i = 0; i < 80; i += 2)
    await allocate(store, SYSTEM, { poolId: pool.id, accountId: theirs.id, cidr: `10.60.${i}.0/24` });
  await s.ok(`mutation($id: ID!) { syncAccount(input: { accountId: $id }) { driftOpen } }`, {
    id: toGlobalId("Account", mine.id),
  });
});

afterAll(async () => {
  await s.close();
  await ec2.close();
});

async function countStatements(first: number): Promise<number> {
  statements = [];
  const r = await s.ok<{
    driftItems: { edges: { node: { kind: string; allocation: { cidr: string } | null } }[] };
  }>(
    `query($first: Int) { driftItems(first: $first) { edges { node {
      kind account { key } allocation { cidr }
      resource { externalId account { key } cidrs { cidr management } } } } } }`,
    { first },
  );
  expect(r.driftItems.edges).toHaveLength(first);
  expect(r.driftItems.edges.some((e) => e.node.allocation !== null)).toBe(true);
  return statements.filter((sql) =>
    /from "(drift_items|cloud_resources|cloud_cidrs|accounts|prefixes)"/.test(sql),
  ).length;
}

describe("drift pages", () => {
  it("run the same few SQL statements for account, allocation, resource and CIDRs whatever the page size", async () => {
    const small = await countStatements(4);
    const large = await countStatements(60);

    expect(large).toBe(small);
    expect(large).toBeLessThanOrEqual(6);
  });
});
