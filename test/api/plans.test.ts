import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, createPool, dumpServer, failing } from "../helpers/plan.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ RATE_LIMIT_PER_SECOND: "100000", RATE_LIMIT_BURST: "100000" });
});
afterAll(async () => {
  await s.close();
});

const PREVIEW = `query($input: PlanInput!) { previewPlan(input: $input) {
  poolCount applicable rootPercentBefore rootPercentAfter rootLargestFreeAfter
  rootHeadroomAfter rootPercentWithHeadroomAfter
  nodes { path parentPath level key name cidr prefixLength slot percent headroom percentWithHeadroom }
  conflicts { path field code message conflicting { id name cidr } }
} }`;
const APPLY = `mutation($input: PlanInput!, $key: String) { applyPlan(input: $input, idempotencyKey: $key) {
  rootPool { id } pools { id name cidr parent { name } }
} }`;

interface Node {
  path: string;
  parentPath: string | null;
  level: number;
  key: string;
  name: string;
  cidr: string | null;
  prefixLength: number;
  slot: string | null;
  percent: number;
  headroom: string;
  percentWithHeadroom: number;
}
interface Preview {
  poolCount: number;
  applicable: boolean;
  rootPercentBefore: number;
  rootPercentAfter: number;
  rootLargestFreeAfter: string | null;
  rootHeadroomAfter: string;
  rootPercentWithHeadroomAfter: number;
  nodes: Node[];
  conflicts: {
    path: string;
    field: string;
    code: string;
    message: string;
    conflicting: { id: string; name: string; cidr: string };
  }[];
}
type Applied = {
  applyPlan: {
    rootPool: { id: string };
    pools: { id: string; name: string; cidr: string; parent: { name: string } }[];
  };
};

const preview = async (input: Record<string, unknown>) =>
  (await s.ok<{ previewPlan: Preview }>(PREVIEW, { input })).previewPlan;
const apply = async (input: Record<string, unknown>, key?: string) =>
  (await s.ok<Applied>(APPLY, { input, key })).applyPlan;

/** The preview's tree as (name, cidr, parent name): what apply must create. */
function expectedPools(p: Preview, rootName: string) {
  const byPath = new Map(p.nodes.map((n) => [n.path, n]));
  return p.nodes.map((n) => ({
    name: n.name,
    cidr: n.cidr,
    parent: { name: n.parentPath ? byPath.get(n.parentPath)!.name : rootName },
  }));
}

