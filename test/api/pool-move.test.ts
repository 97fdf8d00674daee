import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createPool,
  createScope,
  dumpServer,
  failing,
  newAccount,
  newAllocation,
  newReservation,
} from "../helpers/plan.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
let account: string;
beforeAll(async () => {
  s = await startTestServer();
  account = await newAccount(s);
});
afterAll(async () => {
  await s.close();
});

const MOVE = `mutation($input: MovePoolInput!) { movePool(input: $input) { previousParentId pool { id cidr scope { id } parent { id } } } }`;

interface Usage {
  total: string;
  used: string;
  reserved: string;
  free: string;
  largestFree: string | null;
  freeBlocksByLength: { prefixLength: number; count: number }[];
}

async function usage(id: string): Promise<Usage> {
  const r = await s.ok<{ node: { utilization: Usage } }>(
    `query($id: ID!) { node(id: $id) { ... on Pool { utilization { total used reserved free largestFree freeBlocksByLength { prefixLength count } } } } }`,
    { id },
  );
  return r.node.utilization;
}

async function events(): Promise<{ type: string; subject_id: number; before: string; after: string }[]> {
  return (
    JSON.parse(await dumpServer(s)) as {
      events: { type: string; subject_id: number; before: string; after: string }[];
    }
  ).events;
}

async function scopeOf(id: string): Promise<string> {
  const r = await s.ok<{ node: { scope?: { id: string }; pool?: { scope: { id: string } } } }>(
    `query($id: ID!) { node(id: $id) { ... on Pool { scope { id } } ... on Allocation { pool { scope { id } } } ... on Reservation { pool { scope { id } } } } }`,
    { id },
  );
  return r.node.scope?.id ?? r.node.pool!.scope.id;
}

const lengths = (...ls: number[]) => ls.map((prefixLength) => ({ prefixLength, count: 1 }));

/** Two scopes (VRFs) each with a /16 root holding a /24 allocation; `m` (a /22 with a subtree) under staging. */
async function fixture(tag: string, base: string) {
  const staging = await createScope(s, `${tag}-staging`);
  const prod = await createScope(s, `${tag}-prod`);
  const sRoot = await createPool(s, { name: `${tag}-s-root`, cidr: `${base}.0.0/16`, scopeId: staging.id });
  const pRoot = await createPool(s, { name: `${tag}-p-root`, cidr: `${base}.0.0/16`, scopeId: prod.id });
  await newAllocation(s, sRoot.id, account, `${base}.0.0/24`);
  await newAllocation(s, pRoot.id, account, `${base}.0.0/24`);
  const m = await createPool(s, { name: `${tag}-m`, parentId: sRoot.id, cidr: `${base}.4.0/22` });
  const mc = await createPool(s, { name: `${tag}-mc`, parentId: m.id, cidr: `${base}.4.0/24` });
  const alloc = await newAllocation(s, m.id, account, `${base}.5.0/24`);
  const res = await newReservation(s, m.id, `${base}.6.0/25`);
  return { staging, prod, sRoot, pRoot, m, mc, alloc, res };
}

