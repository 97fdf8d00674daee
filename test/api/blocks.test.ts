import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  blockCount,
  blocksPage,
  formatAddress,
  formatPrefix,
  freeBlocks,
  memoryOccupancySource,
  parsePrefix,
  type BlockStatus,
  type Prefix,
} from "../../src/allocator/index.js";
import { newAccount, newAllocation, newPool, newReservation } from "../helpers/plan.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
let accountId: string;
beforeAll(async () => {
  s = await startTestServer();
  accountId = await newAccount(s);
});
afterAll(async () => {
  await s.close();
});

const allocate = (poolId: string, cidr: string) =>
  newAllocation(s, poolId, accountId, cidr, { name: `a-${cidr}` });
const reserve = (poolId: string, cidr: string) => newReservation(s, poolId, cidr);

const BLOCKS = `query($id: ID!, $len: Int!, $first: Int, $after: String, $status: [BlockStatus!]) {
  node(id: $id) { ... on Pool { blocks(prefixLength: $len, first: $first, after: $after, status: $status) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { cidr prefixLength status moreOccupants
      occupant { __typename ... on Allocation { cidr } ... on Pool { cidr } ... on Reservation { cidr } }
      occupants { ... on Allocation { cidr } ... on Pool { cidr } ... on Reservation { cidr } } } } } } } }`;

interface BlocksResult {
  node: {
    blocks: {
      totalCount: string;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
      edges: {
        cursor: string;
        node: {
          cidr: string;
          status: BlockStatus;
          moreOccupants: boolean;
          occupant: { __typename: string; cidr: string } | null;
          occupants: { cidr: string }[];
        };
      }[];
    };
  };
}

/** Pages of the API and of the allocator's reference (memory source) agree, from the same cursors. */
async function expectPagesMatch(
  poolId: string,
  parent: Prefix,
  occupied: Prefix[],
  length: number,
  options: { status?: BlockStatus[]; after?: string; pages: number; first: number },
) {
  const source = memoryOccupancySource(parent, occupied);
  let after = options.after ?? null;
  for (let page = 0; page < options.pages; page++) {
    const r = await s.ok<BlocksResult>(BLOCKS, {
      id: poolId,
      len: length,
      first: options.first,
      after,
      status: options.status ?? null,
    });
    const expected = blocksPage(parent, length, source, {
      first: options.first,
      after: after === null ? undefined : parsePrefix(`${after}/${parent.family === 4 ? 32 : 128}`).start,
      status: options.status,
    });
    const got = r.node.blocks.edges.map((e) => ({
      cidr: e.node.cidr,
      status: e.node.status,
      occupants: e.node.occupants.map((o) => o.cidr),
      more: e.node.moreOccupants,
      cursor: e.cursor,
    }));
    const want = expected.blocks.map((b) => ({
      cidr: formatPrefix(b.prefix),
      status: b.status,
      occupants: b.occupants.map(formatPrefix),
      more: b.moreOccupants,
      cursor: formatAddress(b.prefix.family, b.prefix.start),
    }));
    expect(got).toEqual(want);
    expect(r.node.blocks.pageInfo.hasNextPage).toBe(expected.hasNextPage);
    const counts = {
      occupied: histogram(occupied),
      free: histogram([
        ...freeBlocks(
          parent,
          [...occupied].sort((a, b) => (a.start < b.start ? -1 : 1)),
        ),
      ]),
    };
    expect(r.node.blocks.totalCount).toBe(blockCount(parent, length, counts, options.status).toString());
    if (!expected.hasNextPage) break;
    after = r.node.blocks.pageInfo.endCursor;
  }
}

function histogram(prefixes: Prefix[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const p of prefixes) m.set(p.length, (m.get(p.length) ?? 0) + 1);
  return m;
}

