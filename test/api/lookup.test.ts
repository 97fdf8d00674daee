import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromGlobalId } from "../../src/schema/node.js";
import { insertPrefix, prefixById, rangeColumns } from "../../src/db/prefixes.js";
import { occupyInPool } from "../../src/domain/placement.js";
import { parsePrefix } from "../../src/allocator/index.js";
import { createPool, createScope, failing } from "../helpers/plan.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

const LOOKUP = `query($address: IPAddress, $cidr: CIDR) { lookup(address: $address, cidr: $cidr) {
  scope { name } chain { id kind cidr name prefixLength status pool { name } } } }`;

type Chain = {
  scope: { name: string };
  chain: { id: string; kind: string; cidr: string; pool: { name: string } | null }[];
}[];

describe("lookup", () => {
  it("returns the containing chain in every scope, root pool first, the allocation last", async () => {
    const red = await createScope(s, "red");
    const rRoot = await createPool(s, { name: "red-root", cidr: "10.0.0.0/8", scopeId: red.id });
    const rMid = await createPool(s, { name: "red-mid", parentId: rRoot.id, cidr: "10.1.0.0/16" });
    await createPool(s, { name: "red-other", parentId: rRoot.id, cidr: "10.2.0.0/16" });
    const dRoot = await createPool(s, { name: "default-root", cidr: "10.0.0.0/12" });
    const alloc = await s.app.services.store.write(async (db) => {
      const parent = (await prefixById(db, fromGlobalId(rMid.id).id))!;
      const p = parsePrefix("10.1.2.0/24");
      await occupyInPool(db, parent, p);
      return await insertPrefix(db, {
        kind: "allocation",
        scopeId: parent.scopeId,
        parentId: parent.id,
        status: "ALLOCATED",
        name: "web",
        ...rangeColumns(p),
      });
    });

    const r = await s.ok<{ lookup: Chain }>(LOOKUP, { address: "10.1.2.3" });

    expect(r.lookup.map((c) => c.scope.name)).toEqual(["default", "red"]);
    expect(r.lookup[0]!.chain.map((e) => e.cidr)).toEqual(["10.0.0.0/12"]);
    expect(r.lookup[0]!.chain[0]!.id).toBe(dRoot.id);
    expect(r.lookup[1]!.chain.map((e) => [e.kind, e.cidr, e.pool?.name ?? null])).toEqual([
      ["POOL", "10.0.0.0/8", "red-root"],
      ["POOL", "10.1.0.0/16", "red-mid"],
      ["ALLOCATION", "10.1.2.0/24", null],
    ]);
    expect(fromGlobalId(r.lookup[1]!.chain[2]!.id)).toEqual({ type: "Allocation", id: alloc.id });
  });

  it("looks up a CIDR and IPv6 addresses, and answers an unknown address with an empty list", async () => {
    const v6 = await createPool(s, { name: "v6-lookup", cidr: "2001:db8:100::/40" });
    await createPool(s, { name: "v6-child", parentId: v6.id, cidr: "2001:db8:100::/48" });

    const byAddress = await s.ok<{ lookup: Chain }>(LOOKUP, { address: "2001:DB8:100::1" });
    const byCidr = await s.ok<{ lookup: Chain }>(LOOKUP, { cidr: "2001:db8:100:8000::/49" });
    const none = await s.ok<{ lookup: Chain }>(LOOKUP, { address: "203.0.113.9" });

    expect(byAddress.lookup[0]!.chain.map((e) => e.cidr)).toEqual(["2001:db8:100::/40", "2001:db8:100::/48"]);
    expect(byCidr.lookup[0]!.chain.map((e) => e.cidr)).toEqual(["2001:db8:100::/40", "2001:db8:100::/48"]);
    expect(none.lookup).toEqual([]);
  });

  it("requires exactly one of address or cidr, and a valid address", async () => {
    const both = await failing(s, LOOKUP, { address: "10.0.0.1", cidr: "10.0.0.0/8" });
    const neither = await failing(s, LOOKUP, {});
    const bad = await failing(s, LOOKUP, { address: "10.0.0.256" });
    expect(both.extensions?.code).toBe("BAD_USER_INPUT");
    expect(neither.extensions).toMatchObject({ code: "BAD_USER_INPUT", details: { field: "address" } });
    expect(bad.extensions?.code).toBe("BAD_USER_INPUT");
  });
});