describe("movePool: across scopes", () => {
  it("moves a pool and its subtree under a pool of another scope, with exact free blocks on both sides", async () => {
    const f = await fixture("mv", "10.60");
    const mBefore = await usage(f.m.id);
    const before = (await events()).length;

    const r = (
      await s.ok<{
        movePool: {
          previousParentId: string;
          pool: { id: string; cidr: string; scope: { id: string }; parent: { id: string } };
        };
      }>(MOVE, { input: { id: f.m.id, parentId: f.pRoot.id } })
    ).movePool;

    expect(r).toEqual({
      previousParentId: f.sRoot.id,
      pool: { id: f.m.id, cidr: "10.60.4.0/22", scope: { id: f.prod.id }, parent: { id: f.pRoot.id } },
    });
    // Old parent: the /22 came back and merged with nothing (its buddy 10.60.0.0/22 holds the allocation).
    expect(await usage(f.sRoot.id)).toEqual({
      total: "65536",
      used: "256",
      reserved: "0",
      free: "65280",
      largestFree: "10.60.128.0/17",
      freeBlocksByLength: lengths(17, 18, 19, 20, 21, 22, 23, 24),
    });
    // New parent: lost exactly the /22.
    expect(await usage(f.pRoot.id)).toEqual({
      total: "65536",
      used: "1280",
      reserved: "0",
      free: "64256",
      largestFree: "10.60.128.0/17",
      freeBlocksByLength: lengths(17, 18, 19, 20, 21, 23, 24),
    });
    // The moved pool's own space is unchanged.
    expect(await usage(f.m.id)).toEqual(mBefore);
    for (const id of [f.m.id, f.mc.id, f.alloc, f.res]) expect(await scopeOf(id)).toBe(f.prod.id);

    const found = await s.ok<{ lookup: { scope: { id: string }; chain: { id: string }[] }[] }>(
      `query { lookup(cidr: "10.60.5.0/24") { scope { id } chain { id } } }`,
    );
    const byScope = Object.fromEntries(found.lookup.map((l) => [l.scope.id, l.chain.map((c) => c.id)]));
    expect(byScope[f.prod.id]).toEqual([f.pRoot.id, f.m.id, f.alloc]);
    expect(byScope[f.staging.id]).toEqual([f.sRoot.id]);

    const moved = (await events()).slice(before);
    expect(moved.map((e) => e.type)).toEqual(["pool.moved"]);
    expect(JSON.parse(moved[0]!.before)).toMatchObject({ cidr: "10.60.4.0/22" });
    expect(JSON.parse(moved[0]!.before).parentId).not.toBe(JSON.parse(moved[0]!.after).parentId);
    expect(JSON.parse(moved[0]!.before).scopeId).not.toBe(JSON.parse(moved[0]!.after).scopeId);

    // The space really moved: staging can use it again, prod cannot.
    await newAllocation(s, f.sRoot.id, account, "10.60.4.0/22");
    const e = await failing(
      s,
      `mutation($input: AllocateInput!) { allocate(input: $input) { allocation { id } } }`,
      { input: { poolId: f.pRoot.id, accountId: account, cidr: "10.60.4.0/24" } },
    );
    expect(e.extensions?.code).toBe("CONFLICT");
  });

  it("makes a pool top-level of another scope (parentId null, scopeId)", async () => {
    const f = await fixture("top", "10.61");
    const empty = await createScope(s, "top-empty");
    const r = (
      await s.ok<{ movePool: { previousParentId: string; pool: { scope: { id: string }; parent: null } } }>(
        MOVE,
        {
          input: { id: f.m.id, parentId: null, scopeId: empty.id },
        },
      )
    ).movePool;
    expect(r).toMatchObject({
      previousParentId: f.sRoot.id,
      pool: { scope: { id: empty.id }, parent: null },
    });
    expect((await usage(f.sRoot.id)).used).toBe("256");
    expect(await scopeOf(f.mc.id)).toBe(empty.id);
  });
});

