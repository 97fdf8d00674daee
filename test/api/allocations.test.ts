import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newAccount, newPool } from "../helpers/plan.js";
import { and, asc, eq, like } from "drizzle-orm";
import { startTestServer, testBackend, type TestServer } from "../helpers/server.js";
import { events as eventsTable } from "../../src/db/schema.js";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ RATE_LIMIT_PER_SECOND: "100000", RATE_LIMIT_BURST: "100000" });
});
afterAll(async () => {
  await s.close();
});

const ALLOCATE = `mutation($input: AllocateInput!) {
  allocate(input: $input) {
    allocation {
      id cidr prefixLength name description status tags createdBy createdAt releasedAt resource { resourceId }
      pool { id cidr } account { id key }
    }
  }
}`;

interface AllocationView {
  id: string;
  cidr: string;
  status: string;
  name: string | null;
  description: string | null;
  tags: Record<string, string>;
  createdBy: string | null;
  releasedAt: string | null;
  pool: { id: string; cidr: string };
  account: { id: string; key: string } | null;
}

function allocate(input: Record<string, unknown>, token?: string) {
  return s.gql<{ allocate: { allocation: AllocationView } }>(ALLOCATE, { input }, token ? { token } : {});
}

async function allocated(input: Record<string, unknown>): Promise<AllocationView> {
  const r = await allocate(input);
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  return r.data!.allocate.allocation;
}

