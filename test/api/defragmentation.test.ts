import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newAccount, newAllocation, newPool, newReservation } from "../helpers/plan.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ RATE_LIMIT_PER_SECOND: "100000", RATE_LIMIT_BURST: "100000" });
});
afterAll(async () => {
  await s.close();
});

const ADVICE = `query($id: ID!, $first: Int, $prefixLength: Int) {
  pool(id: $id) {
    largestFreeBlocks(first: 3)
    defragmentationAdvice(first: $first, prefixLength: $prefixLength) {
      block prefixLength moveCount addressesToMove action freedBlock
      blockers { __typename ... on Allocation { id } ... on Reservation { id } ... on Pool { id } }
      moves { from to occupant { ... on Allocation { id } ... on Reservation { id } ... on Pool { id } } }
    }
  }
}`;

interface Advice {
  block: string;
  prefixLength: number;
  moveCount: number;
  addressesToMove: string;
  action: "MOVE" | "RELEASE";
  freedBlock: string;
  blockers: { __typename: string; id: string }[];
  moves: { from: string; to: string; occupant: { id: string } }[];
}
type AdviceResult = { pool: { largestFreeBlocks: string[]; defragmentationAdvice: Advice[] } };

describe("Pool.largestFreeBlocks and Pool.defragmentationAdvice", () => {
  it("names what stands in the way of a free /26 in a fragmented /24, fewest first, and where it could go", async () => {
    // Children: 0/28 allocation, 64/30 allocation, 80/28 reservation, 128/27 child pool, 192/29 allocation.
    // Free: .16/28 .32/27 .68/30 .72/29 .96/27 .160/27 .200/29 .208/28 .224/27, so the largest free block is a /27.
    const [poolId, accountId] = [await newPool(s, "10.70.0.0/24"), await newAccount(s)];
    const a0 = await newAllocation(s, poolId, accountId, "10.70.0.0/28");
    const a64 = await newAllocation(s, poolId, accountId, "10.70.0.64/30");
    const r80 = await newReservation(s, poolId, "10.70.0.80/28", { reason: "defrag test" });
    const p128 = await newPool(s, "10.70.0.128/27", { parentId: poolId });
    const a192 = await newAllocation(s, poolId, accountId, "10.70.0.192/29");

    const r = await s.ok<AdviceResult>(ADVICE, { id: poolId });

    expect(r.pool.largestFreeBlocks).toEqual(["10.70.0.32/27", "10.70.0.96/27", "10.70.0.160/27"]);
    const common = { prefixLength: 26, action: "MOVE" };
    expect(r.pool.defragmentationAdvice).toEqual([
      {
        ...common,
        block: "10.70.0.192/26",
        moveCount: 1,
        addressesToMove: "8",
        freedBlock: "10.70.0.192/26",
        blockers: [{ __typename: "Allocation", id: a192 }],
        moves: [{ from: "10.70.0.192/29", to: "10.70.0.72/29", occupant: { id: a192 } }],
      },
      {
        ...common,
        block: "10.70.0.0/26",
        moveCount: 1,
        addressesToMove: "16",
        freedBlock: "10.70.0.0/26",
        blockers: [{ __typename: "Allocation", id: a0 }],
        moves: [{ from: "10.70.0.0/28", to: "10.70.0.208/28", occupant: { id: a0 } }],
      },
      {
        ...common,
        block: "10.70.0.128/26",
        moveCount: 1,
        addressesToMove: "32",
        freedBlock: "10.70.0.128/26",
        blockers: [{ __typename: "Pool", id: p128 }],
        moves: [{ from: "10.70.0.128/27", to: "10.70.0.32/27", occupant: { id: p128 } }],
      },
      {
        ...common,
        block: "10.70.0.64/26",
        moveCount: 2,
        addressesToMove: "20",
        freedBlock: "10.70.0.64/26",
        blockers: [
          { __typename: "Allocation", id: a64 },
          { __typename: "Reservation", id: r80 },
        ],
        moves: [
          { from: "10.70.0.64/30", to: "10.70.0.200/30", occupant: { id: a64 } },
          { from: "10.70.0.80/28", to: "10.70.0.16/28", occupant: { id: r80 } },
        ],
      },
    ]);
  });

  it("advises releases when the blockers fit nowhere else, and reports the merged free block", async () => {
    // 0/25 and 128/26 are allocated, 192/26 is free: a /25 needs 128/26 gone, and no other /26 is free.
    const [poolId, accountId] = [await newPool(s, "10.71.0.0/24"), await newAccount(s)];
    await newAllocation(s, poolId, accountId, "10.71.0.0/25");
    const a128 = await newAllocation(s, poolId, accountId, "10.71.0.128/26");

    const r = await s.ok<AdviceResult>(ADVICE, { id: poolId, first: 1 });

    expect(r.pool.largestFreeBlocks).toEqual(["10.71.0.192/26"]);
    expect(r.pool.defragmentationAdvice).toEqual([
      {
        block: "10.71.0.128/25",
        prefixLength: 25,
        moveCount: 1,
        addressesToMove: "64",
        action: "RELEASE",
        freedBlock: "10.71.0.128/25",
        blockers: [{ __typename: "Allocation", id: a128 }],
        moves: [],
      },
    ]);
  });

  it("answers for an explicit length in IPv6, and nothing for a wholly free pool", async () => {
    const [poolId, accountId] = [await newPool(s, "2001:db8:70::/48"), await newAccount(s)];
    const free = await s.ok<AdviceResult>(ADVICE, { id: poolId });
    expect(free.pool).toEqual({ largestFreeBlocks: ["2001:db8:70::/48"], defragmentationAdvice: [] });

    await newAllocation(s, poolId, accountId, "2001:db8:70:1::/64");
    const r = await s.ok<AdviceResult>(ADVICE, { id: poolId, prefixLength: 56 });
    expect(
      r.pool.defragmentationAdvice.map((a) => [a.block, a.action, a.moves[0]?.to, a.freedBlock]),
    ).toEqual([["2001:db8:70::/56", "MOVE", "2001:db8:70:100::/64", "2001:db8:70::/56"]]);
  });

  it("refuses a length outside the pool and a negative page size, naming the field", async () => {
    const poolId = await newPool(s, "10.72.0.0/24");
    const long = await s.gql(ADVICE, { id: poolId, prefixLength: 23 });
    expect(long.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(long.errors?.[0]?.extensions?.details?.field).toBe("prefixLength");
    const many = await s.gql(ADVICE, { id: poolId, first: -1 });
    expect(many.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(many.errors?.[0]?.extensions?.details?.field).toBe("first");
  });
});