describe("movePool: refusals change nothing", () => {
  async function refused(input: Record<string, unknown>) {
    const dump = await dumpServer(s);
    const e = await failing(s, MOVE, { input });
    expect(await dumpServer(s)).toBe(dump);
    return { code: e.extensions?.code, message: e.message, details: e.extensions?.details };
  }
  const ref = (type: string, id: string, name: string | null, cidr: string) => ({ type, id, name, cidr });

  it("refuses the pool itself, a descendant, the same parent and an ancestor of its own scope", async () => {
    const f = await fixture("rf", "10.62");
    expect(await refused({ id: f.m.id, parentId: f.m.id })).toMatchObject({
      code: "BAD_USER_INPUT",
      details: { field: "parentId" },
    });
    expect(await refused({ id: f.m.id, parentId: f.mc.id })).toMatchObject({
      code: "BAD_USER_INPUT",
      message:
        "pool 'rf-mc' (10.62.4.0/24) lies inside pool 'rf-m' (10.62.4.0/22); a pool cannot move under its own descendant",
      details: { field: "parentId", conflicting: ref("Pool", f.mc.id, "rf-mc", "10.62.4.0/24") },
    });
    expect(await refused({ id: f.m.id, parentId: f.sRoot.id })).toMatchObject({
      code: "BAD_USER_INPUT",
      details: { field: "parentId", conflicting: ref("Pool", f.sRoot.id, "rf-s-root", "10.62.0.0/16") },
    });
    // Same scope, a higher ancestor: the pool in between is in the way.
    expect(await refused({ id: f.mc.id, parentId: f.sRoot.id })).toEqual({
      code: "CONFLICT",
      message: "pool 'rf-mc' (10.62.4.0/24) cannot move there: pool 'rf-m' (10.62.4.0/22) is in the way",
      details: { field: "parentId", conflicting: [ref("Pool", f.m.id, "rf-m", "10.62.4.0/22")] },
    });
    // Top-level in its own scope: its ancestors cover it.
    expect(await refused({ id: f.m.id, parentId: null })).toMatchObject({
      code: "BAD_USER_INPUT",
      details: { field: "parentId", conflicting: ref("Pool", f.sRoot.id, "rf-s-root", "10.62.0.0/16") },
    });
  });

  it("refuses another family and a range not strictly inside the new parent", async () => {
    const f = await fixture("rg", "10.63");
    const v6 = await createPool(s, { name: "rg-v6", cidr: "fd00:63::/48", scopeId: f.prod.id });
    const outside = await createPool(s, { name: "rg-out", cidr: "10.163.0.0/16", scopeId: f.prod.id });
    const same = await createPool(s, {
      name: "rg-same",
      cidr: "10.63.4.0/22",
      scopeId: (await createScope(s, "rg-q")).id,
    });
    for (const p of [v6, outside, same])
      expect(await refused({ id: f.m.id, parentId: p.id })).toMatchObject({
        code: "BAD_USER_INPUT",
        details: { field: "parentId", conflicting: ref("Pool", p.id, p.name, p.cidr) },
      });
  });

  it("refuses overlap with children of the new parent, naming each", async () => {
    const f = await fixture("ro", "10.64");
    const a = await newAllocation(s, f.pRoot.id, account, "10.64.4.0/24");
    const r = await newReservation(s, f.pRoot.id, "10.64.7.0/24");
    expect(await refused({ id: f.m.id, parentId: f.pRoot.id })).toEqual({
      code: "CONFLICT",
      message:
        "pool 'ro-m' (10.64.4.0/22) cannot move there: allocation (10.64.4.0/24), reservation (10.64.7.0/24) are in the way",
      details: {
        field: "parentId",
        conflicting: [
          ref("Allocation", a, null, "10.64.4.0/24"),
          ref("Reservation", r, null, "10.64.7.0/24"),
        ],
      },
    });
    // A child pool containing the range is in the way too.
    const big = await createPool(s, { name: "ro-big", parentId: f.pRoot.id, cidr: "10.64.128.0/17" });
    const f2 = await createPool(s, { name: "ro-m2", parentId: f.sRoot.id, cidr: "10.64.128.0/24" });
    expect(await refused({ id: f2.id, parentId: f.pRoot.id })).toMatchObject({
      code: "CONFLICT",
      details: { field: "parentId", conflicting: [ref("Pool", big.id, "ro-big", "10.64.128.0/17")] },
    });
  });

  it("refuses overlap with a scope linked to the target scope", async () => {
    const f = await fixture("rl", "10.65");
    const peer = await createScope(s, "rl-peer");
    const peerPool = await createPool(s, { name: "rl-peer-pool", cidr: "10.65.6.0/24", scopeId: peer.id });
    // prod's root 10.65.0.0/16 would overlap the peer pool, so link the peer to an empty target scope instead.
    const target = await createScope(s, "rl-target");
    await s.ok(`mutation($input: LinkScopesInput!) { linkScopes(input: $input) { scopes { id } } }`, {
      input: { scopeIds: [target.id, peer.id] },
    });
    expect(await refused({ id: f.m.id, parentId: null, scopeId: target.id })).toEqual({
      code: "CONFLICT",
      message:
        "pool 'rl-m' (10.65.4.0/22) cannot move there: pool 'rl-peer-pool' (10.65.6.0/24) is in the way",
      details: { field: "parentId", conflicting: [ref("Pool", peerPool.id, "rl-peer-pool", "10.65.6.0/24")] },
    });
    // And into a scope that already holds an overlapping top-level pool.
    expect(await refused({ id: f.m.id, parentId: null, scopeId: f.prod.id })).toMatchObject({
      code: "CONFLICT",
      details: { field: "parentId", conflicting: [ref("Pool", f.pRoot.id, "rl-p-root", "10.65.0.0/16")] },
    });
  });
});
