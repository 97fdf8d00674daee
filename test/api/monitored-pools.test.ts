/**
 * Pool.monitored (#17): set on create and update over the API, false by default, in the pool's events; and
 * /metrics exports cloudpam_pool_utilization_ratio for monitored pools only (the series count is bounded by
 * what operators mark), with the real ratio, following updates. Runs on SQLite and on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createAccount } from "../helpers/plan.js";

let s: TestServer;
let account: string;
beforeAll(async () => {
  s = await startTestServer();
  account = (await createAccount(s, { key: "aws:444444444444", name: "metrics", tier: "PRD" })).id;
});
afterAll(async () => {
  await s?.close();
});

interface PoolView {
  id: string;
  name: string;
  monitored: boolean;
}

const create = (input: Record<string, unknown>) =>
  s
    .ok<{ createPool: { pool: PoolView } }>(
      `mutation($input: CreatePoolInput!) { createPool(input: $input) { pool { id name monitored } } }`,
      { input },
    )
    .then((r) => r.createPool.pool);
const update = (input: Record<string, unknown>) =>
  s
    .ok<{ updatePool: { pool: PoolView } }>(
      `mutation($input: UpdatePoolInput!) { updatePool(input: $input) { pool { id name monitored } } }`,
      { input },
    )
    .then((r) => r.updatePool.pool);
const allocate = (poolId: string, prefixLength: number) =>
  s.ok(`mutation($input: AllocateInput!) { allocate(input: $input) { allocation { id } } }`, {
    input: { poolId, accountId: account, prefixLength },
  });

/** The utilisation series of /metrics, sorted. */
async function gauges(): Promise<string[]> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  return text
    .split("\n")
    .filter((l) => l.startsWith("cloudpam_pool_utilization_ratio{"))
    .sort();
}

describe("Pool.monitored", () => {
  it("is false by default, set by createPool and updatePool, and read back by node()", async () => {
    const plain = await create({ cidr: "10.50.0.0/24", name: "plain" });
    expect(plain.monitored).toBe(false);
    const watched = await create({ cidr: "10.51.0.0/24", name: "watched", monitored: true });
    expect(watched.monitored).toBe(true);
    expect((await update({ id: plain.id, monitored: true })).monitored).toBe(true);
    // A patch without the field keeps it.
    expect((await update({ id: plain.id, description: "now watched" })).monitored).toBe(true);
    expect((await update({ id: plain.id, monitored: false })).monitored).toBe(false);
    const read = await s.ok<{ node: PoolView }>(
      `query($id: ID!) { node(id: $id) { ... on Pool { id name monitored } } }`,
      { id: watched.id },
    );
    expect(read.node).toEqual(watched);
    // The update's event records the change.
    const events = await s.ok<{
      events: { edges: { node: { before: { monitored: boolean }; after: { monitored: boolean } } }[] };
    }>(
      `query($id: ID!) { events(first: 100, filter: { types: ["pool.updated"], subjectId: $id }) { edges { node { before after } } } }`,
      { id: plain.id },
    );
    const flips = events.events.edges.map((e) => `${e.node.before.monitored}->${e.node.after.monitored}`);
    expect(flips).toEqual(["false->true", "true->true", "true->false"]);
  });

  it("a null monitored on update is refused, naming the field", async () => {
    const pool = await create({ cidr: "10.52.0.0/24", name: "nullable" });
    const r = await s.gql(
      `mutation($input: UpdatePoolInput!) { updatePool(input: $input) { pool { monitored } } }`,
      { input: { id: pool.id, monitored: null } },
    );
    expect(r.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(r.errors?.[0]?.extensions?.details?.field).toBe("monitored");
  });

  it("/metrics exports the utilisation of monitored pools only, and follows updates", async () => {
    const a = await create({ cidr: "10.60.0.0/24", name: "gauge-a", monitored: true });
    const b = await create({ cidr: "10.61.0.0/24", name: "gauge-b", tags: { monitor: "true" } });
    await allocate(a.id, 26);
    await allocate(b.id, 25);
    const before = await gauges();
    expect(before).toContain(
      `cloudpam_pool_utilization_ratio{scope="default",pool="gauge-a",cidr="10.60.0.0/24"} 0.25`,
    );
    // Only monitored pools: the watched one of the first test and gauge-a (a tag alone does not count).
    expect(before.map((l) => /pool="([^"]+)"/.exec(l)![1])).toEqual(["gauge-a", "watched"]);
    await update({ id: b.id, monitored: true });
    await update({ id: a.id, monitored: false });
    const after = await gauges();
    expect(after).toEqual([
      `cloudpam_pool_utilization_ratio{scope="default",pool="gauge-b",cidr="10.61.0.0/24"} 0.5`,
      `cloudpam_pool_utilization_ratio{scope="default",pool="watched",cidr="10.51.0.0/24"} 0`,
    ]);
  });
});
