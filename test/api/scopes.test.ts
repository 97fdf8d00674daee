import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, createScope, dumpServer, failing, pageAll } from "../helpers/plan.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

const UPDATE = `mutation($input: UpdateScopeInput!) { updateScope(input: $input) { scope { id name description } } }`;
const DELETE = `mutation($input: DeleteScopeInput!) { deleteScope(input: $input) { deletedScopeId } }`;

type ScopeConn = {
  totalCount: number;
  edges: { cursor: string; node: { id: string; name: string; isDefault: boolean } }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
};
const scopes = async (args: Record<string, unknown>) =>
  (
    await s.ok<{ scopes: ScopeConn }>(
      `query($first: Int, $after: String, $last: Int, $before: String) { scopes(first: $first, after: $after, last: $last, before: $before) {
        totalCount edges { cursor node { id name isDefault } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`,
      args,
    )
  ).scopes;

describe("scopes", () => {
  it("starts with the default scope and pages through created scopes in both directions", async () => {
    for (let i = 0; i < 5; i++) await createScope(s, `vrf-${i}`);
    const forward = await pageAll(scopes, 2);
    const backward = await pageAll(scopes, 2, true);

    expect(forward.map((x) => x.name)).toEqual(["default", "vrf-0", "vrf-1", "vrf-2", "vrf-3", "vrf-4"]);
    expect(backward).toEqual(forward);
    expect(forward[0]!.isDefault).toBe(true);
    expect((await scopes({ first: 1 })).totalCount).toBe(6);
  });

  it("lets the same CIDR exist in two scopes", async () => {
    const a = await createScope(s, "overlap-a");
    const b = await createScope(s, "overlap-b");
    const pa = await createPool(s, { name: "same", cidr: "10.0.0.0/8", scopeId: a.id });
    const pb = await createPool(s, { name: "same", cidr: "10.0.0.0/8", scopeId: b.id });
    expect(pa.scope.name).toBe("overlap-a");
    expect(pb.scope.name).toBe("overlap-b");
  });

  it("refuses a duplicate name, naming the existing scope", async () => {
    const a = await createScope(s, "dup-scope");
    const e = await failing(s, `mutation { createScope(input: {name: "dup-scope"}) { scope { id } } }`, {});
    expect(e.extensions).toEqual({
      code: "CONFLICT",
      details: { field: "name", conflicting: { type: "Scope", id: a.id, name: "dup-scope" } },
    });
  });

  it("renames and re-describes a scope, clearing the description with null", async () => {
    const a = await createScope(s, "rename-me");
    await s.ok(UPDATE, { input: { id: a.id, description: "old" } });
    const r = await s.ok<{ updateScope: { scope: { name: string; description: string | null } } }>(UPDATE, {
      input: { id: a.id, name: "renamed", description: null },
    });
    expect(r.updateScope.scope).toEqual({ id: a.id, name: "renamed", description: null });
  });

  it("deletes an empty scope and refuses the default one or one holding pools, changing nothing", async () => {
    const empty = await createScope(s, "empty-scope");
    const full = await createScope(s, "full-scope");
    const pool = await createPool(s, { name: "holder", cidr: "192.0.2.0/24", scopeId: full.id });
    const def = (await scopes({ first: 1 })).edges[0]!.node;
    const before = await dumpServer(s);

    const refusedDefault = await failing(s, DELETE, { input: { id: def.id } });
    const refusedFull = await failing(s, DELETE, { input: { id: full.id } });

    expect(refusedDefault.extensions?.code).toBe("CONFLICT");
    expect(refusedFull.extensions?.code).toBe("CONFLICT");
    expect(refusedFull.extensions?.details).toEqual({
      field: "id",
      conflicting: { type: "Pool", id: pool.id, name: "holder", cidr: "192.0.2.0/24" },
    });
    expect(await dumpServer(s)).toBe(before);
    const ok = await s.ok<{ deleteScope: { deletedScopeId: string } }>(DELETE, { input: { id: empty.id } });
    expect(ok.deleteScope.deletedScopeId).toBe(empty.id);
    const missing = await failing(s, DELETE, { input: { id: empty.id } });
    expect(missing.extensions?.code).toBe("NOT_FOUND");
  });
});
