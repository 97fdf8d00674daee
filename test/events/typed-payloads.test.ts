import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createAccount, createPool } from "../helpers/plan.js";
import { appendEventRows } from "../../src/db/events.js";
import { toGlobalId } from "../../src/schema/node.js";
import { lastCursor, subscribe } from "./stream.js";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ LOG_LEVEL: "warn" });
});
afterAll(async () => {
  await s.close();
});

const ALLOCATE = `mutation($input: AllocateInput!) { allocate(input: $input) { allocation { id cidr } } }`;
const RELEASE = `mutation($id: ID!) { releaseAllocation(input: { id: $id }) { allocation { id } } }`;

describe("typed subscription payloads", () => {
  it("streams each allocation change with the allocation after it and its pool", async () => {
    const pool = await createPool(s, { name: "typed-events", cidr: "10.77.0.0/16" });
    const account = await createAccount(s, { key: "onprem:typed-events", name: "typed" });
    const stream = subscribe(
      s.wsClient(),
      "allocationEvents",
      { poolId: pool.id, after: await lastCursor(s) },
      "cursor type actor createdAt allocation { id cidr status account { id } } pool { id name }",
    );

    const made = await s.ok<{ allocate: { allocation: { id: string; cidr: string } } }>(ALLOCATE, {
      input: { poolId: pool.id, accountId: account.id, prefixLength: 24 },
    });
    await s.ok(RELEASE, { id: made.allocate.allocation.id });
    const got = (await stream.take(2)) as unknown as {
      type: string;
      allocation: { id: string; cidr: string; status: string; account: { id: string } };
      pool: { id: string; name: string };
    }[];

    expect(got.map((e) => [e.type, e.allocation.status])).toEqual([
      ["allocation.created", "ALLOCATED"],
      ["allocation.released", "RELEASED"],
    ]);
    for (const e of got) {
      expect(e.allocation).toMatchObject({
        id: made.allocate.allocation.id,
        cidr: made.allocate.allocation.cidr,
      });
      expect(e.allocation.account.id).toBe(account.id);
      expect(e.pool).toEqual({ id: pool.id, name: "typed-events" });
    }
    stream.stop();
  });

  it("gives Event.subject as the object as it is now, and null once it is deleted", async () => {
    const pool = await createPool(s, { name: "subject-gone", cidr: "10.78.0.0/16" });
    await s.ok(`mutation($id: ID!) { deletePool(input: { id: $id }) { deletedPoolId } }`, { id: pool.id });
    const r = await s.ok<{ events: { edges: { node: { type: string; subject: { id: string } | null } }[] } }>(
      `query($id: ID!) { events(filter: { subjectId: $id }) { edges { node { type subject { id } } } } }`,
      { id: pool.id },
    );
    expect(r.events.edges.map((e) => [e.node.type, e.node.subject])).toEqual([
      ["pool.created", null],
      ["pool.deleted", null],
    ]);
    const kept = await createPool(s, { name: "subject-kept", cidr: "10.79.0.0/16" });
    const k = await s.ok<{ events: { edges: { node: { subject: { id: string; name: string } | null } }[] } }>(
      `query($id: ID!) { events(filter: { subjectId: $id }) { edges { node { subject { id ... on Pool { name } } } } } }`,
      { id: kept.id },
    );
    expect(k.events.edges.map((e) => e.node.subject)).toEqual([{ id: kept.id, name: "subject-kept" }]);
  });

  it("upgrades a stored version-1 snapshot (numeric ids) to version 2 with global ids on read", async () => {
    const id = await s.app.services.store.write(
      async (db) =>
        (
          await appendEventRows(db, [
            {
              type: "allocation.updated",
              actor: "system",
              subjectType: "Allocation",
              subjectId: "41",
              before: JSON.stringify({ id: 41, poolId: 7, accountId: null, scopeId: 1, name: "old" }),
              after: JSON.stringify({ id: 41, poolId: 7, accountId: 3, scopeId: 1, name: "new" }),
              requestId: null,
              createdAt: new Date().toISOString(),
            },
          ])
        )[0]!.id,
    );
    const r = await s.ok<{
      events: { edges: { node: { cursor: string; before: unknown; after: unknown } }[] };
    }>(`{ events(last: 1) { edges { node { cursor before after } } } }`);
    const e = r.events.edges[0]!.node;
    expect(e.cursor).toBe(String(id));
    expect(e.before).toEqual({
      v: 2,
      id: toGlobalId("Allocation", 41),
      poolId: toGlobalId("Pool", 7),
      accountId: null,
      scopeId: toGlobalId("Scope", 1),
      name: "old",
    });
    expect(e.after).toMatchObject({ v: 2, accountId: toGlobalId("Account", 3), name: "new" });
  });
});
