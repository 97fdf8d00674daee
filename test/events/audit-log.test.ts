import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createTokenOverHttp } from "./stream.js";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ LOG_LEVEL: "warn" });
});
afterAll(async () => {
  await s.close();
});

const PAGE = `query($first: Int, $after: String, $filter: EventFilterInput) {
  events(first: $first, after: $after, filter: $filter) {
    totalCount edges { cursor node { cursor type subjectId actor } } pageInfo { hasNextPage endCursor }
  }
}`;

interface PageResult {
  events: {
    totalCount: number;
    edges: { cursor: string; node: { cursor: string; type: string; subjectId: string; actor: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

describe("audit log query", () => {
  it("pages through the filtered log by keyset, oldest first, with a total count", async () => {
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await createTokenOverHttp(s, `audit-${i}`));
    const filter = { types: ["token.created"], actor: "token:1:bootstrap-admin" };

    const first = await s.ok<PageResult>(PAGE, { first: 2, filter });
    const rest = await s.ok<PageResult>(PAGE, { first: 10, after: first.events.pageInfo.endCursor, filter });

    const subjects = [...first.events.edges, ...rest.events.edges].map((e) => e.node.subjectId);
    expect(subjects).toEqual(made.map((m) => m.id));
    expect(first.events.totalCount).toBe(5);
    expect(first.events.pageInfo.hasNextPage).toBe(true);
    expect(rest.events.pageInfo.hasNextPage).toBe(false);
  });

  it("narrows to one subject by its global id and to a time window", async () => {
    const t = await createTokenOverHttp(s, "audit-subject");
    await s.ok(
      "mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { apiToken { id } } }",
      {
        input: { id: t.id },
      },
    );

    const bySubject = await s.ok<PageResult>(PAGE, { filter: { subjectId: t.id } });
    const future = await s.ok<PageResult>(PAGE, {
      filter: { subjectId: t.id, from: new Date(Date.now() + 60_000).toISOString() },
    });

    expect(bySubject.events.edges.map((e) => e.node.type)).toEqual(["token.created", "token.revoked"]);
    expect(future.events.totalCount).toBe(0);
  });

  it("is readable by an AUDITOR and refused to a VIEWER", async () => {
    const auditor = await s.tokenFor("AUDITOR");
    const viewer = await s.tokenFor("VIEWER");

    const ok = await s.gql<PageResult>(PAGE, { first: 1 }, { token: auditor });
    const denied = await s.gql(PAGE, { first: 1 }, { token: viewer });

    expect(ok.errors).toBeUndefined();
    expect(ok.data!.events.edges).toHaveLength(1);
    expect(denied.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("refuses an unknown event type pattern, naming the field", async () => {
    const r = await s.gql(PAGE, { filter: { types: ["Pool Created"] } });

    expect(r.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(r.errors?.[0]?.extensions?.details?.field).toBe("filter.types");
  });
});
