import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  containsPrefix,
  formatPrefix,
  makePrefix,
  overlaps,
  parsePrefix,
  prefixEquals,
  type Prefix,
} from "../../src/allocator/index.js";
import { insertPrefix, rangeColumns } from "../../src/db/prefixes.js";
import { fromGlobalId } from "../../src/schema/node.js";
import {
  createAccount,
  createPool,
  createScope,
  dumpServer,
  failing,
  pageAll,
  POOL_FIELDS,
  type PoolView,
} from "../helpers/plan.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

const CREATE = `mutation($input: CreatePoolInput!) { createPool(input: $input) { pool { id cidr } } }`;
const UPDATE = `mutation($input: UpdatePoolInput!) { updatePool(input: $input) { pool { ${POOL_FIELDS} } } }`;
const DELETE = `mutation($input: DeletePoolInput!) { deletePool(input: $input) { deletedPoolId cidr removed { id kind cidr name released } } }`;

type Conn = {
  totalCount?: number;
  edges: { cursor: string; node: PoolView }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
};

async function pools(args: Record<string, unknown>, fields = "id name cidr"): Promise<Conn> {
  const r = await s.ok<{ pools: Conn }>(
    `query($filter: PoolFilter, $orderBy: PoolOrder, $first: Int, $after: String, $last: Int, $before: String) {
      pools(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
        totalCount edges { cursor node { ${fields} } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
    args,
  );
  return r.pools;
}

async function eventTypes(): Promise<string[]> {
  const dump = JSON.parse(await dumpServer(s)) as { events: { type: string }[] };
  return dump.events.map((e) => e.type);
}

describe("createPool", () => {
  it("creates a top-level pool in the default scope and a child carved as the next free block", async () => {
    const root = await createPool(s, { name: " carve-root ", cidr: "172.16.0.0/12", tags: { team: "net" } });
    const child = await createPool(s, { name: "carved", parentId: root.id, prefixLength: 16 });
    const second = await createPool(s, { name: "carved-2", parentId: root.id, prefixLength: 16 });

    expect(root).toMatchObject({
      name: "carve-root",
      cidr: "172.16.0.0/12",
      family: "IPV4",
      prefixLength: 12,
      status: "ACTIVE",
      tags: { team: "net" },
      parent: null,
      scope: { name: "default" },
    });
    expect(child).toMatchObject({ cidr: "172.16.0.0/16", parent: { id: root.id } });
    expect(second.cidr).toBe("172.17.0.0/16");
    expect((await eventTypes()).filter((t) => t === "pool.created").length).toBeGreaterThanOrEqual(3);
  });

  it("creates IPv6 pools and children with explicit CIDRs and the parent's default child length", async () => {
    const root = await createPool(s, {
      name: "v6-root",
      cidr: "2001:DB8::/32",
      rules: { defaultChildPrefixLength: 48, minChildPrefixLength: 40, maxChildPrefixLength: 64 },
    });
    const explicit = await createPool(s, { name: "v6-a", parentId: root.id, cidr: "2001:db8:ff::/48" });
    const byDefault = await createPool(s, { name: "v6-b", parentId: root.id });

    expect(root).toMatchObject({ cidr: "2001:db8::/32", family: "IPV6" });
    expect(root.rules).toEqual({
      minChildPrefixLength: 40,
      maxChildPrefixLength: 64,
      defaultChildPrefixLength: 48,
      allowedTiers: null,
    });
    expect(explicit.cidr).toBe("2001:db8:ff::/48");
    // Smallest-fit: the buddy left over by the explicit /48 is the smallest free block that fits.
    expect(byDefault).toMatchObject({ cidr: "2001:db8:fe::/48", prefixLength: 48 });
  });

  it("refuses a top-level pool inside an existing pool and says to use it as parent", async () => {
    const root = await createPool(s, { name: "inside-root", cidr: "10.10.0.0/16" });

    const e = await failing(s, CREATE, { input: { name: "x", cidr: "10.10.4.0/24" } });

    expect(e.extensions?.code).toBe("CONFLICT");
    expect(e.message).toBe(
      "10.10.4.0/24 lies inside pool 'inside-root' (10.10.0.0/16); create it with that pool as its parent",
    );
    expect(e.extensions?.details).toEqual({
      field: "cidr",
      conflicting: { type: "Pool", id: root.id, name: "inside-root", cidr: "10.10.0.0/16" },
    });
  });

  it("refuses a duplicate and a top-level pool that would contain an existing one", async () => {
    const root = await createPool(s, { name: "dup-root", cidr: "10.20.0.0/16" });

    const dup = await failing(s, CREATE, { input: { name: "x", cidr: "10.20.0.0/16" } });
    const wraps = await failing(s, CREATE, { input: { name: "x", cidr: "10.20.0.0/15" } });

    expect(dup.extensions?.code).toBe("CONFLICT");
    expect(dup.message).toContain("already exists as pool 'dup-root'");
    expect(wraps.extensions?.code).toBe("CONFLICT");
    expect(wraps.message).toBe("10.20.0.0/15 would contain pool 'dup-root' (10.20.0.0/16)");
    expect(wraps.extensions?.details).toMatchObject({ field: "cidr", conflicting: { id: root.id } });
  });

  it("refuses a child overlapping a sibling, naming the sibling and its CIDR", async () => {
    const root = await createPool(s, { name: "sib-root", cidr: "10.30.0.0/16" });
    const sib = await createPool(s, { name: "sib-a", parentId: root.id, cidr: "10.30.0.0/23" });

    const overlapping = await failing(s, CREATE, {
      input: { name: "x", parentId: root.id, cidr: "10.30.1.0/24" },
    });
    const equal = await failing(s, CREATE, { input: { name: "x", parentId: root.id, cidr: "10.30.0.0/23" } });

    for (const e of [overlapping, equal]) {
      expect(e.extensions?.code).toBe("CONFLICT");
      expect(e.extensions?.details).toMatchObject({
        field: "cidr",
        conflicting: { type: "Pool", id: sib.id, name: "sib-a", cidr: "10.30.0.0/23" },
      });
    }
    expect(overlapping.message).toMatch(/^10\.30\.1\.0\/24 overlaps pool 'sib-a' \(10\.30\.0\.0\/23\)/);
  });

  it("refuses a child outside its parent, of another family, or not longer than it", async () => {
    const root = await createPool(s, { name: "shape-root", cidr: "10.40.0.0/16" });
    const input = (cidr: string) => ({ input: { name: "x", parentId: root.id, cidr } });

    const outside = await failing(s, CREATE, input("10.41.0.0/24"));
    const family = await failing(s, CREATE, input("2001:db8:40::/48"));
    const same = await failing(s, CREATE, input("10.40.0.0/16"));
    const larger = await failing(s, CREATE, input("10.40.0.0/15"));

    for (const e of [outside, family, same, larger]) {
      expect(e.extensions?.code).toBe("BAD_USER_INPUT");
      expect(e.extensions?.details).toMatchObject({
        field: "cidr",
        conflicting: { id: root.id, type: "Pool" },
      });
    }
    expect(outside.message).toBe("10.41.0.0/24 lies outside its parent pool 'shape-root' (10.40.0.0/16)");
    expect(family.message).toContain("is IPv6 but the parent pool 'shape-root' (10.40.0.0/16) is IPv4");
    expect(same.message).toContain("needs a longer prefix than /16");
  });

  it("answers a full parent with CONFLICT naming its largest free block", async () => {
    const root = await createPool(s, { name: "full-root", cidr: "10.50.0.0/22" });
    await createPool(s, { name: "f1", parentId: root.id, cidr: "10.50.0.0/23" });
    await createPool(s, { name: "f2", parentId: root.id, cidr: "10.50.2.0/24" });

    const e = await failing(s, CREATE, { input: { name: "x", parentId: root.id, prefixLength: 23 } });

    expect(e.extensions?.code).toBe("CONFLICT");
    expect(e.message).toBe(
      "pool 'full-root' (10.50.0.0/22) has no free /23; its largest free block is 10.50.3.0/24",
    );
    expect(e.extensions?.details).toMatchObject({
      field: "prefixLength",
      largestFree: "10.50.3.0/24",
      conflicting: { id: root.id },
    });
  });

  it("validates names, lengths, rules, scope, references and the CIDR scalar with field details", async () => {
    const root = await createPool(s, { name: "val-root", cidr: "10.60.0.0/16" });
    const other = await createScope(s, "val-scope");
    const cases: [Record<string, unknown>, string, string][] = [
      [{ name: "   ", cidr: "10.61.0.0/16" }, "BAD_USER_INPUT", "name"],
      [{ name: "x".repeat(256), cidr: "10.61.0.0/16" }, "BAD_USER_INPUT", "name"],
      [{ name: "bad\u0007name", cidr: "10.61.0.0/16" }, "BAD_USER_INPUT", "name"],
      [{ name: "x", parentId: root.id, prefixLength: 16 }, "BAD_USER_INPUT", "prefixLength"],
      [{ name: "x", parentId: root.id, prefixLength: 33 }, "BAD_USER_INPUT", "prefixLength"],
      [{ name: "x", parentId: root.id }, "BAD_USER_INPUT", "prefixLength"],
      [
        { name: "x", parentId: root.id, cidr: "10.60.1.0/24", prefixLength: 24 },
        "BAD_USER_INPUT",
        "prefixLength",
      ],
      [{ name: "x" }, "BAD_USER_INPUT", "cidr"],
      [{ name: "x", parentId: root.id, scopeId: other.id, prefixLength: 24 }, "BAD_USER_INPUT", "scopeId"],
      [
        { name: "x", cidr: "10.62.0.0/16", rules: { minChildPrefixLength: 8 } },
        "BAD_USER_INPUT",
        "rules.minChildPrefixLength",
      ],
      [
        { name: "x", cidr: "10.62.0.0/16", rules: { minChildPrefixLength: 26, maxChildPrefixLength: 24 } },
        "BAD_USER_INPUT",
        "rules.maxChildPrefixLength",
      ],
      [{ name: "x", cidr: "10.62.0.0/16", tags: { k: 1 } }, "BAD_USER_INPUT", "tags"],
      [{ name: "x", parentId: "UG9vbDo5OTk5OTk", prefixLength: 24 }, "NOT_FOUND", "parentId"],
      [{ name: "x", cidr: "10.62.0.0/16", accountId: "QWNjb3VudDo5OTk5OTk" }, "NOT_FOUND", "accountId"],
      [{ name: "x", cidr: "10.62.0.0/16", scopeId: root.id }, "BAD_USER_INPUT", "scopeId"],
    ];
    for (const [input, code, field] of cases) {
      const e = await failing(s, CREATE, { input });
      expect({ input, code: e.extensions?.code, field: e.extensions?.details?.field }).toEqual({
        input,
        code,
        field,
      });
    }
    const hostBits = await failing(s, CREATE, { input: { name: "x", cidr: "10.62.0.1/16" } });
    expect(hostBits.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("refuses administration to a VIEWER", async () => {
    const viewer = await s.tokenFor("VIEWER");
    const r = await s.gql(CREATE, { input: { name: "x", cidr: "10.70.0.0/16" } }, { token: viewer });
    expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("leaves the database byte-for-byte unchanged when a mutation fails", async () => {
    const root = await createPool(s, { name: "atomic-root", cidr: "10.80.0.0/16" });
    await createPool(s, { name: "atomic-a", parentId: root.id, cidr: "10.80.0.0/17" });
    const before = await dumpServer(s);

    await failing(s, CREATE, { input: { name: "x", parentId: root.id, cidr: "10.80.0.0/18" } });
    await failing(s, CREATE, { input: { name: "x", parentId: root.id, prefixLength: 16 } });
    await failing(s, DELETE, { input: { id: root.id } });
    await failing(s, UPDATE, { input: { id: root.id, rules: { maxChildPrefixLength: 4 } } });

    expect(await dumpServer(s)).toBe(before);
  });
});

describe("updatePool", () => {
  it("changes only the fields present and clears those given as null", async () => {
    const acct = await createAccount(s, { key: "aws:111122223333", name: "upd" });
    const pool = await createPool(s, {
      name: "upd",
      cidr: "10.90.0.0/16",
      description: "first",
      accountId: acct.id,
      tags: { a: "1" },
      rules: { minChildPrefixLength: 20, maxChildPrefixLength: 28 },
    });

    const r = await s.ok<{ updatePool: { pool: PoolView } }>(UPDATE, {
      input: { id: pool.id, status: "DEPRECATED", description: null, rules: { maxChildPrefixLength: null } },
    });
    const p = r.updatePool.pool;

    expect(p).toMatchObject({
      name: "upd",
      status: "DEPRECATED",
      description: null,
      account: { key: "aws:111122223333" },
      tags: { a: "1" },
      rules: { minChildPrefixLength: 20, maxChildPrefixLength: null },
    });
    const cleared = await s.ok<{ updatePool: { pool: PoolView } }>(UPDATE, {
      input: { id: pool.id, accountId: null, tags: null, rules: null },
    });
    expect(cleared.updatePool.pool).toMatchObject({
      account: null,
      tags: {},
      rules: { minChildPrefixLength: null },
    });
    const e = await failing(s, UPDATE, { input: { id: pool.id, name: null } });
    expect(e.extensions?.details).toMatchObject({ field: "name" });
    expect(await eventTypes()).toContain("pool.updated");
  });
});

describe("deletePool", () => {
  it("refuses a pool with children without cascade, naming them", async () => {
    const root = await createPool(s, { name: "del-root", cidr: "10.100.0.0/16" });
    const a = await createPool(s, { name: "del-a", parentId: root.id, cidr: "10.100.0.0/24" });

    const e = await failing(s, DELETE, { input: { id: root.id } });

    expect(e.extensions?.code).toBe("CONFLICT");
    expect(e.message).toContain("still holds 1 child pool (first: pool 'del-a' (10.100.0.0/24))");
    expect(e.extensions?.details).toMatchObject({
      field: "cascade",
      conflicting: [{ type: "Pool", id: a.id, cidr: "10.100.0.0/24" }],
    });
  });

  it("cascades through descendants, gives the range back to the parent, and lists what it removed", async () => {
    const top = await createPool(s, { name: "cas-top", cidr: "fd12:c000::/36" });
    const mid = await createPool(s, { name: "cas-mid", parentId: top.id, cidr: "fd12:c000::/40" });
    const leaf = await createPool(s, { name: "cas-leaf", parentId: mid.id, prefixLength: 48 });
    const leaf2 = await createPool(s, { name: "cas-leaf2", parentId: leaf.id, prefixLength: 56 });

    const r = await s.ok<{
      deletePool: { deletedPoolId: string; cidr: string; removed: { id: string; kind: string }[] };
    }>(DELETE, { input: { id: mid.id, cascade: true } });

    expect(r.deletePool.deletedPoolId).toBe(mid.id);
    expect(r.deletePool.removed.map((x) => x.id)).toEqual([leaf2.id, leaf.id]);
    expect(r.deletePool.removed.every((x) => x.kind === "POOL")).toBe(true);
    const again = await createPool(s, { name: "cas-again", parentId: top.id, prefixLength: 36 + 4 });
    expect(again.cidr).toBe("fd12:c000::/40");
    const gone = await s.ok<{ nodes: unknown[] }>(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, {
      ids: [mid.id, leaf.id, leaf2.id],
    });
    expect(gone.nodes).toEqual([null, null, null]);
    expect((await eventTypes()).filter((t) => t === "pool.deleted").length).toBeGreaterThanOrEqual(3);
  });
});

describe("pools query", () => {
  it("fetches relations, path and children, and answers node(id:)", async () => {
    const acct = await createAccount(s, { key: "gcp:rel-project", name: "rel" });
    const root = await createPool(s, { name: "rel-root", cidr: "10.110.0.0/16", accountId: acct.id });
    const mid = await createPool(s, { name: "rel-mid", parentId: root.id, cidr: "10.110.0.0/20" });
    await createPool(s, { name: "rel-leaf-b", parentId: mid.id, cidr: "10.110.2.0/24" });
    await createPool(s, { name: "rel-leaf-a", parentId: mid.id, cidr: "10.110.1.0/24" });

    const r = await s.ok<{
      node: { name: string; path: { name: string }[]; children: Conn; parent: { account: { key: string } } };
    }>(
      `query($id: ID!) { node(id: $id) { ... on Pool { name parent { account { key } } path { name }
        children(first: 1) { totalCount edges { node { name } } pageInfo { hasNextPage } } } } }`,
      { id: mid.id },
    );

    expect(r.node.path.map((p) => p.name)).toEqual(["rel-root", "rel-mid"]);
    expect(r.node.parent.account.key).toBe("gcp:rel-project");
    expect(r.node.children.totalCount).toBe(2);
    expect(r.node.children.edges.map((e) => e.node.name)).toEqual(["rel-leaf-a"]);
    expect(r.node.children.pageInfo.hasNextPage).toBe(true);
  });

  it("filters by scope, parent, roots, account, status, family and name", async () => {
    const scope = await createScope(s, "filter-scope");
    const acct = await createAccount(s, { key: "onprem:filter-dc", name: "f" });
    const root = await createPool(s, { name: "Filter-Root", cidr: "10.0.0.0/8", scopeId: scope.id });
    const v6 = await createPool(s, {
      name: "filter-v6",
      cidr: "fd00::/8",
      scopeId: scope.id,
      status: "PLANNED",
    });
    const kid = await createPool(s, {
      name: "filter-kid",
      parentId: root.id,
      cidr: "10.1.0.0/16",
      accountId: acct.id,
    });
    const names = async (filter: Record<string, unknown>) =>
      (await pools({ filter: { scopeId: scope.id, ...filter } })).edges.map((e) => e.node.name);

    expect(await names({})).toEqual(["Filter-Root", "filter-kid", "filter-v6"]);
    expect(await names({ parentId: root.id })).toEqual(["filter-kid"]);
    expect(await names({ rootsOnly: true })).toEqual(["Filter-Root", "filter-v6"]);
    expect(await names({ accountId: acct.id })).toEqual(["filter-kid"]);
    expect(await names({ status: ["PLANNED", "DEPRECATED"] })).toEqual(["filter-v6"]);
    expect(await names({ family: "IPV6" })).toEqual(["filter-v6"]);
    expect(await names({ search: "filter-r" })).toEqual(["Filter-Root"]);
    expect(kid.account?.key).toBe("onprem:filter-dc");
    expect(v6.family).toBe("IPV6");
    const page = await pools({ filter: { scopeId: scope.id }, first: 1 });
    expect(page.totalCount).toBe(3);
  });

  it("orders by network (v4 before v6), name and creation time, in both directions", async () => {
    const scope = await createScope(s, "order-scope");
    for (const [name, cidr] of [
      ["b", "fd00::/16"],
      ["c", "10.2.0.0/16"],
      ["a", "10.10.0.0/16"],
      ["d", "9.0.0.0/8"],
    ])
      await createPool(s, { name, cidr, scopeId: scope.id });
    const order = async (field: string, direction: string) =>
      (await pools({ filter: { scopeId: scope.id }, orderBy: { field, direction } })).edges.map(
        (e) => e.node.name,
      );

    expect(await order("NETWORK", "ASC")).toEqual(["d", "c", "a", "b"]);
    expect(await order("NETWORK", "DESC")).toEqual(["b", "a", "c", "d"]);
    expect(await order("NAME", "ASC")).toEqual(["a", "b", "c", "d"]);
    expect(await order("NAME", "DESC")).toEqual(["d", "c", "b", "a"]);
    expect(await order("CREATED_AT", "ASC")).toEqual(["b", "c", "a", "d"]);
    expect(await order("CREATED_AT", "DESC")).toEqual(["d", "a", "c", "b"]);
  });

  it("refuses a page over the maximum, naming the maximum", async () => {
    const r = await s.gql(`{ pools(first: 501) { totalCount } }`);
    expect(r.errors?.[0]?.extensions).toEqual({
      code: "BAD_USER_INPUT",
      details: { field: "first", maximum: 500 },
    });
    expect(r.errors?.[0]?.message).toContain("500");
  });

  it("pages forward and backward without duplicates or gaps while pools are inserted between pages", async () => {
    const scope = await createScope(s, "paging-scope");
    const root = await createPool(s, { name: "page-root", cidr: "10.0.0.0/8", scopeId: scope.id });
    const original: string[] = [];
    for (let i = 0; i < 30; i++)
      original.push(
        (await createPool(s, { name: `p${i}`, parentId: root.id, cidr: `10.${i * 4}.0.0/16` })).id,
      );
    let extra = 0;
    const insert = async () => {
      // One before and one after every position: lands on both sides of the cursor.
      await createPool(s, { name: `x${extra}`, parentId: root.id, cidr: `10.${extra * 4 + 1}.0.0/16` });
      await createPool(s, { name: `y${extra}`, parentId: root.id, cidr: `10.${extra * 4 + 2}.0.0/16` });
      extra++;
    };

    for (const [field, backward] of [
      ["NETWORK", false],
      ["NETWORK", true],
      ["NAME", false],
      ["CREATED_AT", true],
    ] as const) {
      const seen = await pageAll(
        (args) => pools({ filter: { parentId: root.id }, orderBy: { field }, ...args }),
        7,
        backward,
        insert,
      );
      const ids = seen.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      const kept = ids.filter((id) => original.includes(id));
      const expected =
        field === "NAME" ? [...original].sort((a, b) => nameOf(a).localeCompare(nameOf(b))) : original;
      expect(kept).toEqual(expected);
    }
    function nameOf(id: string) {
      return `p${original.indexOf(id)}`;
    }
  });
});

describe("containment filters", () => {
  it("match the allocator's containment on a few thousand random prefixes (IPv4 and IPv6)", async () => {
    const scope = await createScope(s, "random-scope");
    const scopeRow = fromGlobalId(scope.id).id;
    let seed = 42;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const randomPrefix = (family: 4 | 6): Prefix => {
      const len = family === 4 ? 8 + Math.floor(rand() * 17) : 32 + Math.floor(rand() * 33);
      const bits = family === 4 ? 32 : 128;
      const base = family === 4 ? 10n << 24n : 0x20010db8n << 96n;
      const fixed = family === 4 ? 8 : 32;
      let host = 0n;
      for (let i = 0; i < 4; i++) host = (host << 32n) | BigInt(Math.floor(rand() * 2 ** 32));
      const free = BigInt(bits - fixed);
      const keep = BigInt(len - fixed);
      const middle = ((host & ((1n << free) - 1n)) >> (free - keep)) << (free - keep);
      return makePrefix(family, base | middle, len);
    };
    const stored = new Map<string, { id: number; p: Prefix }>();
    await s.app.services.store.write(async (db) => {
      for (let i = 0; stored.size < 3000; i++) {
        const p = randomPrefix(i % 3 === 0 ? 6 : 4);
        const key = formatPrefix(p);
        if (stored.has(key)) continue;
        const row = await insertPrefix(db, {
          kind: "pool",
          scopeId: scopeRow,
          status: "ACTIVE",
          name: key,
          ...rangeColumns(p),
        });
        stored.set(key, { id: row.id, p });
      }
    });
    const all = [...stored.values()];
    const predicates: Record<string, (x: Prefix, q: Prefix) => boolean> = {
      within: (x, q) => containsPrefix(q, x) && !prefixEquals(q, x),
      withinOrEqual: (x, q) => containsPrefix(q, x),
      contains: (x, q) => containsPrefix(x, q) && !prefixEquals(q, x),
      containsOrEqual: (x, q) => containsPrefix(x, q),
      overlaps: (x, q) => overlaps(x, q),
      equals: (x, q) => prefixEquals(x, q),
    };
    const queries = [
      ...Array.from({ length: 6 }, () => randomPrefix(4)),
      ...Array.from({ length: 3 }, () => randomPrefix(6)),
      all[5]!.p,
      all[100]!.p,
      parsePrefix("10.0.0.0/8"),
      parsePrefix("2001:db8::/32"),
    ];
    let compared = 0;
    for (const q of queries) {
      for (const [name, pred] of Object.entries(predicates)) {
        const expected = all.filter((x) => pred(x.p, q)).map((x) => x.id);
        const got = await pageAll(
          (args) => pools({ filter: { scopeId: scope.id, [name]: formatPrefix(q) }, ...args }, "id"),
          400,
        );
        const gotIds = got.map((n) => fromGlobalId(n.id).id);
        expect({ q: formatPrefix(q), name, ids: gotIds.sort((a, b) => a - b) }).toEqual({
          q: formatPrefix(q),
          name,
          ids: expected.sort((a, b) => a - b),
        });
        compared += expected.length;
      }
    }
    expect(all.length).toBe(3000);
    expect(compared).toBeGreaterThan(all.length);
  });
});
