import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromGlobalId } from "../../src/ids.js";
import { createAccount, createPool, createScope, dumpServer, failing } from "../helpers/plan.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ RATE_LIMIT_PER_SECOND: "100000", RATE_LIMIT_BURST: "100000" });
});
afterAll(async () => {
  await s.close();
});

const LINK = `mutation($input: LinkScopesInput!) { linkScopes(input: $input) { scopes { id name linkedScopes { name } } } }`;
const UNLINK = `mutation($input: LinkScopesInput!) { unlinkScopes(input: $input) { scopes { id name linkedScopes { name } } } }`;
const CREATE_POOL = `mutation($input: CreatePoolInput!) { createPool(input: $input) { pool { id cidr } } }`;
const ALLOCATE = `mutation($input: AllocateInput!) { allocate(input: $input) { allocation { id cidr } } }`;
const ALLOCATE_MANY = `mutation($input: AllocateManyInput!) { allocateMany(input: $input) { allocations { cidr } } }`;
const RESERVE = `mutation($input: ReserveInput!) { reserve(input: $input) { reservation { cidr } } }`;

let n = 0;
async function pair(): Promise<[{ id: string; name: string }, { id: string; name: string }]> {
  n++;
  return [await createScope(s, `peer-a-${n}`), await createScope(s, `peer-b-${n}`)];
}

async function account(): Promise<string> {
  return (
    await createAccount(s, {
      key: `aws:${String(5000 + ++n).padStart(12, "0")}`,
      name: `peer-${n}`,
      tier: "PRD",
    })
  ).id;
}

