/**
 * Soft delete with undo (issue #18), through the GraphQL API of a real server: deletePool (cascade), unreserve
 * and deleteAccount (cascade) mark rows deleted; deleted rows vanish from every query and their space is free;
 * `restore` brings exactly what one delete took back (free blocks and utilisation as before the delete), or
 * refuses with CONFLICT naming what took the space; the purge removes deletes past RETENTION_DAYS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { purgeExpired } from "../../src/domain/soft-delete.js";
import { newAccount, newAllocation, newPool, newReservation } from "../helpers/plan.js";
import { collect, startTestServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

const RESTORE = `mutation($id: ID!) { restore(input: {id: $id}) {
  restored { __typename id ... on Pool { cidr deletedAt } ... on Reservation { cidr } ... on Account { key deletedAt } }
  cascaded { __typename id ... on Pool { cidr } ... on Allocation { cidr status } ... on Reservation { cidr } }
  reattachedPools { id account { id } } } }`;
const DELETE_POOL = `mutation($id: ID!) { deletePool(input: {id: $id, cascade: true}) { deletedPoolId removed { id } } }`;
const DELETE_ACCOUNT = `mutation($id: ID!) { deleteAccount(input: {id: $id, cascade: true}) { deletedAccountId removed { id } } }`;
const UNRESERVE = `mutation($id: ID!) { unreserve(input: {id: $id}) { reservation { id } } }`;

type Restored = {
  restore: {
    restored: { __typename: string; id: string; cidr?: string; key?: string; deletedAt: string | null };
    cascaded: { __typename: string; id: string; cidr: string; status?: string }[];
    reattachedPools: { id: string; account: { id: string } | null }[];
  };
};

/** The blocks view of a pool at one length. */
const BLOCKS = `blocks(prefixLength: $len, first: 64) { totalCount edges { node { cidr status
        occupant { __typename ... on Pool { id } ... on Allocation { id } ... on Reservation { id } } } } }`;

/** Everything a client can see of a pool's space: utilisation, free blocks, the blocks view, children. */
async function spaceOf(poolId: string, length: number) {
  const r = await s.ok<{ pool: unknown }>(
    `query($id: ID!, $len: Int!) { pool(id: $id) {
      utilization { free used reserved total percent largestFree freeBlocksByLength { prefixLength count } }
      largestFreeBlocks(first: 20)
      ${BLOCKS}
      children(first: 20) { totalCount edges { node { id cidr } } }
      allocations(first: 20) { totalCount edges { node { id cidr status releasedAt } } }
      reservations(first: 20) { totalCount edges { node { id cidr } } }
    } }`,
    { id: poolId, len: length },
  );
  return r.pool;
}

/** Ids of the pools a filter lists (default: without deleted ones). */
async function poolIds(filter: Record<string, unknown>, includeDeleted = false): Promise<string[]> {
  const r = await s.ok<{ pools: { edges: { node: { id: string } }[] } }>(
    `query($filter: PoolFilter, $inc: Boolean) { pools(filter: $filter, first: 500, includeDeleted: $inc) { edges { node { id } } } }`,
    { filter, inc: includeDeleted },
  );
  return r.pools.edges.map((e) => e.node.id);
}

async function lookupIds(cidr: string): Promise<string[]> {
  const r = await s.ok<{ lookup: { chain: { id: string }[] }[] }>(
    `query($cidr: CIDR) { lookup(cidr: $cidr) { chain { id } } }`,
    { cidr },
  );
  return r.lookup.flatMap((l) => l.chain.map((c) => c.id));
}

async function analyticsIds(filter: Record<string, unknown>): Promise<string[]> {
  const r = await s.ok<{ blocks: { edges: { node: { id: string } }[] } }>(
    `query($filter: AnalyticsFilter) { blocks(filter: $filter, first: 500) { edges { node { id } } } }`,
    { filter },
  );
  return r.blocks.edges.map((e) => e.node.id);
}

async function perPool(within: string): Promise<{ pool: { id: string }; allocations: number }[]> {
  const r = await s.ok<{
    analytics: { allocationsPerPool: { pool: { id: string }; allocations: number }[] };
  }>(
    `query($within: CIDR) { analytics(filter: {within: $within}) { allocationsPerPool { pool { id } allocations } } }`,
    { within },
  );
  return r.analytics.allocationsPerPool;
}

