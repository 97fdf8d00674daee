import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newAccount, newPool } from "../helpers/plan.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ RATE_LIMIT_PER_SECOND: "100000", RATE_LIMIT_BURST: "100000" });
});
afterAll(async () => {
  await s.close();
});

const ALLOCATE_MANY = `mutation($input: AllocateManyInput!) {
  allocateMany(input: $input) { allocations { id cidr name } }
}`;

type Many = { allocateMany: { allocations: { id: string; cidr: string; name: string | null }[] } };

describe("allocateMany", () => {
  it("places the batch largest first and returns it in request order", async () => {
    const [poolId, accountId] = [await newPool(s, "10.60.0.0/24"), await newAccount(s)];
    const requests = [28, 26, 28, 25].map((prefixLength, i) => ({ prefixLength, accountId, name: `r${i}` }));
    const r = await s.ok<Many>(ALLOCATE_MANY, { input: { poolId, requests } });
    expect(r.allocateMany.allocations.map((a) => [a.cidr, a.name])).toEqual([
      ["10.60.0.192/28", "r0"],
      ["10.60.0.128/26", "r1"],
      ["10.60.0.208/28", "r2"],
      ["10.60.0.0/25", "r3"],
    ]);
  });

  it("writes nothing when one request does not fit, and names that request", async () => {
    const [poolId, accountId] = [await newPool(s, "10.61.0.0/24"), await newAccount(s)];
    const requests = [
      { prefixLength: 25, accountId },
      { prefixLength: 25, accountId },
      { prefixLength: 26, accountId },
    ];
    const r = await s.gql<Many>(ALLOCATE_MANY, { input: { poolId, requests } });
    expect(r.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect((r.errors?.[0]?.extensions?.details as { field: string }).field).toBe("requests[2].prefixLength");
    const after = await s.ok<Many>(ALLOCATE_MANY, {
      input: { poolId, requests: [{ prefixLength: 24, accountId }] },
    });
    expect(after.allocateMany.allocations[0]!.cidr).toBe("10.61.0.0/24");
  });

  it("returns the first batch for a retried idempotency key and refuses the key for another batch", async () => {
    const [poolId, accountId] = [await newPool(s, "10.62.0.0/24"), await newAccount(s)];
    const input = {
      poolId,
      idempotencyKey: "batch-1",
      requests: [
        { prefixLength: 26, accountId },
        { prefixLength: 27, accountId },
      ],
    };
    const first = await s.ok<Many>(ALLOCATE_MANY, { input });
    const again = await s.ok<Many>(ALLOCATE_MANY, { input });
    expect(again.allocateMany.allocations).toEqual(first.allocateMany.allocations);
    const other = await s.gql<Many>(ALLOCATE_MANY, {
      input: { ...input, requests: [{ prefixLength: 28, accountId }] },
    });
    expect(other.errors?.[0]?.extensions?.code).toBe("CONFLICT");
  });

  it("never overlaps single allocations running at the same time", async () => {
    const [poolId, accountId] = [await newPool(s, "10.63.0.0/22"), await newAccount(s)];
    const singles = Array.from({ length: 16 }, () =>
      s.ok<{ allocate: { allocation: { cidr: string } } }>(
        `mutation($input: AllocateInput!) { allocate(input: $input) { allocation { cidr } } }`,
        { input: { poolId, accountId, prefixLength: 28 } },
      ),
    );
    const batches = Array.from({ length: 4 }, () =>
      s.ok<Many>(ALLOCATE_MANY, {
        input: { poolId, requests: Array.from({ length: 8 }, () => ({ prefixLength: 28, accountId })) },
      }),
    );
    const cidrs = [
      ...(await Promise.all(singles)).map((r) => r.allocate.allocation.cidr),
      ...(await Promise.all(batches)).flatMap((r) => r.allocateMany.allocations.map((a) => a.cidr)),
    ];
    expect(cidrs).toHaveLength(48);
    expect(new Set(cidrs).size).toBe(48);
  });
});
