/**
 * Authorization of every Query, Mutation and Subscription field, generated from the schema at test
 * time: a field added later is covered automatically. What each role may call is spelled out here,
 * independently of src/domain/roles.ts, so a change to the grants shows up as a failing test.
 */
import "reflect-metadata";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { Client } from "graphql-ws";
import { buildCloudPamSchema } from "../../src/server/schema.js";
import { apiTokens } from "../../src/db/schema.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { rootFieldCases, type RootFieldCase } from "./schema-operations.js";

const MAY_CALL: Record<string, string[]> = {
  VIEWER: ["public", "read"],
  OPERATOR: ["public", "read", "operate"],
  AUDITOR: ["public", "read", "audit"],
  ADMIN: ["public", "read", "operate", "admin", "audit"],
};
const ROLES = ["VIEWER", "OPERATOR", "AUDITOR", "ADMIN"] as const;

const cases = rootFieldCases(await buildCloudPamSchema());
const httpCases = cases.filter((c) => c.kind !== "subscription");
const subscriptionCases = cases.filter((c) => c.kind === "subscription");
const protectedCases = cases.filter((c) => !c.permissions.includes("public"));
const allowed = (role: string, c: RootFieldCase) => c.permissions.every((p) => MAY_CALL[role]!.includes(p));

let s: TestServer;
const tokens: Record<string, string> = {};
let revoked: string;
let expired: string;

beforeAll(async () => {
  s = await startTestServer({ RATE_LIMIT_PER_SECOND: "100000", RATE_LIMIT_BURST: "100000" });
  for (const role of ROLES) tokens[role] = await s.tokenFor(role, `authz-${role.toLowerCase()}`);
  revoked = await s.tokenFor("ADMIN", "authz-revoked");
  const list = await s.ok<{ apiTokens: { id: string; name: string }[] }>("{ apiTokens { id name } }");
  const id = list.apiTokens.find((t) => t.name === "authz-revoked")!.id;
  await s.ok("mutation ($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { revokedAt } } }", { id });
  expired = await s.tokenFor("ADMIN", "authz-expired");
  await s.app.services.store.write((db) =>
    db
      .update(apiTokens)
      .set({ expiresAt: "2000-01-01T00:00:00.000Z" })
      .where(eq(apiTokens.name, "authz-expired"))
      .run(),
  );
});
afterAll(async () => {
  await s.close();
});

const codesOf = (r: { errors?: { extensions?: { code?: string } }[] }) =>
  (r.errors ?? []).map((e) => e.extensions?.code);

type SubscriptionOutcome = { code: string | undefined } | { accepted: true } | { closed: number };

/**
 * Subscribes once over the real graphql-ws client. A refused subscription answers with an error
 * (or the socket closes); an authorized one streams or waits for events, so "no refusal within
 * the window" counts as accepted — this can only make a refusal test pass late, never wrongly.
 */
function subscribeOnce(client: Client, query: string, windowMs = 500): Promise<SubscriptionOutcome> {
  return new Promise((resolve) => {
    const offClosed = client.on("closed", (e) => resolve({ closed: (e as { code: number }).code }));
    const timer = setTimeout(() => finish({ accepted: true }), windowMs);
    const finish = (o: SubscriptionOutcome) => {
      clearTimeout(timer);
      offClosed();
      unsubscribe();
      resolve(o);
    };
    const unsubscribe = client.subscribe(
      { query },
      {
        next: (v) =>
          finish(v.errors?.length ? { code: v.errors[0]!.extensions?.code as string } : { accepted: true }),
        error: (e) =>
          Array.isArray(e)
            ? finish({ code: (e[0] as { extensions?: { code?: string } }).extensions?.code })
            : finish({ code: "SOCKET_ERROR" }),
        complete: () => finish({ accepted: true }),
      },
    );
  });
}

describe("the generated table", () => {
  it("covers every root field of the schema, the token admin fields among them", () => {
    expect(cases.map((c) => c.field)).toEqual(
      expect.arrayContaining([
        "serverInfo",
        "node",
        "apiTokens",
        "createApiToken",
        "revokeApiToken",
        "heartbeat",
      ]),
    );
    expect(cases.find((c) => c.field === "createApiToken")!.permissions).toEqual(["admin"]);
  });
});

describe("without a token", () => {
  it.each(protectedCases.filter((c) => c.kind !== "subscription").map((c) => [c.field, c] as const))(
    "%s answers UNAUTHENTICATED",
    async (_name, c) => {
      const r = await s.gql(c.operation, {}, { token: null });
      expect(codesOf(r)).toContain("UNAUTHENTICATED");
    },
  );

  it.each(subscriptionCases.map((c) => [c.field, c] as const))(
    "subscription %s is refused: the socket closes with 4401",
    async (_name, c) => {
      const outcome = await subscribeOnce(s.wsClient(null), c.operation, 10_000);
      expect(outcome).toEqual({ closed: 4401 });
    },
  );

  it.each(cases.filter((c) => c.permissions.includes("public")).map((c) => [c.field, c] as const))(
    "public field %s answers without a token",
    async (_name, c) => {
      const r = await s.gql(c.operation, {}, { token: null });
      expect(codesOf(r)).not.toContain("UNAUTHENTICATED");
      expect(codesOf(r)).not.toContain("FORBIDDEN");
    },
  );
});

describe.each(ROLES)("as %s", (role) => {
  const label = (c: RootFieldCase) =>
    `${c.kind} ${c.field} (${c.permissions.join("+")}) is ${allowed(role, c) ? "allowed" : "FORBIDDEN"}`;

  it.each(httpCases.map((c) => [label(c), c] as const))("%s", async (_name, c) => {
    const r = await s.gql(c.operation, {}, { token: tokens[role] });
    if (allowed(role, c)) {
      expect(codesOf(r)).not.toContain("FORBIDDEN");
      expect(codesOf(r)).not.toContain("UNAUTHENTICATED");
    } else {
      expect(codesOf(r)).toContain("FORBIDDEN");
      expect(r.data?.[c.field] ?? null).toBeNull();
    }
  });

  it.each(subscriptionCases.map((c) => [label(c), c] as const))("%s over graphql-ws", async (_name, c) => {
    const outcome = await subscribeOnce(
      s.wsClient(tokens[role]),
      c.operation,
      allowed(role, c) ? 500 : 10_000,
    );
    if (allowed(role, c)) {
      expect(outcome).not.toHaveProperty("closed");
      expect(outcome).not.toEqual({ code: "FORBIDDEN" });
      expect(outcome).not.toEqual({ code: "UNAUTHENTICATED" });
    } else {
      expect(outcome).toEqual({ code: "FORBIDDEN" });
    }
  });
});

describe.each([
  ["revoked", () => revoked],
  ["expired", () => expired],
])("with a %s token", (_kind, token) => {
  it.each(httpCases.map((c) => [c.field, c] as const))(
    "%s answers UNAUTHENTICATED with HTTP 401",
    async (_n, c) => {
      const r = await s.gql(c.operation, {}, { token: token() });
      expect(r.status).toBe(401);
      expect(codesOf(r)).toEqual(["UNAUTHENTICATED"]);
    },
  );

  it.each(subscriptionCases.map((c) => [c.field, c] as const))(
    "subscription %s is refused: the socket closes with 4401",
    async (_n, c) => {
      expect(await subscribeOnce(s.wsClient(token()), c.operation, 10_000)).toEqual({ closed: 4401 });
    },
  );
});
