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

const RESIZE = `mutation($input: ResizePoolInput!) { resizePool(input: $input) { previousCidr pool { id cidr prefixLength parent { id } } } }`;

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

async function events(): Promise<{ type: string; subject_id: number }[]> {
  return (JSON.parse(await dumpServer(s)) as { events: { type: string; subject_id: number }[] }).events;
}

async function resize(id: string, cidr: string) {
  return (
    await s.ok<{
      resizePool: { previousCidr: string; pool: { id: string; cidr: string; prefixLength: number } };
    }>(RESIZE, { input: { id, cidr } })
  ).resizePool;
}

describe("resizePool: grow", () => {
  it("grows a child pool into its parent's free space, keeping its children and exact utilisation", async () => {
    const root = await createPool(s, { name: "g-root", cidr: "10.40.0.0/16" });
    const a = await createPool(s, { name: "g-a", parentId: root.id, cidr: "10.40.0.0/24" });
    await newAllocation(s, a.id, account, "10.40.0.0/26");
    await newReservation(s, a.id, "10.40.0.128/25");
    const before = (await events()).length;

    const r = await resize(a.id, "10.40.0.0/22");

    expect(r).toMatchObject({
      previousCidr: "10.40.0.0/24",
      pool: { id: a.id, cidr: "10.40.0.0/22", prefixLength: 22 },
    });
    expect(await usage(a.id)).toEqual({
      total: "1024",
      used: "64",
      reserved: "128",
      free: "832",
      largestFree: "10.40.2.0/23",
      freeBlocksByLength: [
        { prefixLength: 23, count: 1 },
        { prefixLength: 24, count: 1 },
        { prefixLength: 26, count: 1 },
      ],
    });
    const rootUsage = await usage(root.id);
    expect(rootUsage.used).toBe("1024");
    expect(rootUsage.freeBlocksByLength).toEqual([
      { prefixLength: 17, count: 1 },
      { prefixLength: 18, count: 1 },
      { prefixLength: 19, count: 1 },
      { prefixLength: 20, count: 1 },
      { prefixLength: 21, count: 1 },
      { prefixLength: 22, count: 1 },
    ]);
    expect((await events()).slice(before).map((e) => e.type)).toEqual(["pool.resized"]);
    // The grown space is really free: a /23 can now be carved where there was nothing.
    await newAllocation(s, a.id, account, "10.40.2.0/23");
  });

  it("refuses to grow over a sibling, naming it, and changes nothing", async () => {
    const root = await createPool(s, { name: "gs-root", cidr: "10.41.0.0/16" });
    const a = await createPool(s, { name: "gs-a", parentId: root.id, cidr: "10.41.0.0/24" });
    const b = await createPool(s, { name: "gs-b", parentId: root.id, cidr: "10.41.2.0/24" });
    const alloc = await newAllocation(s, root.id, account, "10.41.3.0/25");
    const dump = await dumpServer(s);

    const e = await failing(s, RESIZE, { input: { id: a.id, cidr: "10.41.0.0/22" } });

    expect(e.extensions?.code).toBe("CONFLICT");
    expect(e.message).toBe(
      "pool 'gs-a' (10.41.0.0/24) cannot grow to 10.41.0.0/22: pool 'gs-b' (10.41.2.0/24), allocation (10.41.3.0/25) are in the way",
    );
    expect(e.extensions?.details).toEqual({
      field: "cidr",
      conflicting: [
        { type: "Pool", id: b.id, name: "gs-b", cidr: "10.41.2.0/24" },
        { type: "Allocation", id: alloc, name: null, cidr: "10.41.3.0/25" },
      ],
    });
    expect(await dumpServer(s)).toBe(dump);
    // Growing only as far as the free space reaches works.
    expect((await resize(a.id, "10.41.0.0/23")).pool.cidr).toBe("10.41.0.0/23");
  });

  it("refuses a range that is not smaller than the parent or lies outside it", async () => {
    const root = await createPool(s, { name: "go-root", cidr: "10.42.0.0/16" });
    const a = await createPool(s, { name: "go-a", parentId: root.id, cidr: "10.42.0.0/24" });

    const same = await failing(s, RESIZE, { input: { id: a.id, cidr: "10.42.0.0/16" } });
    const wider = await failing(s, RESIZE, { input: { id: a.id, cidr: "10.42.0.0/15" } });

    for (const e of [same, wider]) {
      expect(e.extensions?.code).toBe("BAD_USER_INPUT");
      expect(e.extensions?.details).toMatchObject({
        field: "cidr",
        conflicting: { type: "Pool", id: root.id },
      });
    }
    expect(same.message).toContain("is not smaller than the parent pool 'go-root' (10.42.0.0/16)");
  });

  it("grows a top-level pool unless another top-level pool of the scope is in the way", async () => {
    const scope = await createScope(s, "resize-top");
    const a = await createPool(s, { name: "t-a", scopeId: scope.id, cidr: "10.43.0.0/24" });
    const b = await createPool(s, { name: "t-b", scopeId: scope.id, cidr: "10.43.4.0/24" });
    // The same range in another scope is no obstacle.
    await createPool(s, { name: "t-other", cidr: "10.43.2.0/24" });

    expect((await resize(a.id, "10.43.0.0/22")).pool.cidr).toBe("10.43.0.0/22");
    const e = await failing(s, RESIZE, { input: { id: a.id, cidr: "10.43.0.0/21" } });
    expect(e.extensions?.code).toBe("CONFLICT");
    expect(e.extensions?.details).toEqual({
      field: "cidr",
      conflicting: [{ type: "Pool", id: b.id, name: "t-b", cidr: "10.43.4.0/24" }],
    });
  });
});

