/**
 * Abuse: each attack is refused with its own code, and an ordinary request right after still succeeds.
 */
import "reflect-metadata";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  getNamedType,
  isInterfaceType,
  isObjectType,
  isRequiredArgument,
  type GraphQLNamedType,
  type GraphQLSchema,
} from "graphql";
import { buildCloudPamSchema } from "../../src/server/schema.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { dummyLiteral } from "./schema-operations.js";

interface RefusalBody {
  errors: { extensions: { code: string; details: Record<string, unknown> } }[];
}

const ORDINARY = "query Ordinary { serverInfo { version } }";

/**
 * A query `depth` levels deep: through the schema where its types nest that far (pools, children, ...),
 * otherwise nested fields the schema does not have (the depth limit is syntactic, so it still applies).
 */
function deepQuery(schema: GraphQLSchema, depth: number): string {
  const failed = new Set<string>();
  const walk = (type: GraphQLNamedType, left: number): string | null => {
    if (left === 0) return "__typename";
    if ((!isObjectType(type) && !isInterfaceType(type)) || failed.has(`${type.name}:${left}`)) return null;
    for (const field of Object.values(type.getFields())) {
      const inner = walk(getNamedType(field.type), left - 1);
      if (inner === null) continue;
      const args = field.args.filter(isRequiredArgument).map((a) => `${a.name}: ${dummyLiteral(a.type)}`);
      return `${field.name}${args.length ? `(${args.join(", ")})` : ""} { ${inner} }`;
    }
    failed.add(`${type.name}:${left}`);
    return null;
  };
  return `query Deep { ${walk(schema.getQueryType()!, depth - 1) ?? `${"a { ".repeat(depth - 1)}b${" }".repeat(depth - 1)}`} }`;
}