describe("previewPlan / applyPlan", () => {
  it("proposes every region, tier and account with room to double, and apply creates exactly the preview", async () => {
    const root = await createPool(s, { name: "plan-v4", cidr: "10.0.0.0/8" });
    const input = {
      rootPoolId: root.id,
      levels: [
        { namePattern: "{key}", keys: ["use1", "euw1"], prefixLength: 12, reserveFor: 2 },
        { keys: ["prd", "dev"], prefixLength: 14 },
        { namePattern: "{parent}-acct{index}", count: 3, size: "4096" },
      ],
    };
    const before = await dumpServer(s);

    const p = await preview(input);

    expect(await dumpServer(s)).toBe(before); // a preview writes nothing
    expect(p.poolCount).toBe(2 + 4 + 12);
    expect(p.applicable).toBe(true);
    expect(p.conflicts).toEqual([]);
    expect(p.nodes.slice(0, 6)).toEqual([
      {
        path: "use1",
        parentPath: null,
        level: 0,
        key: "use1",
        name: "use1",
        cidr: "10.0.0.0/12",
        prefixLength: 12,
        slot: "10.0.0.0/11",
        percent: 50,
        headroom: "1048576",
        percentWithHeadroom: 50,
      },
      {
        path: "use1/use1-prd",
        parentPath: "use1",
        level: 1,
        key: "prd",
        name: "use1-prd",
        cidr: "10.0.0.0/14",
        prefixLength: 14,
        slot: "10.0.0.0/14",
        percent: 4.6875,
        headroom: "0",
        percentWithHeadroom: 4.6875,
      },
      {
        path: "use1/use1-prd/use1-prd-acct1",
        parentPath: "use1/use1-prd",
        level: 2,
        key: "1",
        name: "use1-prd-acct1",
        cidr: "10.0.0.0/20",
        prefixLength: 20,
        slot: "10.0.0.0/20",
        percent: 0,
        headroom: "0",
        percentWithHeadroom: 0,
      },
      {
        path: "use1/use1-prd/use1-prd-acct2",
        parentPath: "use1/use1-prd",
        level: 2,
        key: "2",
        name: "use1-prd-acct2",
        cidr: "10.0.16.0/20",
        prefixLength: 20,
        slot: "10.0.16.0/20",
        percent: 0,
        headroom: "0",
        percentWithHeadroom: 0,
      },
      {
        path: "use1/use1-prd/use1-prd-acct3",
        parentPath: "use1/use1-prd",
        level: 2,
        key: "3",
        name: "use1-prd-acct3",
        cidr: "10.0.32.0/20",
        prefixLength: 20,
        slot: "10.0.32.0/20",
        percent: 0,
        headroom: "0",
        percentWithHeadroom: 0,
      },
      {
        path: "use1/use1-dev",
        parentPath: "use1",
        level: 1,
        key: "dev",
        name: "use1-dev",
        cidr: "10.4.0.0/14",
        prefixLength: 14,
        slot: "10.4.0.0/14",
        percent: 4.6875,
        headroom: "0",
        percentWithHeadroom: 4.6875,
      },
    ]);
    expect(p.nodes.find((n) => n.path === "euw1")).toMatchObject({
      cidr: "10.32.0.0/12",
      slot: "10.32.0.0/11",
    });
    expect([
      p.rootPercentBefore,
      p.rootPercentAfter,
      p.rootLargestFreeAfter,
      p.rootHeadroomAfter,
      p.rootPercentWithHeadroomAfter,
    ]).toEqual([0, 12.5, "10.128.0.0/9", String(2 * 2 ** 20), 25]);

    const applied = await apply(input);

    expect(applied.pools.map(({ name, cidr, parent }) => ({ name, cidr, parent }))).toEqual(
      expectedPools(p, "plan-v4"),
    );
    // The headroom stays free beside each region: the next /12 taken from the root is the one left for use1.
    const next = await s.ok<{ createPool: { pool: { cidr: string } } }>(
      `mutation($input: CreatePoolInput!) { createPool(input: $input) { pool { cidr } } }`,
      { input: { name: "later", parentId: root.id, prefixLength: 12 } },
    );
    expect(next.createPool.pool.cidr).toBe("10.16.0.0/12");
    const events = await s.ok<{ events: { edges: { node: { type: string } }[] } }>(
      `query($id: ID) { events(first: 100, filter: { subjectId: $id, types: ["plan.applied"] }) { edges { node { type } } } }`,
      { id: root.id },
    );
    expect(events.events.edges).toHaveLength(1);
  });

  it("plans IPv6: a /48 per region, a /56 per account, a /64 per subnet", async () => {
    const root = await createPool(s, { name: "plan-v6", cidr: "2001:db8::/32" });
    const input = {
      rootPoolId: root.id,
      levels: [
        { namePattern: "r{key}", count: 2, prefixLength: 48 },
        { namePattern: "{parent}-a{key}", count: 2, prefixLength: 56 },
        { namePattern: "{parent}-s{key}", count: 2, prefixLength: 64 },
      ],
    };
    const p = await preview(input);
    expect(p.nodes.map((n) => [n.name, n.cidr])).toEqual([
      ["r1", "2001:db8::/48"],
      ["r1-a1", "2001:db8::/56"],
      ["r1-a1-s1", "2001:db8::/64"],
      ["r1-a1-s2", "2001:db8:0:1::/64"],
      ["r1-a2", "2001:db8:0:100::/56"],
      ["r1-a2-s1", "2001:db8:0:100::/64"],
      ["r1-a2-s2", "2001:db8:0:101::/64"],
      ["r2", "2001:db8:1::/48"],
      ["r2-a1", "2001:db8:1::/56"],
      ["r2-a1-s1", "2001:db8:1::/64"],
      ["r2-a1-s2", "2001:db8:1:1::/64"],
      ["r2-a2", "2001:db8:1:100::/56"],
      ["r2-a2-s1", "2001:db8:1:100::/64"],
      ["r2-a2-s2", "2001:db8:1:101::/64"],
    ]);
    const applied = await apply(input);
    expect(applied.pools.map(({ name, cidr, parent }) => ({ name, cidr, parent }))).toEqual(
      expectedPools(p, "plan-v6"),
    );
    // The created pools' free space is right: the next /56 in r1 follows its two planned accounts.
    const r1 = applied.pools.find((x) => x.name === "r1")!;
    const next = await s.ok<{ createPool: { pool: { cidr: string } } }>(
      `mutation($input: CreatePoolInput!) { createPool(input: $input) { pool { cidr } } }`,
      { input: { name: "r1-a3", parentId: r1.id, prefixLength: 56 } },
    );
    expect(next.createPool.pool.cidr).toBe("2001:db8:0:200::/56");
  });

  it("lists every conflict with what exists, and apply then writes nothing (byte-identical database)", async () => {
    const root = await createPool(s, { name: "plan-busy", cidr: "172.16.0.0/16" });
    const existing = await createPool(s, { name: "r-a", parentId: root.id, cidr: "172.16.0.0/17" });
    const input = {
      rootPoolId: root.id,
      levels: [
        { namePattern: "r-{key}", keys: ["a", "b"], prefixLength: 17 },
        { count: 2, prefixLength: 18 },
      ],
    };

    const p = await preview(input);

    expect(p.applicable).toBe(false);
    expect(p.conflicts.map((c) => [c.path, c.field, c.code, c.conflicting.name])).toEqual([
      ["r-a", "levels[0].namePattern", "NAME_TAKEN", "r-a"],
      ["r-b", "levels[0].prefixLength", "NO_SPACE", "plan-busy"],
    ]);
    expect(p.conflicts[0]!.conflicting.id).toBe(existing.id);
    expect(p.conflicts[1]!.message).toContain("no free /17 left for 'r-b'");
    expect(p.nodes.map((n) => [n.path, n.cidr])).toEqual([
      ["r-a", "172.16.128.0/17"],
      ["r-a/r-a-1", "172.16.128.0/18"],
      ["r-a/r-a-2", "172.16.192.0/18"],
      ["r-b", null],
      ["r-b/r-b-1", null],
      ["r-b/r-b-2", null],
    ]);

    const before = await dumpServer(s);
    const e = await failing(s, APPLY, { input });
    expect(e.extensions?.code).toBe("CONFLICT");
    expect(e.extensions?.details).toMatchObject({
      field: "levels[0].namePattern",
      conflicting: [{ id: existing.id }, { id: root.id }],
      conflicts: [
        { path: "r-a", code: "NAME_TAKEN" },
        { path: "r-b", code: "NO_SPACE" },
      ],
    });
    expect(await dumpServer(s)).toBe(before);
  });

  it("applies 4 regions × 4 tiers × 200 accounts (3,200 account pools) in one transaction", async () => {
    const root = await createPool(s, { name: "plan-big", cidr: "100.64.0.0/10" });
    const input = {
      rootPoolId: root.id,
      levels: [
        { namePattern: "{key}", keys: ["use1", "usw2", "euw1", "apne1"], prefixLength: 12 },
        { keys: ["prd", "stg", "dev", "sbx"], prefixLength: 14 },
        { namePattern: "{parent}-{key}", count: 200, prefixLength: 22 },
      ],
    };
    const p = await preview(input);
    expect([p.poolCount, p.applicable]).toEqual([4 + 16 + 3200, true]);

    const applied = await apply(input, "big-plan");

    expect(applied.pools).toHaveLength(3220);
    expect(applied.pools.map((x) => x.cidr)).toEqual(p.nodes.map((n) => n.cidr));
    expect(applied.pools[3219]).toMatchObject({ name: "apne1-sbx-200", cidr: "100.127.28.0/22" });
    // One transaction: the 3,220 pool.created events and plan.applied hold consecutive log positions.
    const ev = await s.ok<{ events: { edges: { node: { cursor: string; type: string } }[] } }>(
      `query($id: ID) { events(first: 1, filter: { subjectId: $id, types: ["plan.applied"] }) { edges { node { cursor type } } } }`,
      { id: root.id },
    );
    const planCursor = Number(ev.events.edges[0]!.node.cursor);
    const created = await s.ok<{ events: { edges: { node: { cursor: string } }[] } }>(
      `query($id: ID) { events(first: 1, filter: { subjectId: $id, types: ["pool.created"] }) { edges { node { cursor } } } }`,
      { id: applied.pools[0]!.id },
    );
    expect(planCursor - Number(created.events.edges[0]!.node.cursor)).toBe(3220);

    // A retry with the same key returns the same pools and writes nothing.
    const before = await dumpServer(s);
    const again = await apply(input, "big-plan");
    expect(again.pools.map((x) => x.id)).toEqual(applied.pools.map((x) => x.id));
    expect(await dumpServer(s)).toBe(before);
    const other = await failing(s, APPLY, {
      input: { ...input, levels: input.levels.slice(0, 1) },
      key: "big-plan",
    });
    expect(other.extensions?.code).toBe("CONFLICT");
    expect(other.extensions?.details?.field).toBe("idempotencyKey");
  }, 60_000);

  it("refuses an ill-formed template, naming the level field", async () => {
    const root = await createPool(s, { name: "plan-bad", cidr: "172.17.0.0/16" });
    const both = await failing(s, PREVIEW, {
      input: { rootPoolId: root.id, levels: [{ keys: ["a"], count: 2, prefixLength: 20 }] },
    });
    expect(both.extensions).toMatchObject({ code: "BAD_USER_INPUT", details: { field: "levels[0].keys" } });
    const tooBig = await failing(s, PREVIEW, {
      input: {
        rootPoolId: root.id,
        levels: [
          { count: 2, prefixLength: 20 },
          { count: 2, prefixLength: 22, reserveFor: 8 },
          { count: 1, prefixLength: 22 },
        ],
      },
    });
    // A /22 fits in a /20, but not with room for 8× (a /19 slot): the headroom is what to change.
    expect(tooBig.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      details: { field: "levels[1].reserveFor", minimum: 24 },
    });
    const tooLong = await failing(s, PREVIEW, {
      input: { rootPoolId: root.id, levels: [{ count: 2, prefixLength: 16 }] },
    });
    expect(tooLong.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      details: { field: "levels[0].prefixLength" },
    });
  });
});

