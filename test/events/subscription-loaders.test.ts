import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createAccount, createPool } from "../helpers/plan.js";
import { subscribe } from "./stream.js";

let s: TestServer;
let statements: string[] = [];
beforeAll(async () => {
  s = await startTestServer(
    { LOG_LEVEL: "warn", RATE_LIMIT_PER_SECOND: "100000", RATE_LIMIT_BURST: "100000" },
    { onStatement: (sql) => statements.push(sql) },
  );
});
afterAll(async () => {
  await s.close();
});

const ALLOCATE = `mutation($input: AllocateInput!) { allocate(input: $input) { allocation { id } } }`;

describe("subscription payloads and DataLoaders", () => {
  it("resolves the pools and accounts of a replayed burst of 300 allocation events in a few statements, never stale", async () => {
    const pool = await createPool(s, { name: "burst", cidr: "10.90.0.0/16" });
    const accounts = [];
    for (let i = 0; i < 3; i++)
      accounts.push(await createAccount(s, { key: `onprem:burst-${i}`, name: `b${i}` }));
    for (let i = 0; i < 300; i++) {
      await s.ok(ALLOCATE, { input: { poolId: pool.id, accountId: accounts[i % 3]!.id, prefixLength: 28 } });
    }

    statements = [];
    const stream = subscribe(
      s.wsClient(),
      "allocationEvents",
      { poolId: pool.id, after: "0" },
      "cursor allocation { id account { key } } pool { name }",
    );
    type Got = { allocation: { account: { key: string } }; pool: { name: string } }[];
    const got = (await stream.take(300)) as unknown as Got;
    const nested = statements.filter((sql) => /from "(prefixes|accounts)"/.test(sql)).length;
    // Loaders live for one burst, not for the whole subscription: a later event shows the pool as it is then.
    await s.ok(`mutation($input: UpdatePoolInput!) { updatePool(input: $input) { pool { id } } }`, {
      input: { id: pool.id, name: "burst-renamed" },
    });
    await s.ok(ALLOCATE, { input: { poolId: pool.id, accountId: accounts[0]!.id, prefixLength: 28 } });
    const live = ((await stream.take(301)) as unknown as Got)[300]!;
    stream.stop();

    expect(got.every((e) => e.pool.name === "burst")).toBe(true);
    expect(new Set(got.map((e) => e.allocation.account.key)).size).toBe(3);
    // One statement per loader per burst (bursts are at most the subscriber buffer, 256 events);
    // resolving each event alone would run 600.
    expect(live.pool.name).toBe("burst-renamed");
    expect(nested).toBeLessThanOrEqual(20);
  });
});