/** POSTs from a chosen loopback source address (127.0.0.0/8 all reaches the server on 127.0.0.1). */
function postFrom(
  url: string,
  localAddress: string,
  token: string | null,
  query = ORDINARY,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: RefusalBody }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/graphql`,
      {
        method: "POST",
        localAddress,
        agent: false,
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }),
        );
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify({ query }));
  });
}

describe("query shape limits", () => {
  let s: TestServer;
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildCloudPamSchema();
    s = await startTestServer({
      MAX_COMPLEXITY: "40",
      RATE_LIMIT_PER_SECOND: "10000",
      RATE_LIMIT_BURST: "10000",
    });
  });
  afterAll(async () => {
    await s.close();
  });

  const expectOrdinaryStillWorks = async () => {
    const r = await s.gql(ORDINARY);
    expect(r.status).toBe(200);
    expect(r.errors).toBeUndefined();
  };

  it("refuses a query 50 levels deep with QUERY_TOO_COMPLEX and HTTP 400", async () => {
    const r = await s.gql(deepQuery(schema, 50));
    expect(r.status).toBe(400);
    const limit = r.errors?.find((e) => e.extensions?.code === "QUERY_TOO_COMPLEX");
    expect(limit?.extensions?.details).toEqual({ limit: "depth", maximum: 12, actual: 50 });
    expect(limit?.message).toContain("MAX_DEPTH");
    await expectOrdinaryStillWorks();
  });

  it("counts fragments into the depth", async () => {
    const r = await s.gql(
      `query { ...A } fragment A on Query { serverInfo { ...B } } fragment B on ServerInfo { ${"x { ".repeat(20)}y${" }".repeat(20)} }`,
    );
    expect(
      r.errors?.find((e) => e.extensions?.code === "QUERY_TOO_COMPLEX")?.extensions?.details,
    ).toMatchObject({
      limit: "depth",
      actual: 22,
    });
  });

  it("refuses a query with 1,000 aliases with QUERY_TOO_COMPLEX", async () => {
    const aliases = Array.from({ length: 1000 }, (_, i) => `a${i}: serverInfo { version }`).join(" ");
    const r = await s.gql(`query Aliases { ${aliases} }`);
    expect(r.status).toBe(400);
    expect(r.errors).toHaveLength(1);
    expect(r.errors?.[0]?.extensions).toEqual({
      code: "QUERY_TOO_COMPLEX",
      details: { limit: "aliases", maximum: 50, actual: 1000 },
    });
    await expectOrdinaryStillWorks();
  });

  it("refuses an operation above MAX_COMPLEXITY with QUERY_TOO_COMPLEX and HTTP 400", async () => {
    const fields = "version schemaVersion uptimeSeconds time errorCodes";
    const query = `query Heavy { ${Array.from({ length: 8 }, (_, i) => `s${i}: serverInfo { ${fields} }`).join(" ")} }`;
    const r = await s.gql(query);
    expect(r.status).toBe(400);
    expect(r.errors?.[0]?.extensions).toEqual({
      code: "QUERY_TOO_COMPLEX",
      details: { limit: "complexity", maximum: 40, actual: 48 },
    });
    await expectOrdinaryStillWorks();
  });

  it("refuses a 10 MB body with HTTP 413 without reading it", async () => {
    const res = await fetch(`${s.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${s.adminToken}` },
      body: JSON.stringify({ query: ORDINARY, variables: { pad: "x".repeat(10 * 1024 * 1024) } }),
    });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { errors: { extensions: { details: { limit: number } } }[] };
    expect(body.errors[0]!.extensions.details.limit).toBe(1_048_576);
    await expectOrdinaryStillWorks();
  });

  it("refuses a batch of more than MAX_BATCH operations with QUERY_TOO_COMPLEX, and runs a smaller batch", async () => {
    const send = (n: number) =>
      fetch(`${s.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${s.adminToken}` },
        body: JSON.stringify(Array.from({ length: n }, () => ({ query: ORDINARY }))),
      });
    const tooMany = await send(11);
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { errors: { extensions: unknown }[] }).errors[0]!.extensions).toEqual({
      code: "QUERY_TOO_COMPLEX",
      details: { limit: "batch", maximum: 10, actual: 11 },
    });
    const fine = await send(10);
    expect(fine.status).toBe(200);
    expect((await fine.json()) as unknown[]).toHaveLength(10);
  });

  it("applies the same limits to operations over graphql-ws", async () => {
    const client = s.wsClient();
    const deep = deepQuery(schema, 50).replace(/^query/, "subscription");
    const refused = await new Promise<unknown>((resolve) =>
      client.subscribe(
        { query: deep },
        { next: () => undefined, error: resolve, complete: () => resolve(null) },
      ),
    );
    expect((refused as { extensions: { code: string } }[]).map((e) => e.extensions.code)).toContain(
      "QUERY_TOO_COMPLEX",
    );
    const aliases = `subscription { ${Array.from({ length: 60 }, (_, i) => `h${i}: heartbeat { sequence }`).join(" ")} }`;
    const aliasRefusal = await new Promise<unknown>((resolve) =>
      client.subscribe(
        { query: aliases },
        { next: () => undefined, error: resolve, complete: () => resolve(null) },
      ),
    );
    expect((aliasRefusal as { extensions: { code: string } }[]).map((e) => e.extensions.code)).toContain(
      "QUERY_TOO_COMPLEX",
    );
  });
});

describe("introspection", () => {
  const INTROSPECT = "{ __schema { queryType { name } } }";

  it("is refused in production mode", async () => {
    const s = await startTestServer({ PRODUCTION: "true" });
    try {
      const r = await s.gql(INTROSPECT);
      expect(r.status).toBe(400);
      expect(r.data ?? null).toBeNull();
      expect(r.errors?.[0]?.message).toMatch(/introspection/i);
      const overWs = await new Promise<unknown>((resolve) =>
        s
          .wsClient()
          .subscribe({ query: INTROSPECT }, { next: resolve, error: resolve, complete: () => undefined }),
      );
      expect(JSON.stringify(overWs)).toMatch(/introspection/i);
      expect((await s.gql(ORDINARY)).errors).toBeUndefined();
    } finally {
      await s.close();
    }
  });

  it("is allowed in production mode with INTROSPECTION=true", async () => {
    const s = await startTestServer({ PRODUCTION: "true", INTROSPECTION: "true" });
    try {
      const r = await s.gql<{ __schema: { queryType: { name: string } } }>(INTROSPECT);
      expect(r.data?.__schema.queryType.name).toBe("Query");
    } finally {
      await s.close();
    }
  });
});

describe("rate limits (token bucket per token and per client address)", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ RATE_LIMIT_PER_SECOND: "1", RATE_LIMIT_BURST: "5" });
  });
  afterAll(async () => {
    await s.close();
  });

  it("answers a burst beyond the limit from one address with 429, Retry-After and RATE_LIMITED", async () => {
    const results = [];
    for (let i = 0; i < 12; i++) results.push(await postFrom(s.url, "127.0.0.2", null));
    const limited = results.filter((r) => r.status === 429);
    expect(results.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(5);
    expect(limited.length).toBeGreaterThan(0);
    const first = limited[0]!;
    const retryAfter = Number(first.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(first.body.errors[0]!.extensions).toEqual({
      code: "RATE_LIMITED",
      details: { retryAfterSeconds: retryAfter, scope: "client address 127.0.0.2" },
    });
    const other = await postFrom(s.url, "127.0.0.3", null);
    expect(other.status).toBe(200);
  });

  it("limits one token across many addresses, while other tokens go on", async () => {
    const busy = await s.tokenFor("VIEWER", "busy-bot");
    const results = [];
    for (let i = 0; i < 12; i++) results.push(await postFrom(s.url, `127.0.1.${i + 1}`, busy));
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]!.body.errors[0]!.extensions.details.scope).toBe("this credential");
    const calm = await s.tokenFor("VIEWER", "calm-bot");
    expect((await postFrom(s.url, "127.0.2.1", calm)).status).toBe(200);
  });

  it("counts subscribe messages over WebSocket against the same per-credential bucket as HTTP", async () => {
    const token = await s.tokenFor("VIEWER", "ws-bot");
    const client = s.wsClient(token);
    const outcomes = await Promise.all(
      Array.from(
        { length: 10 },
        () =>
          new Promise<string>((resolve) => {
            const stop = client.subscribe(
              { query: "subscription { heartbeat(intervalMs: 20) { sequence } }" },
              {
                next: (v) => {
                  const code = v.errors?.[0]?.extensions?.code;
                  resolve(typeof code === "string" ? code : "TICK");
                  stop();
                },
                error: (e) => resolve(`ERROR ${JSON.stringify(e)}`),
                complete: () => resolve("COMPLETE"),
              },
            );
          }),
      ),
    );
    expect(outcomes.filter((o) => o === "TICK").length).toBeGreaterThanOrEqual(1);
    expect(outcomes.filter((o) => o.includes("RATE_LIMITED")).length).toBeGreaterThan(0);
    // The token's bucket is drained for HTTP too, from any address (a slow machine may refill one point).
    const http = [];
    for (let i = 0; i < 3; i++) http.push(await postFrom(s.url, `127.0.3.${i + 1}`, token));
    const refused = http.find((r) => r.status === 429);
    expect(refused?.body.errors[0]!.extensions.details.scope).toBe("this credential");
  });

  it("never limits health probes and metrics", async () => {
    const statuses = [];
    for (let i = 0; i < 20; i++) statuses.push((await fetch(`${s.url}/healthz`)).status);
    expect(new Set(statuses)).toEqual(new Set([200]));
  });
});