describe("allocate", () => {
  it("takes the next free block smallest-fit and returns the allocation with its pool and account", async () => {
    const [p, a] = [await newPool(s, "10.0.0.0/16"), await newAccount(s)];
    await allocated({ poolId: p, accountId: a, cidr: "10.0.0.0/23" });
    await allocated({ poolId: p, accountId: a, cidr: "10.0.4.0/25" });
    const x = await allocated({
      poolId: p,
      accountId: a,
      prefixLength: 25,
      name: "web",
      description: "frontend",
      tags: { team: "net" },
    });
    expect(x).toMatchObject({
      cidr: "10.0.4.128/25",
      status: "ALLOCATED",
      name: "web",
      description: "frontend",
      tags: { team: "net" },
      releasedAt: null,
      pool: { id: p, cidr: "10.0.0.0/16" },
      account: { id: a },
    });
    expect(x.createdBy).toContain("bootstrap-admin");
  });

  it("takes the lowest free block with FIRST_FIT", async () => {
    const [p, a] = [await newPool(s, "10.1.0.0/16"), await newAccount(s)];
    await allocated({ poolId: p, accountId: a, cidr: "10.1.0.0/24" });
    await allocated({ poolId: p, accountId: a, cidr: "10.1.2.0/25" });
    const smallest = await s.ok<{ previewAllocation: { cidr: string } }>(
      `query($input: AllocateInput!) { previewAllocation(input: $input) { cidr } }`,
      { input: { poolId: p, accountId: a, prefixLength: 25 } },
    );
    expect(smallest.previewAllocation.cidr).toBe("10.1.2.128/25");
    const first = await allocated({ poolId: p, accountId: a, prefixLength: 25, strategy: "FIRST_FIT" });
    expect(first.cidr).toBe("10.1.1.0/25");
  });

  it("uses the pool's default child length when neither prefixLength nor cidr is given", async () => {
    const p = await newPool(s, "10.2.0.0/16", { rules: { defaultChildPrefixLength: 22 } });
    const x = await allocated({ poolId: p, accountId: await newAccount(s) });
    expect(x.cidr).toBe("10.2.0.0/22");
  });

  it("refuses a request without length when the pool has no default (BAD_USER_INPUT on prefixLength)", async () => {
    const r = await allocate({ poolId: await newPool(s, "10.3.0.0/16"), accountId: await newAccount(s) });
    expect(r.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      details: { field: "prefixLength" },
    });
  });

  it("refuses lengths outside the pool's min/max child length, naming the allowed range", async () => {
    const p = await newPool(s, "10.4.0.0/16", {
      rules: { minChildPrefixLength: 20, maxChildPrefixLength: 24 },
    });
    const a = await newAccount(s);
    for (const prefixLength of [18, 26]) {
      const r = await allocate({ poolId: p, accountId: a, prefixLength });
      expect(r.errors?.[0]?.extensions).toMatchObject({
        code: "BAD_USER_INPUT",
        details: { field: "prefixLength", min: 20, max: 24 },
      });
    }
    const cidr = await allocate({ poolId: p, accountId: a, cidr: "10.4.0.0/26" });
    expect(cidr.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      details: { field: "cidr" },
    });
  });

  it("refuses an account whose tier the pool does not allow", async () => {
    const p = await newPool(s, "10.5.0.0/16", { rules: { allowedTiers: ["PRD", "STG"] } });
    const r = await allocate({
      poolId: p,
      accountId: await newAccount(s, { tier: "DEV" }),
      prefixLength: 24,
    });
    expect(r.errors?.[0]?.message).toMatch(/tier DEV.*accepts only PRD, STG/);
    expect(r.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      details: { field: "accountId", tier: "DEV", allowedTiers: ["PRD", "STG"], conflicting: { id: p } },
    });
    expect(
      (await allocate({ poolId: p, accountId: await newAccount(s, { tier: "STG" }), prefixLength: 24 }))
        .errors,
    ).toBeUndefined();
  });

  it("refuses PLANNED and DEPRECATED pools with CONFLICT", async () => {
    const a = await newAccount(s);
    for (const [cidr, status] of [
      ["10.6.0.0/16", "PLANNED"],
      ["10.7.0.0/16", "DEPRECATED"],
    ] as const) {
      const p = await newPool(s, cidr, { status });
      const r = await allocate({ poolId: p, accountId: a, prefixLength: 24 });
      expect(r.errors?.[0]?.extensions).toMatchObject({
        code: "CONFLICT",
        details: { field: "poolId", status, conflicting: { type: "Pool", id: p } },
      });
    }
  });

  it("names the largest free block when the pool is full", async () => {
    const [p, a] = [await newPool(s, "10.8.0.0/22"), await newAccount(s)];
    for (const cidr of ["10.8.0.0/23", "10.8.2.0/24", "10.8.3.0/25"])
      await allocated({ poolId: p, accountId: a, cidr });
    const r = await allocate({ poolId: p, accountId: a, prefixLength: 24 });
    expect(r.errors?.[0]?.message).toBe(
      "no free /24 left in pool 'pool-10.8.0.0/22' (10.8.0.0/22); the largest free block is 10.8.3.128/25",
    );
    expect(r.errors?.[0]?.extensions).toMatchObject({
      code: "CONFLICT",
      details: { field: "prefixLength", largestFree: "10.8.3.128/25", conflicting: { type: "Pool", id: p } },
    });
  });

  it("refuses an explicit CIDR that overlaps an allocation, naming it", async () => {
    const [p, a] = [await newPool(s, "10.9.0.0/16"), await newAccount(s)];
    const taken = await allocated({ poolId: p, accountId: a, cidr: "10.9.0.0/24", name: "db" });
    const r = await allocate({ poolId: p, accountId: a, cidr: "10.9.0.128/25" });
    expect(r.errors?.[0]?.message).toBe(
      "10.9.0.128/25 overlaps allocation 'db' (10.9.0.0/24); the nearest free /25 is 10.9.1.0/25",
    );
    expect(r.errors?.[0]?.extensions).toMatchObject({
      code: "CONFLICT",
      details: { field: "cidr", conflicting: { type: "Allocation", id: taken.id, cidr: "10.9.0.0/24" } },
    });
  });

  it("refuses a CIDR outside the pool and unknown pools or accounts", async () => {
    const [p, a] = [await newPool(s, "10.10.0.0/16"), await newAccount(s)];
    const outside = await allocate({ poolId: p, accountId: a, cidr: "10.11.0.0/24" });
    expect(outside.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      details: { field: "cidr" },
    });
    const ghostPool = Buffer.from("Pool:999999").toString("base64url");
    const ghostAccount = Buffer.from("Account:999999").toString("base64url");
    const noPool = await allocate({ poolId: ghostPool, accountId: a, prefixLength: 24 });
    expect(noPool.errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND", details: { field: "poolId" } });
    const noAccount = await allocate({ poolId: p, accountId: ghostAccount, prefixLength: 24 });
    expect(noAccount.errors?.[0]?.extensions).toMatchObject({
      code: "NOT_FOUND",
      details: { field: "accountId" },
    });
    const wrongType = await allocate({ poolId: a, accountId: a, prefixLength: 24 });
    expect(wrongType.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      details: { field: "poolId" },
    });
  });

  it("returns the first result for a repeated idempotency key, and CONFLICT for the key with another input", async () => {
    const [p, a] = [await newPool(s, "10.12.0.0/16"), await newAccount(s)];
    const input = { poolId: p, accountId: a, prefixLength: 24, idempotencyKey: "deploy-42", name: "vpc" };
    const first = await allocated(input);
    const again = await allocated(input);
    expect(again).toEqual(first);
    const other = await allocate({ ...input, prefixLength: 23 });
    expect(other.errors?.[0]?.extensions).toMatchObject({
      code: "CONFLICT",
      details: { field: "idempotencyKey", conflicting: { type: "Allocation", id: first.id } },
    });
    const preview = await s.ok<{ previewAllocation: { cidr: string; existing: { id: string } | null } }>(
      `query($input: AllocateInput!) { previewAllocation(input: $input) { cidr existing { id } } }`,
      { input },
    );
    expect(preview.previewAllocation).toEqual({ cidr: first.cidr, existing: { id: first.id } });
  });

  it("refuses VIEWER tokens (FORBIDDEN) and anonymous callers (UNAUTHENTICATED)", async () => {
    const [p, a] = [await newPool(s, "10.13.0.0/16"), await newAccount(s)];
    const viewer = await s.tokenFor("VIEWER");
    const r = await allocate({ poolId: p, accountId: a, prefixLength: 24 }, viewer);
    expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const anon = await s.gql(
      ALLOCATE,
      { input: { poolId: p, accountId: a, prefixLength: 24 } },
      { token: null },
    );
    expect(anon.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const operator = await s.tokenFor("OPERATOR");
    expect((await allocate({ poolId: p, accountId: a, prefixLength: 24 }, operator)).errors).toBeUndefined();
  });
});

