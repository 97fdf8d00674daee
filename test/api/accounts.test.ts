import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromGlobalId } from "../../src/schema/node.js";
import { insertPrefix, rangeColumns } from "../../src/db/prefixes.js";
import { occupyInPool } from "../../src/domain/placement.js";
import { prefixById } from "../../src/db/prefixes.js";
import { parsePrefix } from "../../src/allocator/index.js";
import { createAccount, createPool, dumpServer, failing, pageAll } from "../helpers/plan.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

const ACCOUNT_FIELDS = `id key provider name description platform tier environment regions
  settings { regions roleArn externalId projectId } reconcilePolicy createdAt updatedAt`;
const CREATE = `mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { ${ACCOUNT_FIELDS} } } }`;
const UPDATE = `mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { ${ACCOUNT_FIELDS} } } }`;
const DELETE = `mutation($input: DeleteAccountInput!) { deleteAccount(input: $input) {
  deletedAccountId detachedPools { id account { id } } removed { id kind cidr released } } }`;

async function accounts(args: Record<string, unknown>) {
  const r = await s.ok<{
    accounts: {
      totalCount: number;
      edges: { cursor: string; node: { id: string; key: string; name: string } }[];
      pageInfo: {
        hasNextPage: boolean;
        hasPreviousPage: boolean;
        startCursor: string | null;
        endCursor: string | null;
      };
    };
  }>(
    `query($filter: AccountFilter, $orderBy: AccountOrder, $first: Int, $after: String, $last: Int, $before: String) {
      accounts(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
        totalCount edges { cursor node { id key name } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
    args,
  );
  return r.accounts;
}

/** An allocation row carved from a pool, as the allocations module would (placement + insert). */
async function allocate(poolId: string, cidr: string, accountId: string, released = false) {
  const pool = fromGlobalId(poolId).id;
  const account = fromGlobalId(accountId).id;
  return s.app.services.store.write(async (db) => {
    const parent = (await prefixById(db, pool))!;
    const p = parsePrefix(cidr);
    if (!released) await occupyInPool(db, parent, p);
    return await insertPrefix(db, {
      kind: "allocation",
      scopeId: parent.scopeId,
      parentId: pool,
      accountId: account,
      status: released ? "RELEASED" : "ALLOCATED",
      releasedAt: released ? new Date().toISOString() : null,
      name: `alloc-${cidr}`,
      ...rangeColumns(p),
    });
  });
}

describe("createAccount", () => {
  it("derives the provider from the key and stores regions, settings and policy", async () => {
    const r = await s.ok<{ createAccount: { account: Record<string, unknown> } }>(CREATE, {
      input: {
        key: " aws:210987654321 ",
        name: "payments-prod",
        platform: "payments",
        tier: "PRD",
        environment: "prod-us",
        regions: ["us-east-1", "us-west-2", "us-east-1"],
        settings: { regions: ["us-east-1"], roleArn: "arn:aws:iam::210987654321:role/cloudpam-read" },
      },
    });
    expect(r.createAccount.account).toMatchObject({
      key: "aws:210987654321",
      provider: "AWS",
      tier: "PRD",
      regions: ["us-east-1", "us-west-2"],
      settings: {
        regions: ["us-east-1"],
        roleArn: "arn:aws:iam::210987654321:role/cloudpam-read",
        projectId: null,
      },
      reconcilePolicy: "OBSERVE",
    });
  });

  it("accepts every provider's key form", async () => {
    const keys = {
      "gcp:my-project-42": "GCP",
      "azure:0A1B2C3D-0000-4000-8000-00000000AAAA": "AZURE",
      "onprem:dc-east-1": "ONPREM",
    };
    for (const [key, provider] of Object.entries(keys)) {
      const r = await s.ok<{ createAccount: { account: { key: string; provider: string } } }>(CREATE, {
        input: { key, name: key },
      });
      expect(r.createAccount.account.provider).toBe(provider);
    }
    const azure = await accounts({ filter: { provider: "AZURE" } });
    expect(azure.edges[0]!.node.key).toBe("azure:0a1b2c3d-0000-4000-8000-00000000aaaa");
  });

  it("validates keys, regions and settings per provider with field details", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ key: "aws:12345", name: "x" }, "key"],
      [{ key: "aws:1234567890123", name: "x" }, "key"],
      [{ key: "gcp:Bad_Project", name: "x" }, "key"],
      [{ key: "gcp:short", name: "x" }, "key"],
      [{ key: "gcp:ends-with-dash-", name: "x" }, "key"],
      [{ key: "azure:not-a-uuid", name: "x" }, "key"],
      [{ key: "onprem:Has Spaces", name: "x" }, "key"],
      [{ key: "ibm:123", name: "x" }, "key"],
      [{ key: "aws:123456789012", name: " " }, "name"],
      [{ key: "aws:123456789012", name: "x", regions: ["europe-west4"] }, "regions"],
      [{ key: "gcp:good-project", name: "x", regions: ["us-east-1"] }, "regions"],
      [{ key: "aws:123456789012", name: "x", settings: { regions: ["mars-1"] } }, "settings.regions"],
      [
        { key: "aws:123456789012", name: "x", settings: { roleArn: "arn:aws:iam::999999999999:role/r" } },
        "settings.roleArn",
      ],
      [{ key: "aws:123456789012", name: "x", settings: { roleArn: "not-an-arn" } }, "settings.roleArn"],
      [
        { key: "gcp:good-project", name: "x", settings: { roleArn: "arn:aws:iam::123456789012:role/r" } },
        "settings.roleArn",
      ],
      [{ key: "aws:123456789012", name: "x", settings: { projectId: "good-project" } }, "settings.projectId"],
    ];
    for (const [input, field] of cases) {
      const e = await failing(s, CREATE, { input });
      expect({ input, code: e.extensions?.code, field: e.extensions?.details?.field }).toEqual({
        input,
        code: "BAD_USER_INPUT",
        field,
      });
    }
  });

  it("refuses a duplicate key, naming the existing account", async () => {
    const first = await createAccount(s, { key: "aws:555555555555", name: "first" });
    const e = await failing(s, CREATE, { input: { key: "aws:555555555555", name: "second" } });
    expect(e.extensions?.code).toBe("CONFLICT");
    expect(e.extensions?.details).toEqual({
      field: "key",
      conflicting: { type: "Account", id: first.id, name: "first" },
    });
  });
});

describe("updateAccount", () => {
  it("changes only the fields present, clears nulls, and validates against the provider", async () => {
    const a = await createAccount(s, {
      key: "gcp:update-project",
      name: "upd",
      tier: "DEV",
      environment: "dev",
      regions: ["europe-west4"],
    });
    const r = await s.ok<{ updateAccount: { account: Record<string, unknown> } }>(UPDATE, {
      input: {
        id: a.id,
        tier: "STG",
        environment: null,
        reconcilePolicy: "MANAGE",
        settings: { projectId: "other-project" },
      },
    });
    expect(r.updateAccount.account).toMatchObject({
      name: "upd",
      tier: "STG",
      environment: null,
      regions: ["europe-west4"],
      reconcilePolicy: "MANAGE",
      settings: { projectId: "other-project", roleArn: null },
    });
    const e = await failing(s, UPDATE, { input: { id: a.id, regions: ["us-east-1"] } });
    expect(e.extensions?.details).toMatchObject({ field: "regions" });
  });
});

describe("accounts query", () => {
  it("filters by provider, tier, environment, region and key or name search", async () => {
    await createAccount(s, {
      key: "aws:100000000001",
      name: "Search-Alpha",
      tier: "SBX",
      environment: "lab",
      regions: ["eu-west-1"],
    });
    await createAccount(s, {
      key: "aws:100000000002",
      name: "search-beta",
      tier: "SBX",
      environment: "lab2",
      regions: ["eu-central-1"],
    });
    const keys = async (filter: Record<string, unknown>) =>
      (await accounts({ filter })).edges.map((e) => e.node.key);

    expect(await keys({ tier: "SBX" })).toEqual(["aws:100000000001", "aws:100000000002"]);
    expect(await keys({ tier: "SBX", environment: "lab2" })).toEqual(["aws:100000000002"]);
    expect(await keys({ region: "eu-west-1" })).toEqual(["aws:100000000001"]);
    expect(await keys({ search: "SEARCH-a" })).toEqual(["aws:100000000001"]);
    expect(await keys({ search: "00000002" })).toEqual(["aws:100000000002"]);
    expect(await keys({ provider: "AWS", tier: "SBX", search: "search" })).toHaveLength(2);
  });

  it("pages in both directions and orders by key, name and creation time", async () => {
    for (let i = 0; i < 12; i++)
      await createAccount(s, { key: `onprem:page-${String(i).padStart(2, "0")}`, name: `z-page ${11 - i}` });
    const filter = { search: "page-" };
    const forward = await pageAll((a) => accounts({ filter, ...a }), 5);
    const backward = await pageAll((a) => accounts({ filter, ...a }), 5, true);
    const byName = await pageAll(
      (a) => accounts({ filter, orderBy: { field: "NAME", direction: "DESC" }, ...a }),
      4,
    );
    const byCreated = await accounts({
      filter,
      orderBy: { field: "CREATED_AT", direction: "DESC" },
      first: 1,
    });

    expect(forward.map((a) => a.key)).toEqual(backward.map((a) => a.key));
    expect(forward.map((a) => a.key)[0]).toBe("onprem:page-00");
    expect(byName.map((a) => a.name)).toEqual(
      forward
        .map((a) => a.name)
        .sort()
        .reverse(),
    );
    expect(byCreated.edges[0]!.node.key).toBe("onprem:page-11");
    expect(byCreated.totalCount).toBe(12);
  });

  it("lists an account's pools", async () => {
    const a = await createAccount(s, { key: "onprem:pool-owner", name: "owner" });
    await createPool(s, { name: "owned-2", cidr: "192.168.2.0/24", accountId: a.id });
    await createPool(s, { name: "owned-1", cidr: "192.168.1.0/24", accountId: a.id });
    const r = await s.ok<{ account: { pools: { totalCount: number; edges: { node: { name: string } }[] } } }>(
      `query($id: ID!) { account(id: $id) { pools { totalCount edges { node { name } } } } }`,
      { id: a.id },
    );
    expect(r.account.pools.totalCount).toBe(2);
    expect(r.account.pools.edges.map((e) => e.node.name)).toEqual(["owned-1", "owned-2"]);
  });
});

describe("deleteAccount", () => {
  it("refuses while pools or allocations use it, naming them, and changes nothing", async () => {
    const a = await createAccount(s, { key: "aws:700000000001", name: "busy" });
    const pool = await createPool(s, { name: "busy-pool", cidr: "100.64.0.0/16", accountId: a.id });
    const before = await dumpServer(s);

    const e = await failing(s, DELETE, { input: { id: a.id } });

    expect(e.extensions?.code).toBe("CONFLICT");
    expect(e.message).toContain("account 'busy' (aws:700000000001) is used by 1 pool(s)/allocation(s)");
    expect(e.extensions?.details).toEqual({
      field: "cascade",
      conflicting: [{ type: "Pool", id: pool.id, name: "busy-pool", cidr: "100.64.0.0/16" }],
    });
    expect(await dumpServer(s)).toBe(before);
  });

  it("with cascade detaches its pools, deletes its allocations and returns their space, in one transaction", async () => {
    const a = await createAccount(s, { key: "aws:700000000002", name: "leaving" });
    const other = await createAccount(s, { key: "aws:700000000003", name: "staying" });
    const owned = await createPool(s, { name: "leaving-pool", cidr: "100.65.0.0/16", accountId: a.id });
    const shared = await createPool(s, { name: "shared-pool", cidr: "100.66.0.0/16", accountId: other.id });
    const live = await allocate(shared.id, "100.66.1.0/24", a.id);
    const history = await allocate(shared.id, "100.66.2.0/24", a.id, true);

    const r = await s.ok<{
      deleteAccount: {
        deletedAccountId: string;
        detachedPools: { id: string; account: null }[];
        removed: { id: string; kind: string; cidr: string; released: boolean }[];
      };
    }>(DELETE, { input: { id: a.id, cascade: true } });

    expect(r.deleteAccount.deletedAccountId).toBe(a.id);
    expect(r.deleteAccount.detachedPools).toEqual([{ id: owned.id, account: null }]);
    expect(r.deleteAccount.removed.map((x) => [x.kind, x.cidr, x.released]).sort()).toEqual([
      ["ALLOCATION", "100.66.1.0/24", false],
      ["ALLOCATION", "100.66.2.0/24", true],
    ]);
    expect(r.deleteAccount.removed.map((x) => fromGlobalId(x.id).id).sort()).toEqual(
      [live.id, history.id].sort(),
    );
    // The space of the deleted allocation is free again.
    const again = await createPool(s, { name: "reuse", parentId: shared.id, cidr: "100.66.1.0/24" });
    expect(again.cidr).toBe("100.66.1.0/24");
    const gone = await s.ok<{ account: null }>(`query($id: ID!) { account(id: $id) { id } }`, { id: a.id });
    expect(gone.account).toBeNull();
    const events = (JSON.parse(await dumpServer(s)) as { events: { type: string; subject_id: string }[] })
      .events;
    expect(events.filter((e) => e.subject_id === String(fromGlobalId(a.id).id)).map((e) => e.type)).toContain(
      "account.deleted",
    );
    expect(events.filter((e) => e.type === "allocation.deleted").length).toBe(2);
  });
});