async function nodeIds(ids: string[]): Promise<(string | null)[]> {
  const r = await s.ok<{ nodes: ({ id: string } | null)[] }>(
    `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
    {
      ids,
    },
  );
  return r.nodes.map((n) => n?.id ?? null);
}

async function accountIds(filter: Record<string, unknown>, includeDeleted = false): Promise<string[]> {
  const r = await s.ok<{ accounts: { edges: { node: { id: string } }[] } }>(
    `query($filter: AccountFilter, $inc: Boolean) { accounts(filter: $filter, first: 500, includeDeleted: $inc) { edges { node { id } } } }`,
    { filter, inc: includeDeleted },
  );
  return r.accounts.edges.map((e) => e.node.id);
}

async function eventTypesOf(subjectId: string): Promise<string[]> {
  const r = await s.ok<{ events: { edges: { node: { type: string } }[] } }>(
    `query($id: ID) { events(first: 100, filter: {subjectId: $id}) { edges { node { type } } } }`,
    { id: subjectId },
  );
  return r.events.edges.map((e) => e.node.type);
}

describe("deletePool → restore", () => {
  it("brings a pool back with its child pools, allocations (live and released) and reservations, exactly", async () => {
    const account = await newAccount(s);
    const root = await newPool(s, "10.40.0.0/16");
    const pool = await newPool(s, "10.40.16.0/20", { parentId: root });
    const child = await newPool(s, "10.40.16.0/22", { parentId: pool });
    const grandchild = await newPool(s, "10.40.16.0/24", { parentId: child });
    const a1 = await newAllocation(s, grandchild, account, "10.40.16.0/26");
    const a2 = await newAllocation(s, pool, account, "10.40.24.0/24");
    const released = await newAllocation(s, pool, account, "10.40.25.0/24");
    await s.ok(`mutation($id: ID!) { releaseAllocation(input: {id: $id}) { allocation { id } } }`, {
      id: released,
    });
    const r1 = await newReservation(s, pool, "10.40.26.0/24", { reason: "hold" });
    const sibling = await newAllocation(s, root, account, "10.40.0.0/24");

    const rootBefore = await spaceOf(root, 20);
    const poolBefore = await spaceOf(pool, 24);
    const childBefore = await spaceOf(child, 24);
    const listed = await poolIds({ within: "10.40.0.0/16" });
    expect(listed).toEqual([child, grandchild, pool].sort((a, b) => listed.indexOf(a) - listed.indexOf(b)));

    const del = await s.ok<{ deletePool: { removed: { id: string }[] } }>(DELETE_POOL, { id: pool });
    expect(del.deletePool.removed.map((r) => r.id).sort()).toEqual(
      [child, grandchild, a1, a2, released, r1].sort(),
    );
    // The space is free in the root at once.
    const rootDeleted = (await spaceOf(root, 20)) as { utilization: { used: string } };
    expect(rootDeleted.utilization.used).toBe(String(256));

    const back = await s.ok<Restored>(RESTORE, { id: pool });
    expect(back.restore.restored).toMatchObject({
      __typename: "Pool",
      id: pool,
      cidr: "10.40.16.0/20",
      deletedAt: null,
    });
    // Pools outermost first, then the rest in address order; the released allocation comes back released.
    expect(back.restore.cascaded).toEqual([
      { __typename: "Pool", id: child, cidr: "10.40.16.0/22" },
      { __typename: "Pool", id: grandchild, cidr: "10.40.16.0/24" },
      { __typename: "Allocation", id: a1, cidr: "10.40.16.0/26", status: "ALLOCATED" },
      { __typename: "Allocation", id: a2, cidr: "10.40.24.0/24", status: "ALLOCATED" },
      { __typename: "Allocation", id: released, cidr: "10.40.25.0/24", status: "RELEASED" },
      { __typename: "Reservation", id: r1, cidr: "10.40.26.0/24" },
    ]);
    expect(back.restore.reattachedPools).toEqual([]);
    // Exactly as before the delete: utilisation, free blocks, blocks view, children, allocations.
    expect(await spaceOf(root, 20)).toEqual(rootBefore);
    expect(await spaceOf(pool, 24)).toEqual(poolBefore);
    expect(await spaceOf(child, 24)).toEqual(childBefore);
    expect(await poolIds({ within: "10.40.0.0/16" })).toEqual(listed);
    expect(await nodeIds([sibling, a1, r1])).toEqual([sibling, a1, r1]);
    // One event per restored object, in the restore's transaction.
    expect(await eventTypesOf(pool)).toEqual(["pool.created", "pool.deleted", "pool.restored"]);
    expect(await eventTypesOf(a1)).toEqual([
      "allocation.created",
      "allocation.deleted",
      "allocation.restored",
    ]);
    expect(await eventTypesOf(r1)).toEqual([
      "reservation.created",
      "reservation.deleted",
      "reservation.restored",
    ]);
    // Live again for writes too: the restored pool allocates, and deleting it again works.
    await newAllocation(s, pool, account, "10.40.27.0/24");
    expect((await s.gql(DELETE_POOL, { id: pool })).errors).toBeUndefined();
  });

  it("restores a top-level pool unless a new top-level pool overlaps it", async () => {
    const top = await newPool(s, "10.41.0.0/16");
    const inner = await newPool(s, "10.41.1.0/24", { parentId: top });
    await s.ok(DELETE_POOL, { id: top });
    const taker = await newPool(s, "10.41.0.0/20");
    const refused = await s.gql(RESTORE, { id: top });
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: "CONFLICT",
      details: { field: "id", conflicting: { type: "Pool", id: taker, cidr: "10.41.0.0/20" } },
    });
    await s.ok(DELETE_POOL, { id: taker });
    const back = await s.ok<Restored>(RESTORE, { id: top });
    expect(back.restore.cascaded.map((c) => c.id)).toEqual([inner]);
  });

  it("refuses when an allocation took the freed space, naming it; and restores once it is released", async () => {
    const account = await newAccount(s);
    const root = await newPool(s, "10.42.0.0/16");
    const pool = await newPool(s, "10.42.4.0/22", { parentId: root });
    await newAllocation(s, pool, account, "10.42.4.0/24");
    await s.ok(DELETE_POOL, { id: pool });
    const taker = await newAllocation(s, root, account, "10.42.5.0/24");
    const before = await spaceOf(root, 22);
    const refused = await s.gql(RESTORE, { id: pool });
    expect(refused.errors?.[0]?.extensions).toMatchObject({
      code: "CONFLICT",
      details: { field: "id", conflicting: { type: "Allocation", id: taker, cidr: "10.42.5.0/24" } },
    });
    expect(refused.errors?.[0]?.message).toMatch(/10\.42\.5\.0\/24/);
    // Nothing changed.
    expect(await spaceOf(root, 22)).toEqual(before);
    expect(await poolIds({ equals: "10.42.4.0/22" })).toEqual([]);
    await s.ok(`mutation($id: ID!) { releaseAllocation(input: {id: $id}) { allocation { id } } }`, {
      id: taker,
    });
    expect((await s.ok<Restored>(RESTORE, { id: pool })).restore.restored.id).toBe(pool);
  });

  it("refuses a cascaded object by itself, naming what to restore; and a pool whose parent is deleted", async () => {
    const account = await newAccount(s);
    const root = await newPool(s, "10.43.0.0/16");
    const pool = await newPool(s, "10.43.0.0/20", { parentId: root });
    const child = await newPool(s, "10.43.0.0/24", { parentId: pool });
    const alloc = await newAllocation(s, pool, account, "10.43.1.0/24");
    await s.ok(DELETE_POOL, { id: pool });
    for (const id of [child, alloc]) {
      const e = (await s.gql(RESTORE, { id })).errors?.[0];
      expect(e?.extensions).toMatchObject({
        code: "CONFLICT",
        details: { deletedWith: { type: "Pool", id: pool } },
      });
    }
    // Delete the child's pool chain separately: restore the child while its parent is deleted.
    await s.ok<Restored>(RESTORE, { id: pool });
    await s.ok(DELETE_POOL, { id: child });
    await s.ok(DELETE_POOL, { id: pool });
    const e = (await s.gql(RESTORE, { id: child })).errors?.[0];
    expect(e?.extensions).toMatchObject({
      code: "CONFLICT",
      details: { conflicting: { type: "Pool", id: pool } },
    });
    await s.ok(RESTORE, { id: pool });
    await s.ok(RESTORE, { id: child });
    // While deleted, the allocation is gone for every other mutation too.
    await s.ok(DELETE_POOL, { id: pool });
    for (const m of [
      `mutation($id: ID!) { releaseAllocation(input: {id: $id}) { allocation { id } } }`,
      `mutation($id: ID!) { updateAllocation(input: {id: $id, name: "x"}) { allocation { id } } }`,
    ])
      expect((await s.gql(m, { id: alloc })).errors?.[0]?.extensions).toMatchObject({
        code: "NOT_FOUND",
        details: { field: "id" },
      });
    expect(
      (
        await s.gql(`mutation($id: ID!) { updatePool(input: {id: $id, name: "x"}) { pool { id } } }`, {
          id: child,
        })
      ).errors?.[0]?.extensions?.code,
    ).toBe("NOT_FOUND");
    await s.ok(RESTORE, { id: pool });
    // Restoring a live object: CONFLICT; an unknown one: NOT_FOUND; a Scope id: BAD_USER_INPUT.
    expect((await s.gql(RESTORE, { id: child })).errors?.[0]?.extensions?.code).toBe("CONFLICT");
    const missing = Buffer.from("Pool:999999").toString("base64url");
    expect((await s.gql(RESTORE, { id: missing })).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const scope = Buffer.from("Scope:1").toString("base64url");
    expect((await s.gql(RESTORE, { id: scope })).errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      details: { field: "id" },
    });
  });

  it("needs the role of the delete: ADMIN for a pool, OPERATOR for a reservation", async () => {
    const operator = await s.tokenFor("OPERATOR");
    const viewer = await s.tokenFor("VIEWER");
    const pool = await newPool(s, "10.44.0.0/16");
    const res = await newReservation(s, pool, "10.44.1.0/24");
    await s.ok(UNRESERVE, { id: res }, operator);
    const child = await newPool(s, "10.44.8.0/24", { parentId: pool });
    await s.ok(DELETE_POOL, { id: child });
    expect((await s.gql(RESTORE, { id: child }, { token: operator })).errors?.[0]?.extensions?.code).toBe(
      "FORBIDDEN",
    );
    expect((await s.gql(RESTORE, { id: res }, { token: viewer })).errors?.[0]?.extensions?.code).toBe(
      "FORBIDDEN",
    );
    const back = await s.ok<Restored>(RESTORE, { id: res }, operator);
    expect(back.restore.restored).toMatchObject({ __typename: "Reservation", id: res, cidr: "10.44.1.0/24" });
    await s.ok(RESTORE, { id: child });
  });
});

describe("deleteScope", () => {
  it("is not held up by deleted objects: they go with the scope, and their restore is then NOT_FOUND", async () => {
    const scope = (
      await s.ok<{ createScope: { scope: { id: string } } }>(
        `mutation { createScope(input: {name: "short-lived"}) { scope { id } } }`,
      )
    ).createScope.scope.id;
    const pool = await newPool(s, "10.49.0.0/16", { scopeId: scope });
    const child = await newPool(s, "10.49.1.0/24", { parentId: pool });
    const DELETE_SCOPE = `mutation($id: ID!) { deleteScope(input: {id: $id}) { __typename } }`;
    expect((await s.gql(DELETE_SCOPE, { id: scope })).errors?.[0]?.extensions?.code).toBe("CONFLICT");
    await s.ok(DELETE_POOL, { id: pool });
    await s.ok(DELETE_SCOPE, { id: scope });
    expect(await poolIds({ within: "10.49.0.0/16" }, true)).toEqual([]);
    for (const id of [pool, child])
      expect((await s.gql(RESTORE, { id })).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });
});

describe("events of a restore", () => {
  it("streams allocation.deleted then allocation.restored to allocationEvents, with the allocation live again", async () => {
    const account = await newAccount(s);
    const pool = await newPool(s, "10.48.0.0/16");
    const alloc = await newAllocation(s, pool, account, "10.48.1.0/24");
    const sub = collect<{ allocationEvents: { type: string; allocation: { id: string; status: string } } }>(
      s.wsClient(),
      `subscription($poolId: ID!) { allocationEvents(poolId: $poolId, after: "0") { type allocation { id status } } }`,
      3,
      { poolId: pool },
    );
    await s.ok(DELETE_POOL, { id: pool });
    await s.ok(RESTORE, { id: pool });
    const events = await sub.done;
    expect(events.map((e) => [e.allocationEvents.type, e.allocationEvents.allocation])).toEqual([
      ["allocation.created", { id: alloc, status: "ALLOCATED" }],
      ["allocation.deleted", { id: alloc, status: "ALLOCATED" }],
      ["allocation.restored", { id: alloc, status: "ALLOCATED" }],
    ]);
  });
});

describe("unreserve → restore", () => {
  it("frees the range at once and takes exactly it back", async () => {
    const account = await newAccount(s);
    const pool = await newPool(s, "10.45.0.0/22");
    const res = await newReservation(s, pool, "10.45.1.0/24", { reason: "lab" });
    const before = await spaceOf(pool, 24);
    await s.ok(UNRESERVE, { id: res });
    expect(((await spaceOf(pool, 24)) as { utilization: { reserved: string } }).utilization.reserved).toBe(
      "0",
    );
    const back = await s.ok<Restored>(RESTORE, { id: res });
    expect(back.restore).toMatchObject({ restored: { id: res }, cascaded: [] });
    expect(await spaceOf(pool, 24)).toEqual(before);
    // Taken again by an allocation: CONFLICT naming it.
    await s.ok(UNRESERVE, { id: res });
    const taker = await newAllocation(s, pool, account, "10.45.1.0/25");
    expect((await s.gql(RESTORE, { id: res })).errors?.[0]?.extensions).toMatchObject({
      code: "CONFLICT",
      details: { conflicting: { type: "Allocation", id: taker } },
    });
  });
});

describe("deleteAccount → restore", () => {
  it("brings the account back with its allocations and re-attaches its pools", async () => {
    const key = "aws:000000424242";
    const created = await s.ok<{ createAccount: { account: { id: string } } }>(
      `mutation($key: String!) { createAccount(input: {key: $key, name: "payments", tier: PRD}) { account { id } } }`,
      { key },
    );
    const account = created.createAccount.account.id;
    const pool = await newPool(s, "10.46.0.0/16", { accountId: account });
    const a1 = await newAllocation(s, pool, account, "10.46.1.0/24");
    const a2 = await newAllocation(s, pool, account, "10.46.2.0/24");
    const before = await spaceOf(pool, 24);
    const del = await s.ok<{ deleteAccount: { removed: { id: string }[] } }>(DELETE_ACCOUNT, { id: account });
    expect(del.deleteAccount.removed.map((r) => r.id).sort()).toEqual([a1, a2].sort());
    expect(await accountIds({ search: "payments" })).toEqual([]);
    expect(await nodeIds([account, a1])).toEqual([null, null]);
    const detached = await s.ok<{ pool: { account: null | { id: string } } }>(
      `query($id: ID!) { pool(id: $id) { account { id } } }`,
      { id: pool },
    );
    expect(detached.pool.account).toBeNull();

    const back = await s.ok<Restored>(RESTORE, { id: account });
    expect(back.restore.restored).toMatchObject({ __typename: "Account", id: account, key, deletedAt: null });
    expect(back.restore.cascaded.map((c) => c.id)).toEqual([a1, a2]);
    expect(back.restore.reattachedPools).toEqual([{ id: pool, account: { id: account } }]);
    expect(await spaceOf(pool, 24)).toEqual(before);
    expect(await accountIds({ search: "payments" })).toEqual([account]);
    expect(await eventTypesOf(account)).toEqual(["account.created", "account.deleted", "account.restored"]);
  });

  it("frees the key for a new account; restoring the old one is then refused naming the new one", async () => {
    const key = "gcp:reused-key-1";
    const make = async (name: string) =>
      (
        await s.ok<{ createAccount: { account: { id: string } } }>(
          `mutation($key: String!, $name: String!) { createAccount(input: {key: $key, name: $name}) { account { id } } }`,
          { key, name },
        )
      ).createAccount.account.id;
    const old = await make("first");
    await s.ok(DELETE_ACCOUNT, { id: old });
    const again = await make("second");
    const e = (await s.gql(RESTORE, { id: old })).errors?.[0];
    expect(e?.extensions).toMatchObject({
      code: "CONFLICT",
      details: { field: "id", conflicting: { type: "Account", id: again, name: "second" } },
    });
    expect(e?.message).toContain(key);
  });

  it("refuses when an allocation of the account lost its space", async () => {
    const account = await newAccount(s);
    const other = await newAccount(s);
    const pool = await newPool(s, "10.47.0.0/16");
    await newAllocation(s, pool, account, "10.47.3.0/24");
    await s.ok(DELETE_ACCOUNT, { id: account });
    const taker = await newAllocation(s, pool, other, "10.47.3.0/24");
    expect((await s.gql(RESTORE, { id: account })).errors?.[0]?.extensions).toMatchObject({
      code: "CONFLICT",
      details: { conflicting: { type: "Allocation", id: taker, cidr: "10.47.3.0/24" } },
    });
    expect(await accountIds({}, true)).toContain(account);
  });
});

describe("deleted rows vanish from every query", () => {
  it("pools (each filter), allocations, accounts, lookup, blocks, analytics, utilisation; includeDeleted shows them", async () => {
    const account = await newAccount(s, { environment: "vanish-env", tier: "STG" });
    const scope = (
      await s.ok<{ createScope: { scope: { id: string } } }>(
        `mutation { createScope(input: {name: "vanish"}) { scope { id } } }`,
      )
    ).createScope.scope.id;
    const root = await newPool(s, "10.50.0.0/16", { scopeId: scope, name: "vanish-root" });
    const pool = await newPool(s, "10.50.4.0/22", {
      parentId: root,
      name: "vanish-pool",
      accountId: account,
    });
    const child = await newPool(s, "10.50.4.0/24", { parentId: pool, name: "vanish-child" });
    const alloc = await newAllocation(s, child, account, "10.50.4.0/26");
    const res = await newReservation(s, pool, "10.50.6.0/24");

    const filters: Record<string, unknown>[] = [
      { within: "10.50.0.0/16" },
      { withinOrEqual: "10.50.4.0/22" },
      { contains: "10.50.4.0/26" },
      { containsOrEqual: "10.50.4.0/24" },
      { overlaps: "10.50.4.0/23" },
      { equals: "10.50.4.0/22" },
      { search: "vanish-" },
      { parentId: pool },
      { parentId: root },
      { scopeId: scope },
      { accountId: account },
      { status: ["ACTIVE"], scopeId: scope },
      { family: "IPV4", scopeId: scope },
    ];
    const seen = async () => Promise.all(filters.map((f) => poolIds(f)));
    const liveBefore = await seen();
    for (const ids of liveBefore) expect(ids.some((id) => id === pool || id === child)).toBe(true);
    const rootSpace = await spaceOf(root, 22);

    await s.ok(DELETE_POOL, { id: pool });

    for (const [i, ids] of (await seen()).entries()) {
      expect(ids, JSON.stringify(filters[i])).not.toContain(pool);
      expect(ids, JSON.stringify(filters[i])).not.toContain(child);
    }
    // includeDeleted: every filter finds them again, with deletedAt and deletedBy.
    for (const [i, f] of filters.entries()) {
      const ids = await poolIds(f, true);
      expect(ids.filter((id) => id === pool || id === child).length, JSON.stringify(f)).toBe(
        liveBefore[i]!.filter((id) => id === pool || id === child).length,
      );
    }
    const shown = await s.ok<{
      pools: { edges: { node: { id: string; deletedAt: string; deletedBy: string } }[] };
    }>(
      `{ pools(filter: {search: "vanish-pool"}, includeDeleted: true) { edges { node { id deletedAt deletedBy } } } }`,
    );
    expect(shown.pools.edges[0]!.node).toMatchObject({
      id: pool,
      deletedBy: expect.stringMatching(/^token:/),
    });
    expect(Date.parse(shown.pools.edges[0]!.node.deletedAt)).toBeGreaterThan(0);
    // A deleted pool's path: its parents as they were when it was deleted (the live root, then the deleted ones).
    const paths = await s.ok<{ pools: { edges: { node: { id: string; path: { id: string }[] } }[] } }>(
      `{ pools(filter: {search: "vanish"}, includeDeleted: true) { edges { node { id path { id } } } } }`,
    );
    const pathOf = (id: string) =>
      paths.pools.edges.find((e) => e.node.id === id)!.node.path.map((p) => p.id);
    expect(pathOf(pool)).toEqual([root, pool]);
    expect(pathOf(child)).toEqual([root, pool, child]);
    expect(pathOf(root)).toEqual([root]);

    // node(id), pool(id), allocations of the account, lookup, analytics table and aggregates, blocks view.
    expect(await nodeIds([pool, child, alloc, res])).toEqual([null, null, null, null]);
    const acct = await s.ok<{
      node: { allocations: { totalCount: number; edges: { node: { id: string } }[] } };
    }>(
      `query($id: ID!) { node(id: $id) { ... on Account { allocations { totalCount edges { node { id } } } } } }`,
      { id: account },
    );
    expect(acct.node.allocations.totalCount).toBe(0);
    const withDeleted = await s.ok<{
      node: {
        allocations: {
          edges: { node: { id: string; status: string; releasedAt: null; deletedAt: string } }[];
        };
      };
    }>(
      `query($id: ID!) { node(id: $id) { ... on Account { allocations(includeDeleted: true) { edges { node { id status releasedAt deletedAt } } } } } }`,
      { id: account },
    );
    expect(withDeleted.node.allocations.edges.map((e) => e.node)).toEqual([
      { id: alloc, status: "ALLOCATED", releasedAt: null, deletedAt: expect.any(String) },
    ]);
    expect(await lookupIds("10.50.4.0/26")).toEqual([root]);
    expect(await analyticsIds({ within: "10.50.0.0/16" })).toEqual([]);
    expect(await analyticsIds({ environments: ["vanish-env"] })).toEqual([]);
    expect(await perPool("10.50.0.0/16")).toEqual([]);
    const after = (await spaceOf(root, 22)) as {
      utilization: { used: string; free: string };
      blocks: { edges: { node: { status: string } }[] };
      children: { totalCount: number };
    };
    expect(after.utilization.used).toBe("0");
    expect(after.utilization.free).toBe(String(65536));
    expect(after.blocks.edges.every((e) => e.node.status === "FREE")).toBe(true);
    expect(after.children.totalCount).toBe(0);
    // Deleting the account: accounts filters leave it out; includeDeleted lists it (audit only).
    await s.ok(DELETE_ACCOUNT, { id: account });
    for (const f of [
      {},
      { environment: "vanish-env" },
      { tier: "STG" },
      { provider: "AWS" },
      { search: "account-" },
    ])
      expect(await accountIds(f), JSON.stringify(f)).not.toContain(account);
    expect(await accountIds({ environment: "vanish-env" }, true)).toEqual([account]);
    const viewer = await s.tokenFor("VIEWER");
    const denied = await s.gql(`{ accounts(includeDeleted: true) { totalCount } }`, {}, { token: viewer });
    expect(denied.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const auditor = await s.tokenFor("AUDITOR");
    const audited = await s.gql(
      `{ pools(includeDeleted: true, filter: {search: "vanish-pool"}) { totalCount } }`,
      {},
      {
        token: auditor,
      },
    );
    expect(audited.data).toEqual({ pools: { totalCount: 1 } });

    // Restore both (the account first: the pool's allocation belongs to it) and everything is as before.
    await s.ok(RESTORE, { id: account });
    await s.ok(RESTORE, { id: pool });
    expect(await seen()).toEqual(liveBefore);
    expect(await spaceOf(root, 22)).toEqual(rootSpace);
  });

  it("refuses a pool restore while an allocation in it belongs to an account deleted since", async () => {
    const account = await newAccount(s);
    const pool = await newPool(s, "10.51.0.0/16");
    await newAllocation(s, pool, account, "10.51.1.0/24");
    await s.ok(DELETE_POOL, { id: pool });
    await s.ok(DELETE_ACCOUNT, { id: account });
    expect((await s.gql(RESTORE, { id: pool })).errors?.[0]?.extensions).toMatchObject({
      code: "CONFLICT",
      details: { conflicting: { type: "Account", id: account } },
    });
    await s.ok(RESTORE, { id: account });
    await s.ok(RESTORE, { id: pool });
  });
});

describe("purge after RETENTION_DAYS", () => {
  it("removes expired deletes with an injected clock: restore is then NOT_FOUND; events stay", async () => {
    const account = await newAccount(s);
    const pool = await newPool(s, "10.60.0.0/16");
    const child = await newPool(s, "10.60.1.0/24", { parentId: pool });
    const alloc = await newAllocation(s, child, account, "10.60.1.0/26");
    await s.ok(DELETE_POOL, { id: pool });
    const store = s.app.services.store;
    const day = 86_400_000;
    // Within the retention nothing goes.
    const early = await purgeExpired(store, {
      retentionMs: 30 * day,
      now: () => new Date(Date.now() + 29 * day),
    });
    expect(early.deletions).toBe(0);
    expect(await poolIds({ equals: "10.60.0.0/16" }, true)).toEqual([pool]);
    expect(s.app.services.config.retentionDays).toBe(30); // the default
    // Purged 31 days later: the rows are gone, even for auditors, and restore answers NOT_FOUND.
    const purged = await purgeExpired(store, {
      retentionMs: 30 * day,
      now: () => new Date(Date.now() + 31 * day),
      batchSize: 1,
    });
    expect(purged.deletions).toBeGreaterThanOrEqual(1);
    expect(purged.rows).toBeGreaterThanOrEqual(3);
    expect(await poolIds({ within: "10.60.0.0/16" }, true)).toEqual([]);
    expect(await poolIds({ equals: "10.60.0.0/16" }, true)).toEqual([]);
    const e = (await s.gql(RESTORE, { id: pool })).errors?.[0];
    expect(e?.extensions?.code).toBe("NOT_FOUND");
    // The audit log still has them (snapshots).
    expect(await eventTypesOf(pool)).toEqual(["pool.created", "pool.deleted"]);
    expect(await eventTypesOf(alloc)).toEqual(["allocation.created", "allocation.deleted"]);
    // The space can be used again.
    await newPool(s, "10.60.0.0/16");
  });

  it("the server's purge job (PURGE_INTERVAL_SECONDS) removes deletes past a short retention", async () => {
    const short = await startTestServer({ RETENTION_DAYS: "0.00001", PURGE_INTERVAL_SECONDS: "1" }); // 0.864 s
    try {
      const pool = (
        await short.ok<{ createPool: { pool: { id: string } } }>(
          `mutation { createPool(input: {name: "p", cidr: "10.61.0.0/16"}) { pool { id } } }`,
        )
      ).createPool.pool.id;
      await short.ok(DELETE_POOL, { id: pool });
      let code: string | undefined;
      for (let i = 0; i < 200 && code !== "NOT_FOUND"; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const r = await short.gql(`query { pools(includeDeleted: true) { totalCount } }`);
        if ((r.data as { pools: { totalCount: number } }).pools.totalCount === 0)
          code = (await short.gql(RESTORE, { id: pool })).errors?.[0]?.extensions?.code;
      }
      expect(code).toBe("NOT_FOUND");
    } finally {
      await short.close();
    }
  });

  it("is refused past the retention even before the purge ran", async () => {
    const short = await startTestServer({ RETENTION_DAYS: "0.00001", PURGE_INTERVAL_SECONDS: "0" });
    try {
      const pool = (
        await short.ok<{ createPool: { pool: { id: string } } }>(
          `mutation { createPool(input: {name: "p", cidr: "10.62.0.0/16"}) { pool { id } } }`,
        )
      ).createPool.pool.id;
      await short.ok(DELETE_POOL, { id: pool });
      const deletedAt = Date.now();
      // The retention is 0.864 s: wait (on the clock, not a timed assertion) until it has surely passed.
      while (Date.now() < deletedAt + 1500) await new Promise((r) => setTimeout(r, 100));
      const e = (await short.gql(RESTORE, { id: pool })).errors?.[0];
      expect(e?.extensions?.code).toBe("NOT_FOUND");
      expect(e?.message).toMatch(/RETENTION_DAYS/);
      // The row is still there for auditors until the purge runs.
      const r = await short.ok<{ pools: { totalCount: number } }>(
        `{ pools(includeDeleted: true) { totalCount } }`,
      );
      expect(r.pools.totalCount).toBe(1);
    } finally {
      await short.close();
    }
  });
});

describe("settings", () => {
  it("validates RETENTION_DAYS and PURGE_INTERVAL_SECONDS with a clear error", () => {
    expect(loadConfig({}, {})).toMatchObject({ retentionDays: 30, purgeIntervalSeconds: 3600 });
    expect(loadConfig({ RETENTION_DAYS: "0.5", PURGE_INTERVAL_SECONDS: "0" }, {})).toMatchObject({
      retentionDays: 0.5,
      purgeIntervalSeconds: 0,
    });
    expect(() => loadConfig({ RETENTION_DAYS: "0" }, {})).toThrow(
      "invalid setting RETENTION_DAYS: expected more than 0 and at most 36500, got 0",
    );
    expect(() => loadConfig({}, { RETENTION_DAYS: "a month" })).toThrow(
      'invalid setting RETENTION_DAYS: expected a positive number, got "a month"',
    );
    expect(() => loadConfig({ PURGE_INTERVAL_SECONDS: "-1" }, {})).toThrow(/PURGE_INTERVAL_SECONDS/);
  });
});