const RESIZE = `mutation($input: ResizePoolInput!) { resizePool(input: $input) { pool { cidr } previousCidr } }`;

describe("reserveFor headroom", () => {
  it("leaves each pool's slot free beside it (reserveFor 2 doubles, 4 quadruples), shown in the preview, and each pool grows into it", async () => {
    const root = await createPool(s, { name: "plan-room", cidr: "192.168.0.0/16" });
    const input = {
      rootPoolId: root.id,
      levels: [
        { namePattern: "{key}", keys: ["a", "b"], prefixLength: 20, reserveFor: 2 },
        { namePattern: "{parent}-{key}", count: 2, prefixLength: 24, reserveFor: 4 },
      ],
    };

    const p = await preview(input);

    expect(
      p.nodes.map((n) => [n.path, n.cidr, n.slot, n.headroom, n.percent, n.percentWithHeadroom]),
    ).toEqual([
      ["a", "192.168.0.0/20", "192.168.0.0/19", "4096", 12.5, 50],
      ["a/a-1", "192.168.0.0/24", "192.168.0.0/22", "768", 0, 0],
      ["a/a-2", "192.168.4.0/24", "192.168.4.0/22", "768", 0, 0],
      ["b", "192.168.32.0/20", "192.168.32.0/19", "4096", 12.5, 50],
      ["b/b-1", "192.168.32.0/24", "192.168.32.0/22", "768", 0, 0],
      ["b/b-2", "192.168.36.0/24", "192.168.36.0/22", "768", 0, 0],
    ]);
    // The root: two /20s in use (12.5 %), their two /20s of headroom free beside them (25 % with headroom).
    expect([
      p.rootPercentAfter,
      p.rootHeadroomAfter,
      p.rootPercentWithHeadroomAfter,
      p.rootLargestFreeAfter,
    ]).toEqual([12.5, "8192", 25, "192.168.128.0/17"]);

    const applied = await apply(input);

    // The promised free space is there: every pool grows in place to its whole slot.
    for (const n of p.nodes) {
      const pool = applied.pools.find((x) => x.name === n.name)!;
      const r = await s.ok<{ resizePool: { pool: { cidr: string }; previousCidr: string } }>(RESIZE, {
        input: { id: pool.id, cidr: n.slot },
      });
      expect(r.resizePool).toEqual({ pool: { cidr: n.slot }, previousCidr: n.cidr });
    }
  });

  it("refuses a plan that fits only without its headroom, naming reserveFor, and writes nothing", async () => {
    const root = await createPool(s, { name: "plan-tight", cidr: "198.18.0.0/15" });
    const existing = await createPool(s, { name: "taken", parentId: root.id, cidr: "198.18.0.0/17" });
    const input = {
      rootPoolId: root.id,
      levels: [{ namePattern: "{key}", keys: ["x", "y"], prefixLength: 17, reserveFor: 2 }],
    };

    const p = await preview(input);

    expect(p.applicable).toBe(false);
    expect(p.nodes.map((n) => [n.path, n.cidr, n.slot])).toEqual([
      ["x", "198.19.0.0/17", "198.19.0.0/16"],
      ["y", null, null],
    ]);
    expect(p.conflicts).toEqual([
      {
        path: "y",
        field: "levels[0].reserveFor",
        code: "NO_SPACE",
        message:
          "no free /16 (a /17 with room for 2×) left for 'y' in pool 'plan-tight' (198.18.0.0/15); the largest free block is 198.18.128.0/17; the /17 alone would fit without the headroom",
        conflicting: { id: root.id, name: "plan-tight", cidr: "198.18.0.0/15" },
      },
    ]);
    const before = await dumpServer(s);
    const e = await failing(s, APPLY, { input });
    expect(e.extensions).toMatchObject({
      code: "CONFLICT",
      details: { field: "levels[0].reserveFor", conflicts: [{ path: "y", code: "NO_SPACE" }] },
    });
    expect(await dumpServer(s)).toBe(before);
    expect(existing.cidr).toBe("198.18.0.0/17");
  });
});

