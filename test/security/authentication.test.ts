/**
 * One authentication story (#12): with AUTH=on a missing credential and a bad one both answer
 * HTTP 401 UNAUTHENTICATED (4401 on WebSocket); only the documented public fields answer without one.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PUBLIC_ROOT_FIELDS } from "../../src/server/auth.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
let revoked: string;

beforeAll(async () => {
  s = await startTestServer();
  revoked = await s.tokenFor("ADMIN", "authn-revoked");
  const list = await s.ok<{ apiTokens: { id: string; name: string }[] }>("{ apiTokens { id name } }");
  const id = list.apiTokens.find((t) => t.name === "authn-revoked")!.id;
  await s.ok("mutation ($id: ID!) { revokeApiToken(input: { id: $id }) { apiToken { revokedAt } } }", { id });
});
afterAll(async () => {
  await s.close();
});

async function post(query: string, authorization?: string) {
  const res = await fetch(`${s.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query }),
  });
  const body = (await res.json()) as {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: { code?: string; details?: Record<string, unknown> } }[];
  };
  return { status: res.status, ...body };
}

/** Opens a graphql-ws session and reports the close code it ends with. */
function wsCloseCode(token: string | null): Promise<number> {
  return new Promise((resolve) => {
    const client = s.wsClient(null, {
      connectionParams: token === null ? {} : { authorization: token },
    });
    client.on("closed", (e) => resolve((e as { code: number }).code));
    client.subscribe(
      { query: "subscription { heartbeat(intervalMs: 50) { sequence } }" },
      {
        next: () => undefined,
        error: () => undefined,
        complete: () => undefined,
      },
    );
  });
}

const badCredentials: [string, () => string | null][] = [
  ["missing", () => null],
  ["malformed", () => "Bearer not a token"],
  ["unknown", () => "Bearer cpam_abcdefghij_0123456789abcdef0123456789abcdef"],
  ["revoked", () => `Bearer ${revoked}`],
];

describe.each(badCredentials)("with a %s credential", (kind, credential) => {
  it("answers a protected query with HTTP 401 UNAUTHENTICATED and says how to get a token", async () => {
    const r = await post("{ pools(first: 1) { totalCount } }", credential() ?? undefined);
    expect(r.status).toBe(401);
    expect(r.errors?.map((e) => e.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
    expect(r.errors![0]!.message).toContain("cloudpam token create");
    expect(r.data ?? null).toBeNull();
  });

  it("closes a WebSocket session with 4401", async () => {
    expect(await wsCloseCode(credential())).toBe(4401);
  });

  if (kind !== "missing") {
    it("is refused even for public fields: a bad credential is never mistaken for none", async () => {
      const r = await post("{ serverInfo { version } }", credential()!);
      expect(r.status).toBe(401);
      expect(r.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    });
  }
});

describe("without a credential", () => {
  it("answers the public fields, and only those are public", async () => {
    expect([...PUBLIC_ROOT_FIELDS].sort()).toEqual(["__typename", "serverInfo"]);
    const r = await post("{ __typename serverInfo { version schemaVersion } }");
    expect(r.status).toBe(200);
    expect(r.errors).toBeUndefined();
    expect(r.data).toMatchObject({ __typename: "Query", serverInfo: { schemaVersion: expect.any(Number) } });
  });

  it("refuses introspection with 401 (the explorer sends the token header)", async () => {
    const r = await post("{ __schema { queryType { name } } }");
    expect(r.status).toBe(401);
    expect(r.errors?.[0]?.extensions).toMatchObject({
      code: "UNAUTHENTICATED",
      details: { field: "__schema", publicFields: ["__typename", "serverInfo"] },
    });
    const withToken = await post("{ __schema { queryType { name } } }", `Bearer ${s.adminToken}`);
    expect(withToken.status).toBe(200);
    expect(withToken.data).toEqual({ __schema: { queryType: { name: "Query" } } });
  });

  it("refuses an operation mixing a public and a protected field, also through fragments", async () => {
    const mixed = await post("{ serverInfo { version } pools(first: 1) { totalCount } }");
    expect(mixed.status).toBe(401);
    const viaFragment = await post(
      "query { ...F } fragment F on Query { ... on Query { accounts(first: 1) { totalCount } } }",
    );
    expect(viaFragment.status).toBe(401);
    expect(viaFragment.errors?.[0]?.extensions?.details).toMatchObject({ field: "accounts" });
  });

  it("is documented: the README's public field list is the server's", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    // The paragraph's first sentence lists the fields as `code` spans.
    const m = /\*\*Public fields\*\*([^.]*)\./.exec(readme);
    expect(m, "README has a **Public fields** paragraph").not.toBeNull();
    const listed = [...m![1]!.matchAll(/`([_a-z][A-Za-z_]*)`/g)].map((x) => x[1]);
    expect(listed.sort()).toEqual([...PUBLIC_ROOT_FIELDS].sort());
  });
});

describe("with auth off", () => {
  it("answers everything without a credential (loopback only)", async () => {
    const off = await startTestServer({ AUTH: "off" });
    try {
      const r = await off.gql(
        "{ pools(first: 1) { totalCount } __schema { queryType { name } } }",
        {},
        {
          token: null,
        },
      );
      expect(r.status).toBe(200);
      expect(r.errors).toBeUndefined();
    } finally {
      await off.close();
    }
  });
});
