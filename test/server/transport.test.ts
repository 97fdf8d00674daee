/**
 * Wrong transport and forgeable requests (#12): a subscription over HTTP answers BAD_REQUEST naming
 * the WebSocket URL; GET without content-type (urql's and curl's default) works; CSRF prevention
 * applies to cookie-bearing requests only; mutations are still refused over GET.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ LOG_LEVEL: "warn" });
});
afterAll(async () => {
  await s.close();
});

type Body = {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
};

async function call(init: {
  method: string;
  query: string;
  headers?: Record<string, string>;
  body?: string;
}) {
  const url =
    init.method === "GET" ? `${s.url}/graphql?query=${encodeURIComponent(init.query)}` : `${s.url}/graphql`;
  const res = await fetch(url, {
    method: init.method,
    headers: init.headers ?? {},
    ...(init.method === "GET" ? {} : { body: init.body ?? JSON.stringify({ query: init.query }) }),
  });
  return { status: res.status, body: (await res.json()) as Body };
}
const auth = () => ({ authorization: `Bearer ${s.adminToken}` });

describe("a subscription over HTTP", () => {
  it("answers BAD_REQUEST (HTTP 400) with the WebSocket URL to use", async () => {
    const r = await call({
      method: "POST",
      query: "subscription { heartbeat(intervalMs: 50) { sequence } }",
      headers: { "content-type": "application/json", ...auth() },
    });
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0]?.extensions?.code).toBe("BAD_REQUEST");
    const ws = s.url.replace(/^http/, "ws") + "/graphql";
    expect(r.body.errors?.[0]?.message).toContain(`subscriptions need a WebSocket: ${ws}`);
  });

  it("lists BAD_REQUEST among the error codes", async () => {
    const r = await s.ok<{ serverInfo: { errorCodes: string[] } }>("{ serverInfo { errorCodes } }");
    expect(r.serverInfo.errorCodes).toContain("BAD_REQUEST");
  });
});

describe("GET", () => {
  it("answers a query sent as curl sends it: no content-type, no preflight header", async () => {
    const r = await call({ method: "GET", query: "{ serverInfo { version } }", headers: auth() });
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
  });

  it("still refuses a mutation, and does not perform it", async () => {
    const r = await call({
      method: "GET",
      query: 'mutation { createScope(input: { name: "via-get" }) { scope { id } } }',
      headers: auth(),
    });
    expect(r.status).toBe(405);
    expect(r.body.data ?? null).toBeNull();
    const scopes = await s.ok<{ scopes: { edges: { node: { name: string } }[] } }>(
      "{ scopes { edges { node { name } } } }",
    );
    expect(scopes.scopes.edges.map((e) => e.node.name)).not.toContain("via-get");
  });
});

describe("CSRF prevention for cookie-bearing requests", () => {
  const query = "{ serverInfo { version } }";

  it("refuses a simple GET that carries a cookie with BAD_REQUEST", async () => {
    const r = await call({ method: "GET", query, headers: { cookie: "session=1", ...auth() } });
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0]?.extensions?.code).toBe("BAD_REQUEST");
    expect(r.body.errors?.[0]?.message).toContain("apollo-require-preflight");
  });

  it("refuses a cookie-bearing text/plain POST, the form a cross-site page can send", async () => {
    const r = await call({
      method: "POST",
      query,
      headers: { cookie: "session=1", "content-type": "text/plain" },
    });
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0]?.extensions?.code).toBe("BAD_REQUEST");
  });

  it("lets a cookie-bearing request through when it shows a preflight was needed", async () => {
    const withHeader = await call({
      method: "GET",
      query,
      headers: { cookie: "session=1", "apollo-require-preflight": "true" },
    });
    expect(withHeader.status).toBe(200);
    const json = await call({
      method: "POST",
      query,
      headers: { cookie: "session=1", "content-type": "application/json" },
    });
    expect(json.status).toBe(200);
  });
});