describe("peered scopes (linkScopes / unlinkScopes)", () => {
  it("refuses a pool that overlaps anything in a linked scope, naming it; unlinking allows it again", async () => {
    const [a, b] = await pair();
    const pa = await createPool(s, { name: "vpc-a", cidr: "10.80.0.0/16", scopeId: a.id });
    const linked = await s.ok<{
      linkScopes: { scopes: { name: string; linkedScopes: { name: string }[] }[] };
    }>(LINK, { input: { scopeIds: [a.id, b.id] } });
    expect(linked.linkScopes.scopes).toEqual([
      { id: a.id, name: a.name, linkedScopes: [{ name: b.name }] },
      { id: b.id, name: b.name, linkedScopes: [{ name: a.name }] },
    ]);

    const inside = await failing(s, CREATE_POOL, {
      input: { name: "vpc-b", cidr: "10.80.5.0/24", scopeId: b.id },
    });
    expect(inside.extensions?.code).toBe("CONFLICT");
    expect(inside.extensions?.details).toMatchObject({
      field: "cidr",
      conflicting: { type: "Pool", id: pa.id, name: "vpc-a", cidr: "10.80.0.0/16" },
      linkedScope: { type: "Scope", id: a.id, name: a.name },
    });
    const around = await failing(s, CREATE_POOL, {
      input: { name: "big-b", cidr: "10.0.0.0/8", scopeId: b.id },
    });
    expect(around.extensions?.details).toMatchObject({ conflicting: { id: pa.id } });
    // Disjoint space is still fine in the linked scope.
    await s.ok(CREATE_POOL, { input: { name: "vpc-b2", cidr: "10.81.0.0/16", scopeId: b.id } });

    await s.ok(UNLINK, { input: { scopeIds: [b.id, a.id] } });
    const again = await s.ok<{ createPool: { pool: { cidr: string } } }>(CREATE_POOL, {
      input: { name: "vpc-b", cidr: "10.80.5.0/24", scopeId: b.id },
    });
    expect(again.createPool.pool.cidr).toBe("10.80.5.0/24");
  });

  it("refuses to link scopes that already overlap, naming both prefixes, and writes nothing", async () => {
    const [a, b] = await pair();
    const pa = await createPool(s, { name: "legacy-a", cidr: "10.82.0.0/16", scopeId: a.id });
    const pb = await createPool(s, { name: "legacy-b", cidr: "10.82.128.0/20", scopeId: b.id });
    const before = await dumpServer(s);

    const e = await failing(s, LINK, { input: { scopeIds: [a.id, b.id] } });

    expect(e.extensions?.code).toBe("CONFLICT");
    expect(e.extensions?.details).toMatchObject({
      field: "scopeIds",
      conflicting: [
        { type: "Pool", id: pb.id, cidr: "10.82.128.0/20" },
        { type: "Pool", id: pa.id, cidr: "10.82.0.0/16" },
      ],
    });
    expect(e.message).toContain("10.82.128.0/20");
    expect(await dumpServer(s)).toBe(before);
  });

  it("records scope.linked and scope.unlinked for each scope, naming the other", async () => {
    const [a, b] = await pair();
    await s.ok(LINK, { input: { scopeIds: [a.id, b.id] } });
    await s.ok(LINK, { input: { scopeIds: [a.id, b.id] } }); // linking again changes nothing
    await s.ok(UNLINK, { input: { scopeIds: [a.id, b.id] } });
    const r = await s.ok<{
      events: {
        edges: { node: { type: string; subject: { id: string } | null; after: { linkedScopeId: string } } }[];
      };
    }>(
      `query($subjectId: ID) { events(first: 10, filter: { subjectId: $subjectId, types: ["scope.linked", "scope.unlinked"] }) {
        edges { node { type subject { id } after } } } }`,
      { subjectId: a.id },
    );
    expect(r.events.edges.map((e) => [e.node.type, e.node.subject?.id, e.node.after.linkedScopeId])).toEqual([
      ["scope.linked", a.id, b.id],
      ["scope.unlinked", a.id, b.id],
    ]);
  });

  it("refuses a link of a scope with itself, of an unknown scope, and an unlink of an unlinked pair", async () => {
    const [a, b] = await pair();
    const self = await failing(s, LINK, { input: { scopeIds: [a.id, a.id] } });
    expect(self.extensions).toMatchObject({ code: "BAD_USER_INPUT", details: { field: "scopeIds" } });
    const three = await failing(s, LINK, { input: { scopeIds: [a.id] } });
    expect(three.extensions).toMatchObject({ code: "BAD_USER_INPUT", details: { field: "scopeIds" } });
    const unlinked = await failing(s, UNLINK, { input: { scopeIds: [a.id, b.id] } });
    expect(unlinked.extensions).toMatchObject({ code: "NOT_FOUND", details: { field: "scopeIds" } });
  });

  it("allocates, batches and reserves normally inside a linked scope", async () => {
    const [a, b] = await pair();
    const accountId = await account();
    const pa = await createPool(s, { name: "hub-a", cidr: "10.84.0.0/16", scopeId: a.id });
    await createPool(s, { name: "hub-b", cidr: "10.85.0.0/16", scopeId: b.id });
    await s.ok(LINK, { input: { scopeIds: [a.id, b.id] } });
    const one = await s.ok<{ allocate: { allocation: { cidr: string } } }>(ALLOCATE, {
      input: { poolId: pa.id, accountId, prefixLength: 24 },
    });
    const many = await s.ok<{ allocateMany: { allocations: { cidr: string }[] } }>(ALLOCATE_MANY, {
      input: {
        poolId: pa.id,
        requests: [
          { prefixLength: 20, accountId },
          { prefixLength: 24, accountId },
        ],
      },
    });
    const res = await s.ok<{ reserve: { reservation: { cidr: string } } }>(RESERVE, {
      input: { poolId: pa.id, prefixLength: 22, reason: "growth" },
    });
    expect([
      one.allocate.allocation.cidr,
      ...many.allocateMany.allocations.map((x) => x.cidr),
      res.reserve.reservation.cidr,
    ]).toEqual(["10.84.0.0/24", "10.84.16.0/20", "10.84.1.0/24", "10.84.4.0/22"]);
  });

  it("guards allocate, allocateMany, reserve and child pools too, even for a link recorded without the overlap check", async () => {
    // A link row written straight into the database (as by hand, or by an older build): the overlap exists,
    // so every write path that places a prefix must still refuse to make it worse.
    const [a, b] = await pair();
    const accountId = await account();
    const pa = await createPool(s, { name: "old-a", cidr: "10.86.0.0/16", scopeId: a.id });
    const pb = await createPool(s, { name: "old-b", cidr: "10.86.0.0/16", scopeId: b.id });
    const [x, y] = [fromGlobalId(a.id).id, fromGlobalId(b.id).id].map(Number).sort((p, q) => p - q);
    if (s.databaseUrl) {
      const client = new pg.Client({ connectionString: s.databaseUrl });
      await client.connect();
      try {
        await client.query("INSERT INTO scope_links (scope_id, linked_scope_id) VALUES ($1, $2)", [x, y]);
      } finally {
        await client.end();
      }
    } else {
      const db = new Database(s.dbPath);
      try {
        db.prepare("INSERT INTO scope_links (scope_id, linked_scope_id) VALUES (?, ?)").run(x, y);
      } finally {
        db.close();
      }
    }
    const before = await dumpServer(s);
    const attempts = [
      [ALLOCATE, { poolId: pa.id, accountId, prefixLength: 24 }, "prefixLength"],
      [ALLOCATE, { poolId: pa.id, accountId, cidr: "10.86.7.0/24" }, "cidr"],
      [
        ALLOCATE_MANY,
        { poolId: pa.id, requests: [{ prefixLength: 24, accountId }] },
        "requests[0].prefixLength",
      ],
      [RESERVE, { poolId: pa.id, prefixLength: 24 }, "prefixLength"],
      [CREATE_POOL, { name: "child-a", parentId: pa.id, cidr: "10.86.8.0/24" }, "cidr"],
    ] as const;
    for (const [query, input, field] of attempts) {
      const e = await failing(s, query, { input });
      expect(e.extensions?.code, JSON.stringify(input)).toBe("CONFLICT");
      expect(e.extensions?.details, JSON.stringify(input)).toMatchObject({
        field,
        conflicting: { type: "Pool", id: pb.id },
        linkedScope: { id: b.id },
      });
    }
    expect(await dumpServer(s)).toBe(before);
  });
});
