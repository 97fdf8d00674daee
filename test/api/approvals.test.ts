/**
 * Approvals for destructive operations (issue #18) over the real HTTP API, with tokens of different
 * principals: a scope's policy turns deletePool / releaseAllocation into PENDING change requests; a second
 * principal with the operation's role approves (applied once, as the approver) or rejects; the requester
 * cannot approve their own; requests expire; a target that changed makes the approval CONFLICT and the
 * request FAILED; a scope without a policy behaves as before.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, startTestServer, type TestServer } from "../helpers/server.js";
import { newAccount, newAllocation, newPool } from "../helpers/plan.js";

let s: TestServer;
/** Three principals: the bootstrap admin (requester), a second admin, an operator. */
let requester: string;
let approver: string;
let operator: string;
let account: string;

const CR_FIELDS = `id operation targetId targetCidr input scopeId requestedBy status reason createdAt expiresAt
  decidedBy decidedAt target { __typename ... on Pool { id name } ... on Allocation { id status } }`;

interface ChangeRequestView {
  id: string;
  operation: string;
  targetId: string;
  targetCidr: string;
  input: Record<string, unknown>;
  scopeId: string | null;
  requestedBy: string;
  status: string;
  reason: string | null;
  createdAt: string;
  expiresAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  target: { __typename: string; id: string; status?: string } | null;
}

const DELETE_POOL = `mutation($input: DeletePoolInput!) { deletePool(input: $input) {
  deletedPoolId cidr removed { cidr } changeRequest { ${CR_FIELDS} } } }`;
const RELEASE = `mutation($id: ID!) { releaseAllocation(input: { id: $id }) {
  allocation { id status } changeRequest { ${CR_FIELDS} } } }`;
const APPROVE = `mutation($id: ID!) { approveChange(input: { id: $id }) { changeRequest { ${CR_FIELDS} } } }`;
const REJECT = `mutation($id: ID!, $reason: String!) { rejectChange(input: { id: $id, reason: $reason }) {
  changeRequest { ${CR_FIELDS} } } }`;
const POOL = `query($id: ID!) { pool(id: $id) { id name } }`;
const ALLOCATION = `query($id: ID!) { node(id: $id) { ... on Allocation { id status } } }`;

type DeletePoolResult = {
  deletePool: {
    deletedPoolId: string | null;
    cidr: string | null;
    removed: { cidr: string }[];
    changeRequest: ChangeRequestView | null;
  };
};
type ReleaseResult = {
  releaseAllocation: {
    allocation: { id: string; status: string } | null;
    changeRequest: ChangeRequestView | null;
  };
};

async function scopeWith(server: TestServer, name: string, approvals: Record<string, boolean> | null) {
  const r = await server.ok<{ createScope: { scope: { id: string; approvals: Record<string, boolean> } } }>(
    `mutation($input: CreateScopeInput!) { createScope(input: $input) {
      scope { id approvals { deletePool releaseAllocation actuation } } } }`,
    { input: { name, ...(approvals ? { approvals } : {}) } },
  );
  return r.createScope.scope;
}

/** The change.* and effect events of the log in order, as [type, actor, subject] (requires audit). */
async function eventsOf(server: TestServer, types: string[]) {
  const r = await server.ok<{
    events: {
      edges: {
        node: { type: string; actor: string; subjectId: string; after: { status?: string } | null };
      }[];
    };
  }>(
    `query($types: [String!]) { events(filter: { types: $types }, first: 500) {
      edges { node { type actor subjectId after } } } }`,
    { types },
  );
  return r.events.edges.map((e) => e.node);
}

beforeAll(async () => {
  s = await startTestServer();
  requester = s.adminToken;
  approver = await s.tokenFor("ADMIN", "second-admin");
  operator = await s.tokenFor("OPERATOR", "an-operator");
  account = await newAccount(s);
});
afterAll(async () => {
  await s.close();
});

