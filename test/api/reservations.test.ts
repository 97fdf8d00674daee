import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newAccount, newPool } from "../helpers/plan.js";
import { desc, eq } from "drizzle-orm";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { events } from "../../src/db/schema.js";

let s: TestServer;
let accountId: string;
beforeAll(async () => {
  s = await startTestServer();
  accountId = await newAccount(s);
});
afterAll(async () => {
  await s.close();
});

const RESERVE = `mutation($input: ReserveInput!) { reserve(input: $input) { reservation { id cidr prefixLength reason createdBy pool { id } } } }`;
const UNRESERVE = `mutation($id: ID!) { unreserve(input: {id: $id}) { reservation { id cidr } } }`;

describe("reserve and unreserve", () => {
  it("holds an explicit range back from allocate until it is unreserved", async () => {
    const p = await newPool(s, "10.20.0.0/23");
    const r = await s.ok<{
      reserve: { reservation: { id: string; cidr: string; reason: string; pool: { id: string } } };
    }>(RESERVE, { input: { poolId: p, cidr: "10.20.0.0/24", reason: "future transit VPC" } });
    expect(r.reserve.reservation).toMatchObject({
      cidr: "10.20.0.0/24",
      reason: "future transit VPC",
      pool: { id: p },
    });
    const ALLOC = `mutation($input: AllocateInput!) { allocate(input: $input) { allocation { cidr } } }`;
    const input = { poolId: p, accountId, prefixLength: 24 };
    expect(
      (await s.ok<{ allocate: { allocation: { cidr: string } } }>(ALLOC, { input })).allocate.allocation.cidr,
    ).toBe("10.20.1.0/24");
    const full = await s.gql(ALLOC, { input });
    expect(full.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    await s.ok(UNRESERVE, { id: r.reserve.reservation.id });
    expect(
      (await s.ok<{ allocate: { allocation: { cidr: string } } }>(ALLOC, { input })).allocate.allocation.cidr,
    ).toBe("10.20.0.0/24");
  });

  it("reserves the next free block of a length and lists it on the pool", async () => {
    const p = await newPool(s, "10.21.0.0/16", { status: "PLANNED" });
    await s.ok(RESERVE, { input: { poolId: p, cidr: "10.21.0.0/20" } });
    const r = await s.ok<{ reserve: { reservation: { cidr: string; prefixLength: number } } }>(RESERVE, {
      input: { poolId: p, prefixLength: 22, reason: "DR" },
    });
    expect(r.reserve.reservation).toMatchObject({ cidr: "10.21.16.0/22", prefixLength: 22 });
    const list = await s.ok<{
      node: { reservations: { totalCount: number; edges: { node: { cidr: string } }[] } };
    }>(
      `query($id: ID!) { node(id: $id) { ... on Pool { reservations { totalCount edges { node { cidr } } } } } }`,
      { id: p },
    );
    expect(list.node.reservations.totalCount).toBe(2);
    expect(list.node.reservations.edges.map((e) => e.node.cidr)).toEqual(["10.21.0.0/20", "10.21.16.0/22"]);
  });

  it("refuses a range that overlaps an allocation, naming it", async () => {
    const p = await newPool(s, "10.22.0.0/16");
    await s.ok(`mutation($input: AllocateInput!) { allocate(input: $input) { allocation { id } } }`, {
      input: { poolId: p, accountId, cidr: "10.22.1.0/24", name: "app" },
    });
    const r = await s.gql(RESERVE, { input: { poolId: p, cidr: "10.22.0.0/23" } });
    expect(r.errors?.[0]?.message).toMatch(/10\.22\.0\.0\/23 .*allocation 'app' \(10\.22\.1\.0\/24\)/);
    expect(r.errors?.[0]?.extensions).toMatchObject({
      code: "CONFLICT",
      details: { field: "cidr", conflicting: { type: "Allocation", cidr: "10.22.1.0/24" } },
    });
  });

  it("refuses a request with neither cidr nor prefixLength, and unknown ids", async () => {
    const p = await newPool(s, "10.23.0.0/16");
    const none = await s.gql(RESERVE, { input: { poolId: p } });
    expect(none.errors?.[0]?.extensions).toMatchObject({
      code: "BAD_USER_INPUT",
      details: { field: "cidr" },
    });
    const ghost = Buffer.from("Reservation:999999").toString("base64url");
    const gone = await s.gql(UNRESERVE, { id: ghost });
    expect(gone.errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND", details: { field: "id" } });
  });

  it("records reservation.created and reservation.deleted events", async () => {
    const p = await newPool(s, "10.24.0.0/16");
    const r = await s.ok<{ reserve: { reservation: { id: string } } }>(RESERVE, {
      input: { poolId: p, cidr: "10.24.0.0/24" },
    });
    await s.ok(UNRESERVE, { id: r.reserve.reservation.id });
    const types = await s.app.services.store.read(async (db) =>
      (
        await db
          .select({ type: events.type })
          .from(events)
          .where(eq(events.subjectType, "Reservation"))
          .orderBy(desc(events.id))
          .limit(2)
      ).map((e) => e.type),
    );
    expect(types).toEqual(["reservation.deleted", "reservation.created"]);
  });

  it("refuses VIEWER tokens", async () => {
    const p = await newPool(s, "10.25.0.0/16");
    const r = await s.gql(
      RESERVE,
      { input: { poolId: p, cidr: "10.25.0.0/24" } },
      { token: await s.tokenFor("VIEWER") },
    );
    expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});