describe("Pool.blocks", () => {
  it("splits an IPv4 /8 into /24 blocks exactly as the allocator does, page by page and per status", async () => {
    const poolId = await newPool(s, "10.0.0.0/8", { name: "v4-root" });
    const children = [
      "10.0.0.0/24",
      "10.0.1.0/26",
      "10.0.1.64/26",
      "10.0.4.0/22",
      "10.0.9.128/25",
      "10.200.0.0/24",
    ];
    for (const c of children) await allocate(poolId, c);
    await reserve(poolId, "10.0.2.0/24");
    await newPool(s, "10.1.0.0/16", { parentId: poolId, name: "v4-child" });
    const occupied = [...children, "10.0.2.0/24", "10.1.0.0/16"].map(parsePrefix);
    const parent = parsePrefix("10.0.0.0/8");

    await expectPagesMatch(poolId, parent, occupied, 24, { pages: 4, first: 100 });
    await expectPagesMatch(poolId, parent, occupied, 24, { pages: 2, first: 7, status: ["PARTIAL", "USED"] });
    await expectPagesMatch(poolId, parent, occupied, 24, { pages: 2, first: 50, status: ["INSIDE"] });
    await expectPagesMatch(poolId, parent, occupied, 24, {
      pages: 2,
      first: 100,
      status: ["FREE"],
      after: "10.199.255.0",
    });
    await expectPagesMatch(poolId, parent, occupied, 8, { pages: 1, first: 5 });
  });

  it("splits an IPv6 /32 into /64 blocks lazily, with a string totalCount beyond 2^32", async () => {
    const poolId = await newPool(s, "2001:db8::/32", { name: "v6-root" });
    const children = [
      "2001:db8::/64",
      "2001:db8:0:2::/63",
      "2001:db8:0:5::/64",
      "2001:db8:1::/48",
      "2001:db8:ffff:ffff::/64",
    ];
    for (const c of children) await allocate(poolId, c);
    await reserve(poolId, "2001:db8:0:1::/64");
    await newPool(s, "2001:db8:2::/56", { parentId: poolId, name: "v6-child" });
    const occupied = [...children, "2001:db8:0:1::/64", "2001:db8:2::/56"].map(parsePrefix);
    const parent = parsePrefix("2001:db8::/32");

    await expectPagesMatch(poolId, parent, occupied, 64, { pages: 3, first: 100 });
    await expectPagesMatch(poolId, parent, occupied, 64, { pages: 2, first: 100, status: ["USED"] });
    await expectPagesMatch(poolId, parent, occupied, 64, {
      pages: 1,
      first: 10,
      status: ["FREE"],
      after: "2001:db8:fffe::",
    });
    const r = await s.ok<BlocksResult>(BLOCKS, { id: poolId, len: 64, first: 1 });
    expect(r.node.blocks.totalCount).toBe(String(2n ** 32n));
  });

  it("names the occupant of USED and INSIDE blocks with its type", async () => {
    const poolId = await newPool(s, "172.16.0.0/16", { name: "occupants" });
    await allocate(poolId, "172.16.0.0/23");
    await reserve(poolId, "172.16.2.0/24");
    const r = await s.ok<BlocksResult>(BLOCKS, { id: poolId, len: 24, first: 4 });
    expect(r.node.blocks.edges.map((e) => [e.node.status, e.node.occupant])).toEqual([
      ["INSIDE", { __typename: "Allocation", cidr: "172.16.0.0/23" }],
      ["INSIDE", { __typename: "Allocation", cidr: "172.16.0.0/23" }],
      ["USED", { __typename: "Reservation", cidr: "172.16.2.0/24" }],
      ["FREE", null],
    ]);
  });

  it("refuses a split length outside the pool, a foreign cursor and an oversized page", async () => {
    const poolId = await newPool(s, "192.168.0.0/16", { name: "refusals" });
    const short = await s.gql(BLOCKS, { id: poolId, len: 8 });
    expect(short.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      details: { field: "prefixLength" },
    });
    const foreign = await s.gql(BLOCKS, { id: poolId, len: 24, after: "10.0.0.0" });
    expect(foreign.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      details: { field: "after" },
    });
    const big = await s.gql(
      `query($id: ID!) { node(id: $id) { ... on Pool { blocks(prefixLength: 24, first: 501) { totalCount } } } }`,
      { id: poolId },
    );
    expect(big.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      details: { field: "first" },
    });
  });
});

