/**
 * Error messages are read by people (#12): no doubled words, correct articles, and a conflict that
 * spans several objects names all of them (up to 10) with the nearest free block of the size asked for.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createAccount, createPool } from "../helpers/plan.js";
import {
  formatPrefix,
  freeBlocks,
  nearestFreeOfLength,
  parsePrefix,
  type Prefix,
} from "../../src/allocator/index.js";

let s: TestServer;
let accountId: string;
beforeAll(async () => {
  s = await startTestServer({ LOG_LEVEL: "warn" });
  accountId = (await createAccount(s, { key: "aws:123456789012", name: "wording" })).id;
});
afterAll(async () => {
  await s.close();
});

const ALLOCATE = `mutation($input: AllocateInput!) { allocate(input: $input) { allocation { id cidr } } }`;
const allocate = (input: Record<string, unknown>) => s.gql(ALLOCATE, { input: { accountId, ...input } });
const firstError = (r: Awaited<ReturnType<typeof allocate>>) => {
  expect(r.errors, JSON.stringify(r.data)).toBeDefined();
  return r.errors![0]!;
};
const hasDoubledWord = (text: string) => /\b(\w+) \1\b/i.test(text);

describe("wording", () => {
  it("says once that a CIDR is not valid", async () => {
    const e = firstError(
      await s.gql(`mutation($input: CreatePoolInput!) { createPool(input: $input) { pool { id } } }`, {
        input: { name: "x", cidr: "10.0.0.0" },
      }),
    );
    expect(e.extensions?.code).toBe("BAD_USER_INPUT");
    expect(e.message.match(/not a valid CIDR/g)).toHaveLength(1);
    expect(e.message).toContain("'10.0.0.0' is not a valid CIDR (missing /length)");
  });

  it("uses the right article for the expected id type", async () => {
    const pool = await createPool(s, { name: "article", cidr: "10.90.0.0/16" });
    const e = firstError(
      await s.gql(ALLOCATE, { input: { poolId: pool.id, accountId: pool.id, prefixLength: 24 } }),
    );
    expect(e.message).toContain("is the id of a Pool, expected an Account");
  });

  it("does not double the kind of object: 'allocation 'x'', not 'allocation allocation 'x''", async () => {
    const pool = await createPool(s, { name: "doubled", cidr: "10.91.0.0/16" });
    const r = await s.ok<{ allocate: { allocation: { id: string } } }>(ALLOCATE, {
      input: { poolId: pool.id, accountId, prefixLength: 24, name: "web" },
    });
    const release = `mutation($id: ID!) { releaseAllocation(input: { id: $id }) { allocation { status } } }`;
    await s.ok(release, { id: r.allocate.allocation.id });
    const e = firstError(await s.gql(release, { id: r.allocate.allocation.id }));
    expect(e.extensions?.code).toBe("CONFLICT");
    expect(e.message).toMatch(/^allocation 'web' \(10\.91\.0\.0\/24\) was already released/);
    expect(hasDoubledWord(e.message)).toBe(false);
  });
});

describe("a conflict spanning several objects", () => {
  it("names every allocation in the way and the nearest free block of the requested size", async () => {
    const pool = await createPool(s, { name: "spanning", cidr: "10.92.0.0/16" });
    for (const [i, cidr] of ["10.92.0.0/24", "10.92.1.0/24", "10.92.3.0/24"].entries()) {
      await s.ok(ALLOCATE, { input: { poolId: pool.id, accountId, cidr, name: `a${i}` } });
    }
    const e = firstError(await allocate({ poolId: pool.id, cidr: "10.92.0.0/22" }));
    expect(e.extensions?.code).toBe("CONFLICT");
    const details = e.extensions!.details!;
    expect(
      (details.conflicts as { name: string; cidr: string; type: string }[]).map((c) => [
        c.type,
        c.name,
        c.cidr,
      ]),
    ).toEqual([
      ["Allocation", "a0", "10.92.0.0/24"],
      ["Allocation", "a1", "10.92.1.0/24"],
      ["Allocation", "a2", "10.92.3.0/24"],
    ]);
    expect(details.conflictCount).toBe(3);
    expect(details.nearestFree).toBe("10.92.4.0/22");
    expect(e.message).toBe(
      "10.92.0.0/22 overlaps 3 prefixes: allocation 'a0' (10.92.0.0/24), allocation 'a1' (10.92.1.0/24), allocation 'a2' (10.92.3.0/24); the nearest free /22 is 10.92.4.0/22",
    );
    // The named objects carry global ids a client can fetch.
    const first = (details.conflicts as { id: string }[])[0]!.id;
    const node = await s.ok<{ node: { cidr: string } }>(
      `query($id: ID!) { node(id: $id) { ... on Allocation { cidr } } }`,
      { id: first },
    );
    expect(node.node.cidr).toBe("10.92.0.0/24");
  });

  it("names at most 10 and counts them all", async () => {
    const pool = await createPool(s, { name: "crowded", cidr: "10.93.0.0/24" });
    for (let i = 0; i < 12; i++) {
      await s.ok(ALLOCATE, {
        input: { poolId: pool.id, accountId, cidr: `10.93.0.${i * 8}/29`, name: `c${i}` },
      });
    }
    const e = firstError(await allocate({ poolId: pool.id, cidr: "10.93.0.0/25" }));
    expect((e.extensions!.details!.conflicts as unknown[]).length).toBe(10);
    expect(e.extensions!.details!.conflictCount).toBe(12);
    expect(e.extensions!.details!.nearestFree).toBe("10.93.0.128/25");
    expect(e.message).toContain("overlaps 12 prefixes: allocation 'c0'");
    expect(e.message).toContain("and 9 more");
  });

  it("offers no nearest free block when none of that size is left", async () => {
    const pool = await createPool(s, { name: "full", cidr: "10.94.0.0/24" });
    await s.ok(ALLOCATE, { input: { poolId: pool.id, accountId, cidr: "10.94.0.0/25", name: "left" } });
    await s.ok(ALLOCATE, { input: { poolId: pool.id, accountId, cidr: "10.94.0.128/26", name: "right" } });
    const e = firstError(await allocate({ poolId: pool.id, cidr: "10.94.0.0/25" }));
    expect(e.extensions!.details!.nearestFree).toBeUndefined();
    expect(e.message).toContain("no /25 is free in pool 'full' (10.94.0.0/24)");
  });

  it("names every top-level pool a new top-level pool would contain", async () => {
    await createPool(s, { name: "inner-1", cidr: "172.20.0.0/24" });
    await createPool(s, { name: "inner-2", cidr: "172.20.8.0/24" });
    const e = firstError(
      await s.gql(`mutation { createPool(input: { name: "outer", cidr: "172.20.0.0/16" }) { pool { id } } }`),
    );
    expect(e.extensions?.code).toBe("CONFLICT");
    expect((e.extensions!.details!.conflicts as { name: string }[]).map((c) => c.name)).toEqual([
      "inner-1",
      "inner-2",
    ]);
    expect(e.message).toContain(
      "would contain 2 pools: pool 'inner-1' (172.20.0.0/24), pool 'inner-2' (172.20.8.0/24)",
    );
  });
});

describe("nearestFreeOfLength", () => {
  const parent = parsePrefix("10.0.0.0/24");
  const distance = (a: Prefix, b: Prefix) => (a.start > b.start ? a.start - b.start : b.start - a.start);

  it("is the closest aligned free block of the length, the lower one on a tie (brute force)", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 31 }), { maxLength: 32 }),
        fc.integer({ min: 26, max: 30 }),
        fc.nat(255),
        (occupiedSlots, length, at) => {
          const occupied = occupiedSlots.sort((a, b) => a - b).map((i) => parsePrefix(`10.0.0.${i * 8}/29`));
          const size = 2 ** (32 - length);
          const target = parsePrefix(`10.0.0.${at - (at % size)}/${length}`);
          const free = [...freeBlocks(parent, occupied)];
          const got = nearestFreeOfLength(free, target);
          const candidates: Prefix[] = [];
          for (let start = 0; start < 256; start += size) {
            const c = parsePrefix(`10.0.0.${start}/${length}`);
            if (!occupied.some((o) => o.start < c.start + BigInt(size) && c.start < o.start + 8n))
              candidates.push(c);
          }
          candidates.sort(
            (a, b) => Number(distance(a, target) - distance(b, target)) || Number(a.start - b.start),
          );
          expect(got && formatPrefix(got)).toEqual(candidates[0] && formatPrefix(candidates[0]));
        },
      ),
    );
  });
});