describe("resizePool: shrink", () => {
  it("shrinks a pool whose children all fit, giving the rest back to the parent", async () => {
    const root = await createPool(s, { name: "s-root", cidr: "10.44.0.0/16" });
    const a = await createPool(s, { name: "s-a", parentId: root.id, cidr: "10.44.0.0/22" });
    await createPool(s, { name: "s-a-child", parentId: a.id, cidr: "10.44.1.0/25" });

    const r = await resize(a.id, "10.44.0.0/23");

    expect(r.previousCidr).toBe("10.44.0.0/22");
    expect(await usage(a.id)).toMatchObject({
      total: "512",
      used: "128",
      free: "384",
      freeBlocksByLength: [
        { prefixLength: 24, count: 1 },
        { prefixLength: 25, count: 1 },
      ],
    });
    expect((await usage(root.id)).used).toBe("512");
    // The space given back is free in the parent again.
    await createPool(s, { name: "s-b", parentId: root.id, cidr: "10.44.2.0/23" });
  });

  it("refuses to shrink past its children, naming every one left outside (pools, allocations, reservations)", async () => {
    const root = await createPool(s, { name: "so-root", cidr: "10.45.0.0/16" });
    const a = await createPool(s, { name: "so-a", parentId: root.id, cidr: "10.45.0.0/22" });
    const child = await createPool(s, { name: "so-child", parentId: a.id, cidr: "10.45.1.0/24" });
    const alloc = await newAllocation(s, a.id, account, "10.45.2.0/26", { name: "so-alloc" });
    const res = await newReservation(s, a.id, "10.45.3.0/24");
    await newAllocation(s, a.id, account, "10.45.0.0/26");
    const dump = await dumpServer(s);

    const e = await failing(s, RESIZE, { input: { id: a.id, cidr: "10.45.0.0/24" } });

    expect(e.extensions?.code).toBe("CONFLICT");
    expect(e.message).toBe(
      "pool 'so-a' (10.45.0.0/22) cannot shrink to 10.45.0.0/24: pool 'so-child' (10.45.1.0/24), allocation 'so-alloc' (10.45.2.0/26), reservation (10.45.3.0/24) would be left outside",
    );
    expect(e.extensions?.details).toEqual({
      field: "cidr",
      count: 3,
      conflicting: [
        { type: "Pool", id: child.id, name: "so-child", cidr: "10.45.1.0/24" },
        { type: "Allocation", id: alloc, name: "so-alloc", cidr: "10.45.2.0/26" },
        { type: "Reservation", id: res, name: null, cidr: "10.45.3.0/24" },
      ],
    });
    expect(await dumpServer(s)).toBe(dump);
  });

  it("refuses to shrink onto a child of the same size and when the pool's rules no longer fit", async () => {
    const root = await createPool(s, { name: "sr-root", cidr: "10.46.0.0/16" });
    const a = await createPool(s, { name: "sr-a", parentId: root.id, cidr: "10.46.0.0/22" });
    const child = await createPool(s, { name: "sr-child", parentId: a.id, cidr: "10.46.0.0/24" });
    const ruled = await createPool(s, {
      name: "sr-ruled",
      parentId: root.id,
      cidr: "10.46.8.0/22",
      rules: { minChildPrefixLength: 24 },
    });

    const equal = await failing(s, RESIZE, { input: { id: a.id, cidr: "10.46.0.0/24" } });
    const rules = await failing(s, RESIZE, { input: { id: ruled.id, cidr: "10.46.8.0/24" } });

    expect(equal.extensions?.code).toBe("CONFLICT");
    expect(equal.extensions?.details).toMatchObject({ conflicting: [{ id: child.id }] });
    expect(rules.extensions?.code).toBe("BAD_USER_INPUT");
    expect(rules.extensions?.details).toMatchObject({ field: "rules.minChildPrefixLength" });
  });
});

describe("resizePool: invalid ranges", () => {
  it("refuses the same range, an unrelated range and another family with BAD_USER_INPUT on cidr", async () => {
    const a = await createPool(s, { name: "i-a", cidr: "10.47.0.0/24" });

    const cases = {
      same: ["10.47.0.0/24", "already has the range 10.47.0.0/24"],
      unrelated: ["10.47.1.0/24", "neither contains nor lies inside pool 'i-a' (10.47.0.0/24)"],
      family: ["2001:db8::/64", "is IPv6 but pool 'i-a' (10.47.0.0/24) is IPv4"],
    } as const;
    for (const [cidr, text] of Object.values(cases)) {
      const e = await failing(s, RESIZE, { input: { id: a.id, cidr } });
      expect(e.extensions?.code).toBe("BAD_USER_INPUT");
      expect(e.extensions?.details).toMatchObject({ field: "cidr" });
      expect(e.message).toContain(text);
    }
  });
});