const BLOCKS_BACK = `query($id: ID!, $len: Int!, $last: Int, $before: String, $status: [BlockStatus!], $first: Int) {
  node(id: $id) { ... on Pool {
    blocks(prefixLength: $len, last: $last, before: $before, status: $status, first: $first) {
      pageInfo { hasPreviousPage hasNextPage startCursor }
      edges { cursor node { cidr status moreOccupants occupants { ... on Allocation { cidr } } } } } } } }`;

interface BackResult {
  node: {
    blocks: {
      pageInfo: { hasPreviousPage: boolean; hasNextPage: boolean; startCursor: string | null };
      edges: { cursor: string; node: { cidr: string; status: BlockStatus; occupants: { cidr: string }[] } }[];
    };
  };
}

describe("Pool.blocks backwards (last/before)", () => {
  it("walks a pool from its end to its start and meets the forward pages block for block", async () => {
    const poolId = await newPool(s, "198.18.0.0/20", { name: "backwards" });
    const children = ["198.18.0.0/23", "198.18.2.0/26", "198.18.2.128/27", "198.18.5.0/24", "198.18.15.0/25"];
    for (const c of children) await allocate(poolId, c);
    for (const status of [undefined, ["FREE"], ["PARTIAL", "USED"]] as (BlockStatus[] | undefined)[]) {
      const forward: string[] = [];
      for (let after: string | null = null; ;) {
        const r: BlocksResult = await s.ok<BlocksResult>(BLOCKS, {
          id: poolId,
          len: 24,
          first: 3,
          after,
          status: status ?? null,
        });
        forward.push(...r.node.blocks.edges.map((e) => `${e.node.cidr} ${e.node.status}`));
        if (!r.node.blocks.pageInfo.hasNextPage) break;
        after = r.node.blocks.pageInfo.endCursor;
      }
      const backward: string[][] = [];
      let before: string | null = null;
      for (;;) {
        const r: BackResult = await s.ok<BackResult>(BLOCKS_BACK, {
          id: poolId,
          len: 24,
          last: 3,
          before,
          status: status ?? null,
        });
        const page = r.node.blocks;
        backward.unshift(page.edges.map((e) => `${e.node.cidr} ${e.node.status}`));
        // The cursor bounds the page: hasNextPage says a page follows it.
        expect(page.pageInfo.hasNextPage).toBe(before !== null);
        if (!page.pageInfo.hasPreviousPage) break;
        before = page.pageInfo.startCursor;
      }
      expect(backward.flat()).toEqual(forward);
      expect(forward.length).toBeGreaterThan(0);
    }
  });

  it("lists a dense PARTIAL block's first occupants in address order, as forwards", async () => {
    const poolId = await newPool(s, "198.18.64.0/24", { name: "dense" });
    for (let i = 0; i < 20; i++) await allocate(poolId, `198.18.64.${i * 8}/29`);
    const parent = parsePrefix("198.18.64.0/24");
    const occupied = Array.from({ length: 20 }, (_, i) => parsePrefix(`198.18.64.${i * 8}/29`));
    const r = await s.ok<BackResult>(BLOCKS_BACK, { id: poolId, len: 24, last: 1 });
    const expected = blocksPage(parent, 24, memoryOccupancySource(parent, occupied), { first: 1 }).blocks[0]!;
    expect(r.node.blocks.edges[0]!.node).toEqual({
      cidr: "198.18.64.0/24",
      status: "PARTIAL",
      moreOccupants: true,
      occupants: expected.occupants.map((o) => ({ cidr: formatPrefix(o) })),
    });
    expect(expected.occupants.map(formatPrefix).slice(0, 2)).toEqual(["198.18.64.0/29", "198.18.64.8/29"]);
  });

  it("pages to the very last address of the IPv6 space in both directions", async () => {
    // Eight /128s end at ffff:...:ffff: a full batch of them makes the page read on from one address past the
    // end of the space (2^128), which must read as "nothing more", not as a bad cursor.
    const poolId = await newPool(s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120", { name: "top" });
    const tail = Array.from(
      { length: 8 },
      (_, i) => `ffff:ffff:ffff:ffff:ffff:ffff:ffff:fff${(8 + i).toString(16)}/128`,
    );
    for (const c of tail) await allocate(poolId, c);
    const forward = await s.ok<BlocksResult>(BLOCKS, {
      id: poolId,
      len: 128,
      first: 20,
      after: "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffef",
      status: ["USED"],
    });
    expect(forward.node.blocks.edges.map((e) => e.node.cidr)).toEqual(tail);
    expect(forward.node.blocks.pageInfo.hasNextPage).toBe(false);
    const backward = await s.ok<BackResult>(BLOCKS_BACK, { id: poolId, len: 128, last: 8, status: ["USED"] });
    expect(backward.node.blocks.edges.map((e) => e.node.cidr)).toEqual(tail);
    expect(backward.node.blocks.pageInfo.hasPreviousPage).toBe(false);
  });

  it("refuses first with last, a foreign before cursor and an oversized last", async () => {
    const poolId = await newPool(s, "198.18.128.0/17", { name: "back-refusals" });
    const both = await s.gql(BLOCKS_BACK, { id: poolId, len: 24, last: 2, first: 2 });
    expect(both.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      details: { field: "last" },
    });
    const foreign = await s.gql(BLOCKS_BACK, { id: poolId, len: 24, last: 2, before: "2001:db8::" });
    expect(foreign.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      details: { field: "before" },
    });
    const big = await s.gql(
      `query($id: ID!) { node(id: $id) { ... on Pool { blocks(prefixLength: 24, last: 501) { totalCount } } } }`,
      { id: poolId },
    );
    expect(big.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", details: { field: "last" } });
  });
});