describe("a scope without a policy", () => {
  it("deletes and releases at once, with changeRequest null, as before", async () => {
    const scope = await scopeWith(s, "no-policy", null);
    expect(scope.approvals).toEqual({ deletePool: false, releaseAllocation: false, actuation: false });
    const pool = await newPool(s, "10.1.0.0/16", { scopeId: scope.id, status: "ACTIVE" });
    const allocation = await newAllocation(s, pool, account, "10.1.0.0/24");

    const released = await s.ok<ReleaseResult>(RELEASE, { id: allocation });
    const deleted = await s.ok<DeletePoolResult>(DELETE_POOL, { input: { id: pool, cascade: true } });

    expect(released.releaseAllocation).toEqual({
      allocation: { id: allocation, status: "RELEASED" },
      changeRequest: null,
    });
    expect(deleted.deletePool).toMatchObject({
      deletedPoolId: pool,
      cidr: "10.1.0.0/16",
      changeRequest: null,
    });
    expect((await s.ok<{ pool: unknown }>(POOL, { id: pool })).pool).toBeNull();
    const all = await s.ok<{ changeRequests: { totalCount: number } }>(`{ changeRequests { totalCount } }`);
    expect(all.changeRequests.totalCount).toBe(0);
  });
});

describe("deletePool under a policy", () => {
  it("returns a PENDING request and deletes nothing; the requester cannot approve it; another admin does, once", async () => {
    const scope = await scopeWith(s, "guarded-pools", { deletePool: true });
    const pool = await newPool(s, "10.2.0.0/16", { scopeId: scope.id, name: "guarded" });

    const asked = await s.ok<DeletePoolResult>(DELETE_POOL, { input: { id: pool, cascade: true } });
    const again = await s.ok<DeletePoolResult>(DELETE_POOL, { input: { id: pool, cascade: true } });
    const cr = asked.deletePool.changeRequest!;

    expect(asked.deletePool).toMatchObject({ deletedPoolId: null, cidr: null, removed: [] });
    expect(cr).toMatchObject({
      operation: "DELETE_POOL",
      targetId: pool,
      targetCidr: "10.2.0.0/16",
      input: { cascade: true },
      scopeId: scope.id,
      status: "PENDING",
      decidedBy: null,
      target: { __typename: "Pool", id: pool },
    });
    expect(cr.requestedBy).toMatch(/^token:\d+:/);
    expect(Date.parse(cr.expiresAt) - Date.parse(cr.createdAt)).toBe(72 * 3_600_000);
    expect(again.deletePool.changeRequest!.id).toBe(cr.id);
    expect((await s.ok<{ pool: unknown }>(POOL, { id: pool })).pool).toEqual({ id: pool, name: "guarded" });

    const self = await s.gql(APPROVE, { id: cr.id }, { token: requester });
    expect(self.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(self.errors?.[0]?.message).toMatch(/requested .* must be approved by another principal/);

    const byOperator = await s.gql(APPROVE, { id: cr.id }, { token: operator });
    expect(byOperator.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(byOperator.errors?.[0]?.message).toContain("admin permission of deletePool");
    expect((await s.ok<{ pool: unknown }>(POOL, { id: pool })).pool).not.toBeNull();

    const approved = await s.ok<{ approveChange: { changeRequest: ChangeRequestView } }>(
      APPROVE,
      { id: cr.id },
      approver,
    );
    const twice = await s.gql(APPROVE, { id: cr.id }, { token: approver });

    expect(approved.approveChange.changeRequest).toMatchObject({
      id: cr.id,
      status: "APPROVED",
      decidedBy: expect.stringContaining("second-admin"),
      target: null,
    });
    expect((await s.ok<{ pool: unknown }>(POOL, { id: pool })).pool).toBeNull();
    expect(twice.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(twice.errors?.[0]?.message).toContain("already APPROVED");

    const events = (await eventsOf(s, ["change.*", "pool.deleted"])).filter(
      (e) => e.subjectId === cr.id || e.subjectId === pool,
    );
    expect(events.map((e) => [e.type, e.actor.includes("second-admin") ? "approver" : "requester"])).toEqual([
      ["change.requested", "requester"],
      ["change.approved", "approver"],
      ["pool.deleted", "approver"],
    ]);
  });

  it("is CONFLICT naming what is in the way when the pool changed since the request, and the request is FAILED", async () => {
    const scope = await scopeWith(s, "guarded-changing", { deletePool: true });
    const pool = await newPool(s, "10.3.0.0/16", { scopeId: scope.id, status: "ACTIVE" });
    const asked = await s.ok<DeletePoolResult>(DELETE_POOL, { input: { id: pool, cascade: false } });
    const cr = asked.deletePool.changeRequest!;
    const allocation = await newAllocation(s, pool, account, "10.3.1.0/24");

    const r = await s.gql(APPROVE, { id: cr.id }, { token: approver });

    expect(r.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(r.errors?.[0]?.message).toMatch(/cannot be applied: .*still holds 1 allocation.*FAILED/);
    expect(r.errors?.[0]?.extensions?.details).toMatchObject({
      field: "id",
      conflicting: [{ id: allocation, cidr: "10.3.1.0/24" }],
      target: { id: pool },
      status: "FAILED",
    });
    const after = await s.ok<{ node: ChangeRequestView }>(
      `query($id: ID!) { node(id: $id) { ... on ChangeRequest { ${CR_FIELDS} } } }`,
      {
        id: cr.id,
      },
    );
    expect(after.node).toMatchObject({ status: "FAILED", reason: expect.stringContaining("still holds") });
    expect((await s.ok<{ pool: unknown }>(POOL, { id: pool })).pool).not.toBeNull();
    const types = (await eventsOf(s, ["change.*"])).filter((e) => e.subjectId === cr.id).map((e) => e.type);
    expect(types).toEqual(["change.requested", "change.failed"]);
  });

  it("refuses a request the operation would refuse now, with its own error, and records nothing", async () => {
    const scope = await scopeWith(s, "guarded-refused", { deletePool: true });
    const pool = await newPool(s, "10.4.0.0/16", { scopeId: scope.id, status: "ACTIVE" });
    await newAllocation(s, pool, account, "10.4.1.0/24");

    const r = await s.gql(DELETE_POOL, { input: { id: pool, cascade: false } });

    expect(r.errors?.[0]?.extensions).toMatchObject({ code: "CONFLICT", details: { field: "cascade" } });
    const list = await s.ok<{ changeRequests: { totalCount: number } }>(
      `query($t: ID) { changeRequests(filter: { targetId: $t }) { totalCount } }`,
      { t: pool },
    );
    expect(list.changeRequests.totalCount).toBe(0);
  });
});

describe("releaseAllocation under a policy", () => {
  it("is rejected with a reason: nothing released, and it cannot be approved afterwards", async () => {
    const scope = await scopeWith(s, "guarded-release", { releaseAllocation: true });
    const pool = await newPool(s, "10.5.0.0/16", { scopeId: scope.id, status: "ACTIVE" });
    const allocation = await newAllocation(s, pool, account, "10.5.1.0/24");

    const asked = await s.ok<ReleaseResult>(RELEASE, { id: allocation }, operator);
    const cr = asked.releaseAllocation.changeRequest!;
    const blank = await s.gql(REJECT, { id: cr.id, reason: "  " }, { token: approver });
    const rejected = await s.ok<{ rejectChange: { changeRequest: ChangeRequestView } }>(
      REJECT,
      { id: cr.id, reason: "still routed in prod" },
      approver,
    );
    const late = await s.gql(APPROVE, { id: cr.id }, { token: approver });

    expect(asked.releaseAllocation.allocation).toBeNull();
    expect(cr).toMatchObject({
      operation: "RELEASE_ALLOCATION",
      status: "PENDING",
      target: { status: "ALLOCATED" },
    });
    expect(blank.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      details: { field: "reason" },
    });
    expect(rejected.rejectChange.changeRequest).toMatchObject({
      status: "REJECTED",
      reason: "still routed in prod",
      decidedBy: expect.stringContaining("second-admin"),
    });
    expect(late.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(late.errors?.[0]?.message).toContain("already REJECTED");
    expect((await s.ok<{ node: { status: string } }>(ALLOCATION, { id: allocation })).node.status).toBe(
      "ALLOCATED",
    );
    const types = (await eventsOf(s, ["change.*"])).filter((e) => e.subjectId === cr.id).map((e) => e.type);
    expect(types).toEqual(["change.requested", "change.rejected"]);
  });

  it("is approved by an operator other than the requester, and released once as the approver", async () => {
    const scope = await scopeWith(s, "guarded-release-2", { releaseAllocation: true });
    const pool = await newPool(s, "10.6.0.0/16", { scopeId: scope.id, status: "ACTIVE" });
    const allocation = await newAllocation(s, pool, account, "10.6.1.0/24");
    const cr = (await s.ok<ReleaseResult>(RELEASE, { id: allocation }, requester)).releaseAllocation
      .changeRequest!;

    const approved = await s.ok<{ approveChange: { changeRequest: ChangeRequestView } }>(
      APPROVE,
      { id: cr.id },
      operator,
    );

    expect(approved.approveChange.changeRequest).toMatchObject({
      status: "APPROVED",
      target: { status: "RELEASED" },
    });
    const released = (await eventsOf(s, ["allocation.released"])).filter((e) => e.subjectId === allocation);
    expect(released).toHaveLength(1);
    expect(released[0]!.actor).toContain("an-operator");
  });

  it("is CONFLICT naming the allocation when it was released meanwhile, and the request is FAILED", async () => {
    const scope = await scopeWith(s, "guarded-release-3", { releaseAllocation: true });
    const pool = await newPool(s, "10.7.0.0/16", { scopeId: scope.id, status: "ACTIVE" });
    const allocation = await newAllocation(s, pool, account, "10.7.1.0/24");
    const cr = (await s.ok<ReleaseResult>(RELEASE, { id: allocation })).releaseAllocation.changeRequest!;
    // The policy is lifted and the allocation released directly.
    await s.ok(`mutation($input: UpdateScopeInput!) { updateScope(input: $input) { scope { id } } }`, {
      input: { id: scope.id, approvals: null },
    });
    expect(
      (await s.ok<ReleaseResult>(RELEASE, { id: allocation })).releaseAllocation.allocation!.status,
    ).toBe("RELEASED");

    const r = await s.gql(APPROVE, { id: cr.id }, { token: approver });

    expect(r.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(r.errors?.[0]?.message).toContain("already released");
    expect(r.errors?.[0]?.extensions?.details).toMatchObject({
      conflicting: { id: allocation },
      status: "FAILED",
    });
    const failed = await s.ok<{ changeRequests: { edges: { node: { id: string } }[] } }>(
      `query($t: ID) { changeRequests(filter: { targetId: $t, status: [FAILED] }) { edges { node { id } } } }`,
      { t: allocation },
    );
    expect(failed.changeRequests.edges.map((e) => e.node.id)).toEqual([cr.id]);
  });
});

describe("the policy on a scope", () => {
  it("is set by createScope and changed switch by switch by updateScope, each change in the scope's events", async () => {
    const scope = await scopeWith(s, "policy-edits", { actuation: true });
    const r = await s.ok<{ updateScope: { scope: { approvals: Record<string, boolean> } } }>(
      `mutation($input: UpdateScopeInput!) { updateScope(input: $input) {
        scope { approvals { deletePool releaseAllocation actuation } } } }`,
      { input: { id: scope.id, approvals: { deletePool: true } } },
    );

    expect(scope.approvals).toEqual({ deletePool: false, releaseAllocation: false, actuation: true });
    expect(r.updateScope.scope.approvals).toEqual({
      deletePool: true,
      releaseAllocation: false,
      actuation: true,
    });
    const updated = (await eventsOf(s, ["scope.updated"])).filter((e) => e.subjectId === scope.id);
    expect(updated.at(-1)!.after).toMatchObject({ approvals: { deletePool: true, actuation: true } });
  });
});

describe("expiry", () => {
  it("expires a request after CHANGE_REQUEST_TTL_HOURS (change.expired from the sweep); it can no longer be approved", async () => {
    const short = await startTestServer({ CHANGE_REQUEST_TTL_HOURS: "0.0002" }); // 0.72 s
    try {
      const second = await short.tokenFor("ADMIN", "second");
      const scope = await scopeWith(short, "short-lived", { deletePool: true });
      const pool = await newPool(short, "10.8.0.0/16", { scopeId: scope.id });
      const ws = short.wsClient();
      const expired = collect<{ events: { type: string; subjectId: string; after: { status: string } } }>(
        ws,
        `subscription { events(types: ["change.expired"]) { type subjectId after } }`,
        1,
      );
      const cr = (await short.ok<DeletePoolResult>(DELETE_POOL, { input: { id: pool } })).deletePool
        .changeRequest!;
      expect(Date.parse(cr.expiresAt) - Date.parse(cr.createdAt)).toBe(720);

      const [event] = await expired.done;
      const r = await short.gql(APPROVE, { id: cr.id }, { token: second });
      const list = await short.ok<{ changeRequests: { edges: { node: { id: string; status: string } }[] } }>(
        `{ changeRequests(filter: { status: [EXPIRED] }) { edges { node { id status } } } }`,
      );

      expect(event!.events).toMatchObject({
        type: "change.expired",
        subjectId: cr.id,
        after: { status: "EXPIRED" },
      });
      expect(r.errors?.[0]?.extensions?.code).toBe("CONFLICT");
      expect(r.errors?.[0]?.message).toMatch(/is already EXPIRED|expired at/);
      expect(list.changeRequests.edges).toEqual([{ node: { id: cr.id, status: "EXPIRED" } }]);
      expect((await short.ok<{ pool: unknown }>(POOL, { id: pool })).pool).not.toBeNull();
    } finally {
      await short.close();
    }
  });
});