describe("previewAllocation", () => {
  it("returns what allocate would return without writing anything", async () => {
    const [p, a] = [await newPool(s, "10.14.0.0/16"), await newAccount(s)];
    const q = `query($input: AllocateInput!) { previewAllocation(input: $input) { cidr pool { id } account { id } existing { id } } }`;
    const input = { poolId: p, accountId: a, prefixLength: 20 };
    const one = await s.ok<{ previewAllocation: { cidr: string } }>(q, { input });
    const two = await s.ok<{ previewAllocation: { cidr: string } }>(q, { input });
    expect(two).toEqual(one);
    expect(one.previewAllocation).toMatchObject({ pool: { id: p }, account: { id: a }, existing: null });
    expect((await allocated(input)).cidr).toBe(one.previewAllocation.cidr);
  });

  it("reports the same errors as allocate", async () => {
    const [p, a] = [await newPool(s, "10.15.0.0/24"), await newAccount(s)];
    await allocated({ poolId: p, accountId: a, prefixLength: 24 });
    const r = await s.gql(`query($input: AllocateInput!) { previewAllocation(input: $input) { cidr } }`, {
      input: { poolId: p, accountId: a, prefixLength: 26 },
    });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", details: { largestFree: null } });
  });
});

describe("releaseAllocation and updateAllocation", () => {
  const RELEASE = `mutation($id: ID!) { releaseAllocation(input: {id: $id}) { allocation { id cidr status releasedAt } } }`;

  it("frees the range, keeps the allocation as RELEASED, and refuses a second release", async () => {
    const [p, a] = [await newPool(s, "10.16.0.0/23"), await newAccount(s)];
    const x = await allocated({ poolId: p, accountId: a, prefixLength: 24 });
    const r = await s.ok<{ releaseAllocation: { allocation: { status: string; releasedAt: string } } }>(
      RELEASE,
      {
        id: x.id,
      },
    );
    expect(r.releaseAllocation.allocation.status).toBe("RELEASED");
    expect(Date.parse(r.releaseAllocation.allocation.releasedAt)).not.toBeNaN();
    const node = await s.ok<{ node: { status: string; cidr: string } }>(
      `query($id: ID!) { node(id: $id) { ... on Allocation { status cidr } } }`,
      { id: x.id },
    );
    expect(node.node).toEqual({ status: "RELEASED", cidr: x.cidr });
    expect((await allocated({ poolId: p, accountId: a, prefixLength: 23 })).cidr).toBe("10.16.0.0/23");
    const again = await s.gql(RELEASE, { id: x.id });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", details: { field: "id" } });
  });

  it("changes only the fields present and re-checks the pool's tiers for a new account", async () => {
    const p = await newPool(s, "10.17.0.0/16", { rules: { allowedTiers: ["PRD"] } });
    const [a, b, dev] = [await newAccount(s), await newAccount(s), await newAccount(s, { tier: "DEV" })];
    const x = await allocated({
      poolId: p,
      accountId: a,
      prefixLength: 24,
      name: "n",
      description: "d",
      tags: { k: "v" },
    });
    const UPDATE = `mutation($input: UpdateAllocationInput!) { updateAllocation(input: $input) { allocation { name description tags account { id } } } }`;
    const r = await s.ok<{ updateAllocation: { allocation: unknown } }>(UPDATE, {
      input: { id: x.id, accountId: b, description: null },
    });
    expect(r.updateAllocation.allocation).toEqual({
      name: "n",
      description: null,
      tags: { k: "v" },
      account: { id: b },
    });
    const refused = await s.gql(UPDATE, { input: { id: x.id, accountId: dev } });
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      details: { field: "accountId" },
    });
    const badTags = await s.gql(UPDATE, { input: { id: x.id, tags: { k: 1 } } });
    expect(badTags.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      details: { field: "tags" },
    });
  });

  it("records allocation.created, .updated and .released events as version-2 snapshots with global ids", async () => {
    const [p, a] = [await newPool(s, "10.18.0.0/16"), await newAccount(s)];
    const x = await allocated({ poolId: p, accountId: a, prefixLength: 24 });
    await s.ok(
      `mutation($id: ID!) { updateAllocation(input: {id: $id, name: "renamed"}) { allocation { id } } }`,
      {
        id: x.id,
      },
    );
    await s.ok(RELEASE, { id: x.id });
    const rows = s.app.services.store;
    const subjectId = String(Buffer.from(x.id, "base64url").toString().split(":")[1]);
    const events = await rows.read((db) =>
      db
        .select({ type: eventsTable.type, after: eventsTable.after })
        .from(eventsTable)
        .where(and(like(eventsTable.type, "allocation.%"), eq(eventsTable.subjectId, subjectId)))
        .orderBy(asc(eventsTable.id)),
    );
    const types = (events as { type: string; after: string }[]).map((e) => e.type);
    expect(types).toEqual(["allocation.created", "allocation.updated", "allocation.released"]);
    for (const e of events as { after: string }[]) {
      const after = JSON.parse(e.after) as { v: unknown; id: unknown; poolId: unknown; accountId: unknown };
      expect(after).toMatchObject({ v: 2, id: x.id, poolId: p, accountId: a });
    }
  });
});