describe("Pool.utilization", () => {
  it("reports used, reserved and free addresses as strings, the largest free block and fragmentation", async () => {
    const poolId = await newPool(s, "100.64.0.0/22", { name: "util" });
    await allocate(poolId, "100.64.0.0/24");
    await allocate(poolId, "100.64.1.0/26");
    await reserve(poolId, "100.64.2.0/24");
    const r = await s.ok<{ node: { utilization: unknown } }>(
      `query($id: ID!) { node(id: $id) { ... on Pool { utilization { total used reserved free percent largestFree freeBlocksByLength { prefixLength count } } } } }`,
      { id: poolId },
    );
    expect(r.node.utilization).toEqual({
      total: "1024",
      used: "320",
      reserved: "256",
      free: "448",
      percent: 56.25,
      largestFree: "100.64.3.0/24",
      freeBlocksByLength: [
        { prefixLength: 24, count: 1 },
        { prefixLength: 25, count: 1 },
        { prefixLength: 26, count: 1 },
      ],
    });
  });

  it("counts an IPv6 /32 beyond 2^53 addresses exactly", async () => {
    const poolId = await newPool(s, "2001:db9::/32", { name: "util-v6" });
    await allocate(poolId, "2001:db9::/48");
    const r = await s.ok<{ node: { utilization: { total: string; used: string; free: string } } }>(
      `query($id: ID!) { node(id: $id) { ... on Pool { utilization { total used free } } } }`,
      { id: poolId },
    );
    expect(r.node.utilization).toEqual({
      total: (2n ** 96n).toString(),
      used: (2n ** 80n).toString(),
      free: (2n ** 96n - 2n ** 80n).toString(),
    });
  });
});
