import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, startTestServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

describe("HTTP endpoints", () => {
  it("answers /healthz while the process is up", async () => {
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("answers /readyz when the database is reachable and current", async () => {
    const res = await fetch(`${s.url}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready" });
  });

  it("serves serverInfo over POST and GET /graphql", async () => {
    const post = await s.ok<{
      serverInfo: { version: string; schemaVersion: number; uptimeSeconds: number };
    }>("query Info { serverInfo { version schemaVersion uptimeSeconds errorCodes } }");
    expect(post.serverInfo.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(post.serverInfo.schemaVersion).toBeGreaterThanOrEqual(1);
    expect(post.serverInfo.uptimeSeconds).toBeGreaterThanOrEqual(0);
    const get = await fetch(`${s.url}/graphql?query=${encodeURIComponent("{ serverInfo { version } }")}`, {
      headers: { "apollo-require-preflight": "1" },
    });
    expect(get.status).toBe(200);
    expect(
      ((await get.json()) as { data: { serverInfo: { version: string } } }).data.serverInfo.version,
    ).toBe(post.serverInfo.version);
  });

  it("documents every error code in the schema", async () => {
    const r = await s.ok<{ serverInfo: { errorCodes: string[] } }>("{ serverInfo { errorCodes } }");
    expect(r.serverInfo.errorCodes).toEqual(
      expect.arrayContaining([
        "BAD_USER_INPUT",
        "NOT_FOUND",
        "CONFLICT",
        "FORBIDDEN",
        "UNAUTHENTICATED",
        "RATE_LIMITED",
      ]),
    );
  });

  it("exposes Prometheus metrics with a histogram of GraphQL operations by name and outcome", async () => {
    await s.gql("query MetricsProbe { serverInfo { version } }");
    await s.gql('query MetricsProbeFails { node(id: "x") { id } }', {}, { token: null });
    const text = await (await fetch(`${s.url}/metrics`)).text();
    expect(text).toMatch(
      /cloudpam_graphql_operation_duration_seconds_count\{operation="MetricsProbe",type="query",outcome="ok"\} 1/,
    );
    expect(text).toMatch(
      /cloudpam_graphql_operation_duration_seconds_count\{operation="MetricsProbeFails",type="query",outcome="error"\} 1/,
    );
    expect(text).toMatch(/cloudpam_http_responses_total\{route="\/graphql",status="200"\} \d+/);
    expect(text).toContain("process_cpu_user_seconds_total");
  });

  it("answers unknown paths with 404 JSON", async () => {
    const res = await fetch(`${s.url}/nope`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toBe("not found");
  });
});

describe("request ids and logs", () => {
  it("keeps a safe incoming X-Request-ID and puts it in the operation's log line", async () => {
    const r = await s.gql(
      "query Tagged { serverInfo { version } }",
      {},
      { headers: { "x-request-id": "req-abc.123" } },
    );
    expect(r.headers.get("x-request-id")).toBe("req-abc.123");
    const line = s.logs.map((l) => JSON.parse(l)).find((l) => l.requestId === "req-abc.123");
    expect(line).toMatchObject({ operation: "Tagged", outcome: "ok", msg: "graphql operation" });
    expect(typeof line.durationMs).toBe("number");
  });

  it("replaces an unsafe X-Request-ID with a generated one", async () => {
    const r = await s.gql(
      "{ serverInfo { version } }",
      {},
      { headers: { "x-request-id": "bad id\twith spaces" } },
    );
    const id = r.headers.get("x-request-id");
    expect(id).not.toContain(" ");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("writes exactly one log line per GraphQL operation", async () => {
    const before = s.logs.length;
    await s.gql(
      "query CountMe { serverInfo { version } }",
      {},
      { headers: { "x-request-id": "count-me-1" } },
    );
    const lines = s.logs
      .slice(before)
      .map((l) => JSON.parse(l))
      .filter((l) => l.requestId === "count-me-1");
    expect(lines).toHaveLength(1);
  });
});

describe("authentication basics", () => {
  it("refuses protected fields without a token with UNAUTHENTICATED", async () => {
    const r = await s.gql('{ node(id: "UG9vbDox") { id } }', {}, { token: null });
    expect(r.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("refuses a malformed bearer token with HTTP 401", async () => {
    const r = await s.gql("{ serverInfo { version } }", {}, { token: "cpam_nope" });
    expect(r.status).toBe(401);
    expect(r.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("subscriptions over graphql-ws", () => {
  it("streams heartbeat ticks in order to an authenticated client", async () => {
    const client = s.wsClient();
    const ticks = await collect<{ heartbeat: { sequence: number; time: string } }>(
      client,
      "subscription { heartbeat(intervalMs: 20) { sequence time } }",
      3,
    ).done;
    expect(ticks.map((t) => t.heartbeat.sequence)).toEqual([1, 2, 3]);
    expect(Date.parse(ticks[2]!.heartbeat.time)).toBeGreaterThanOrEqual(Date.parse(ticks[0]!.heartbeat.time));
  });

  it("closes a connection without a token with 4401", async () => {
    const client = s.wsClient(null);
    const closed = new Promise<number>((resolve) =>
      client.on("closed", (e) => resolve((e as { code: number }).code)),
    );
    collect(client, "subscription { heartbeat(intervalMs: 20) { sequence } }", 1).done.catch(() => undefined);
    expect(await closed).toBe(4401);
  });
});