describe("accounts levels (keys from an account filter)", () => {
  const ACCOUNTS_PREVIEW = `query($input: PlanInput!) { previewPlan(input: $input) {
    poolCount applicable nodes { path key name cidr account { id key name } }
  } }`;
  const ACCOUNTS_APPLY = `mutation($input: PlanInput!) { applyPlan(input: $input) {
    pools { name cidr parent { name } account { id key } }
  } }`;

  it("makes one pool per matching account, named by the pattern and assigned to the account; apply writes the preview", async () => {
    const mk = (n: string, extra: Record<string, unknown>) =>
      createAccount(s, { key: `aws:7000000000${n}`, name: `team-${n}`, tier: "PRD", ...extra });
    // Created out of key order: the level lists accounts by key.
    const b = await mk("02", { platform: "plan-payments", environment: "prod", regions: ["us-east-1"] });
    const a = await mk("01", { platform: "plan-payments", environment: "prod", regions: ["us-east-1"] });
    await mk("03", { platform: "plan-payments", environment: "staging", regions: ["us-east-1"] });
    await mk("04", { platform: "plan-search", environment: "prod", regions: ["us-east-1"] });
    await mk("05", { platform: "plan-payments", environment: "prod", tier: "DEV", regions: ["us-east-1"] });
    const root = await createPool(s, { name: "plan-acct", cidr: "198.51.100.0/24" });
    const input = {
      rootPoolId: root.id,
      levels: [
        { namePattern: "{key}", keys: ["use1", "euw1"], prefixLength: 25 },
        {
          namePattern: "{parent}-{account.name}",
          accounts: { platform: "plan-payments", tier: "PRD", environment: "prod", region: "us-east-1" },
          prefixLength: 28,
        },
      ],
    };

    const p = (
      await s.ok<{
        previewPlan: {
          poolCount: number;
          applicable: boolean;
          nodes: { path: string; key: string; name: string; cidr: string; account: { id: string } | null }[];
        };
      }>(ACCOUNTS_PREVIEW, { input })
    ).previewPlan;

    expect([p.poolCount, p.applicable]).toEqual([6, true]);
    expect(p.nodes.map((n) => [n.path, n.key, n.cidr, n.account?.id ?? null])).toEqual([
      ["use1", "use1", "198.51.100.0/25", null],
      ["use1/use1-team-01", "aws:700000000001", "198.51.100.0/28", a.id],
      ["use1/use1-team-02", "aws:700000000002", "198.51.100.16/28", b.id],
      ["euw1", "euw1", "198.51.100.128/25", null],
      ["euw1/euw1-team-01", "aws:700000000001", "198.51.100.128/28", a.id],
      ["euw1/euw1-team-02", "aws:700000000002", "198.51.100.144/28", b.id],
    ]);

    const applied = await s.ok<{
      applyPlan: {
        pools: { name: string; cidr: string; parent: { name: string }; account: { id: string } | null }[];
      };
    }>(ACCOUNTS_APPLY, { input });

    expect(
      applied.applyPlan.pools.map((x) => [x.name, x.cidr, x.parent.name, x.account?.id ?? null]),
    ).toEqual(
      p.nodes.map((n) => [
        n.name,
        n.cidr,
        n.path.includes("/") ? n.path.split("/")[0] : "plan-acct",
        n.account?.id ?? null,
      ]),
    );
  });

  it("refuses a filter that matches no account, two levels kinds at once, and sibling names that collide", async () => {
    const root = await createPool(s, { name: "plan-acct-bad", cidr: "203.0.113.0/24" });
    const none = await failing(s, ACCOUNTS_PREVIEW, {
      input: {
        rootPoolId: root.id,
        levels: [{ accounts: { platform: "plan-nobody" }, prefixLength: 28 }],
      },
    });
    expect(none.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      details: { field: "levels[0].accounts" },
    });
    const both = await failing(s, ACCOUNTS_PREVIEW, {
      input: {
        rootPoolId: root.id,
        levels: [{ keys: ["a"], accounts: { platform: "plan-payments" }, prefixLength: 28 }],
      },
    });
    expect(both.extensions).toMatchObject({ code: "BAD_USER_INPUT", details: { field: "levels[0].keys" } });
    await createAccount(s, { key: "aws:700000000011", name: "same", tier: "PRD", platform: "plan-twins" });
    await createAccount(s, { key: "aws:700000000012", name: "same", tier: "PRD", platform: "plan-twins" });
    const twins = await failing(s, ACCOUNTS_PREVIEW, {
      input: {
        rootPoolId: root.id,
        levels: [{ namePattern: "{account.name}", accounts: { platform: "plan-twins" }, prefixLength: 28 }],
      },
    });
    expect(twins.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      details: { field: "levels[0].namePattern" },
    });
    expect(twins.message).toContain("both make the pool name 'same'");
    const stray = await failing(s, ACCOUNTS_PREVIEW, {
      input: { rootPoolId: root.id, levels: [{ namePattern: "{account.name}", count: 2, prefixLength: 28 }] },
    });
    expect(stray.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      details: { field: "levels[0].namePattern" },
    });
  });
});