describe("Pool.allocations and Account.allocations", () => {
  it("pages a pool's allocations in address order, filtered by status, with totalCount", async () => {
    const [p, a] = [await newPool(s, "10.19.0.0/16"), await newAccount(s)];
    const made = [];
    for (let i = 0; i < 7; i++) made.push(await allocated({ poolId: p, accountId: a, prefixLength: 24 }));
    await s.ok(`mutation($id: ID!) { releaseAllocation(input: {id: $id}) { allocation { id } } }`, {
      id: made[3]!.id,
    });
    const Q = `query($id: ID!, $after: String, $status: AllocationStatus) { node(id: $id) { ... on Pool {
      allocations(first: 3, after: $after, status: $status) { totalCount pageInfo { hasNextPage endCursor } edges { node { cidr account { id } } } } } } }`;
    type R = {
      node: {
        allocations: {
          totalCount: number;
          pageInfo: { hasNextPage: boolean; endCursor: string };
          edges: { node: { cidr: string } }[];
        };
      };
    };
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const r: R = await s.ok<R>(Q, { id: p, after, status: "ALLOCATED" });
      seen.push(...r.node.allocations.edges.map((e) => e.node.cidr));
      expect(r.node.allocations.totalCount).toBe(6);
      if (!r.node.allocations.pageInfo.hasNextPage) break;
      after = r.node.allocations.pageInfo.endCursor;
    }
    expect(seen).toEqual([0, 1, 2, 4, 5, 6].map((i) => `10.19.${i}.0/24`));
    const acct = await s.ok<{
      node: { allocations: { totalCount: number; edges: { node: { cidr: string } }[] } };
    }>(
      `query($id: ID!) { node(id: $id) { ... on Account { allocations(status: RELEASED) { totalCount edges { node { cidr } } } } } }`,
      { id: a },
    );
    expect(acct.node.allocations).toEqual({ totalCount: 1, edges: [{ node: { cidr: "10.19.3.0/24" } }] });
  });
});

