import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, createPool } from "../helpers/plan.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
let statements: string[] = [];
beforeAll(async () => {
  // AUTH=off keeps token checks out of the count: only the query's own statements remain.
  s = await startTestServer({ AUTH: "off" }, { onStatement: (sql) => statements.push(sql) });
  const accounts = [];
  for (let i = 0; i < 5; i++)
    accounts.push(await createAccount(s, { key: `onprem:loader-${i}`, name: `a${i}` }));
  const roots = [];
  for (let i = 0; i < 4; i++) roots.push(await createPool(s, { name: `root-${i}`, cidr: `10.${i}.0.0/16` }));
  for (let i = 0; i < 240; i++)
    await createPool(s, {
      name: `child-${i}`,
      parentId: roots[i % 4]!.id,
      prefixLength: 24,
      accountId: accounts[i % 5]!.id,
    });
});
afterAll(async () => {
  await s.close();
});

async function countStatements(first: number): Promise<number> {
  statements = [];
  const r = await s.ok<{
    pools: {
      edges: {
        node: { account: { key: string } | null; parent: { name: string } | null; scope: { name: string } };
      }[];
    };
  }>(
    `query($first: Int) { pools(first: $first) { edges { node { account { key } parent { name } scope { name } } } } }`,
    { first },
  );
  expect(r.pools.edges).toHaveLength(Math.min(first, 244));
  expect(r.pools.edges.filter((e) => e.node.account).length).toBeGreaterThan(0);
  // Background workers (event hub, webhooks) may poll their own tables meanwhile: count the plan's tables only.
  return statements.filter((sql) => /from "(prefixes|accounts|scopes)"/.test(sql)).length;
}

describe("DataLoaders", () => {
  it("run at most 5 SQL statements for pools with account, parent and scope, whatever the page size", async () => {
    const small = await countStatements(10);
    const large = await countStatements(200);

    expect(large).toBeLessThanOrEqual(5);
    expect(large).toBe(small);
  });
});