const BACKGROUND_TABLES =
  /\b(from|into|update)\s+"?(events|webhooks|webhook_deliveries|sync_state|cloud_resources)"?/i;

// The statement hook is SQLite's (better-sqlite3 verbose); on PostgreSQL the count is not observed.
describe.skipIf(testBackend === "postgres")("statement counts", () => {
  it("runs the same number of SQL statements for 5 or 150 allocations with their pool and account, and one more for block occupants' accounts", async () => {
    const statements: string[] = [];
    const q = await startTestServer({ AUTH: "off" }, { onStatement: (sql) => statements.push(sql) });
    try {
      const acct = await q.ok<{ createAccount: { account: { id: string } } }>(
        `mutation { createAccount(input: {key: "aws:999999999999", name: "count", tier: PRD}) { account { id } } }`,
      );
      const p = await q.ok<{ createPool: { pool: { id: string } } }>(
        `mutation { createPool(input: {cidr: "10.200.0.0/16", name: "count"}) { pool { id } } }`,
      );
      const input = {
        poolId: p.createPool.pool.id,
        accountId: acct.createAccount.account.id,
        prefixLength: 26,
      };
      for (let i = 0; i < 150; i++) await q.ok(ALLOCATE, { input });
      const count = async (query: string, first: number) => {
        statements.length = 0;
        await q.ok(query, { id: input.poolId, first });
        // Background workers (event hub, webhook outbox) poll their own tables at any moment: not counted.
        return statements.filter((sql) => !BACKGROUND_TABLES.test(sql)).length;
      };
      const LIST = `query($id: ID!, $first: Int) { node(id: $id) { ... on Pool {
        allocations(first: $first) { edges { node { cidr pool { name } account { key } } } } } } }`;
      expect(await count(LIST, 150)).toBe(await count(LIST, 5));
      // Block occupants come with the page's own rows; only their accounts are loaded, in one batch.
      const blocks = (fields: string) => `query($id: ID!, $first: Int) { node(id: $id) { ... on Pool {
        blocks(prefixLength: 26, first: $first) { edges { node { cidr ${fields} } } } } } }`;
      const bare = await count(blocks(""), 150);
      expect(await count(blocks("occupant { ... on Allocation { name account { key } } }"), 150)).toBe(
        bare + 1,
      );
    } finally {
      await q.close();
    }
  });
});
