/**
 * Optional OpenTelemetry tracing (#17) against an in-test OTLP/HTTP receiver on loopback: one `allocate` with a
 * caller's W3C traceparent produces the span tree (operation span, child of the caller's span, with the request
 * id; its SQL write transaction; the allocator inside it) with attributes; a cloud provider call gets its span.
 * With OTEL_EXPORTER_OTLP_ENDPOINT unset, no OpenTelemetry SDK module is loaded (require cache).
 * The tests run in order in one process: the "unset" check must come before tracing starts.
 */
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { startTracing, withSpan, type TracingHandle } from "../../src/tracing.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

const require = createRequire(import.meta.url);
/** OpenTelemetry modules in the require cache, except the API (prom-client loads it; it is a no-op alone). */
const sdkModules = () =>
  Object.keys(require.cache).filter(
    (k) => /[\\/]@opentelemetry[\\/]/.test(k) && !/[\\/]@opentelemetry[\\/]api[\\/]/.test(k),
  );

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: {
    key: string;
    value: { stringValue?: string; intValue?: string | number; boolValue?: boolean };
  }[];
}
const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue !== undefined ? Number(v.intValue) : v?.boolValue);
};

const received: OtlpSpan[] = [];
const resources: unknown[] = [];
let receiver: Server;
let tracing: TracingHandle | null = null;
let s: TestServer | undefined;

afterAll(async () => {
  await s?.close();
  await tracing?.shutdown();
  receiver?.close();
});

const ALLOCATE = `mutation Allocate($input: AllocateInput!) { allocate(input: $input) { allocation { id cidr } } }`;

describe("tracing", () => {
  it("with OTEL_EXPORTER_OTLP_ENDPOINT unset, serving requests loads no OpenTelemetry SDK module", async () => {
    expect(process.env.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    expect(await startTracing({})).toBeNull();
    const plain = await startTestServer();
    try {
      await plain.ok(`mutation { createPool(input: {cidr: "10.1.0.0/16", name: "plain"}) { pool { id } } }`);
    } finally {
      await plain.close();
    }
    expect(sdkModules()).toEqual([]);
  });

  it("one allocate produces the span tree, under the caller's traceparent, exported over OTLP/HTTP", async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        expect(req.url).toBe("/v1/traces");
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
          resourceSpans: { resource: unknown; scopeSpans: { spans: OtlpSpan[] }[] }[];
        };
        for (const rs of body.resourceSpans) {
          resources.push(rs.resource);
          for (const ss of rs.scopeSpans) received.push(...ss.spans);
        }
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    tracing = await startTracing({
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_SERVICE_NAME: "cloudpam-test",
    });
    expect(tracing).not.toBeNull();
    expect(sdkModules().length).toBeGreaterThan(0); // the require-cache check above is a real one

    s = await startTestServer();
    const account = await s.ok<{ createAccount: { account: { id: string } } }>(
      `mutation { createAccount(input: {key: "aws:666666666666", name: "traced", tier: PRD}) { account { id } } }`,
    );
    const pool = await s.ok<{ createPool: { pool: { id: string } } }>(
      `mutation { createPool(input: {cidr: "10.2.0.0/16", name: "traced"}) { pool { id } } }`,
    );
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const callerSpan = "00f067aa0ba902b7";
    const r = await s.gql<{ allocate: { allocation: { cidr: string } } }>(
      ALLOCATE,
      {
        input: {
          poolId: pool.createPool.pool.id,
          accountId: account.createAccount.account.id,
          prefixLength: 24,
          name: "t",
        },
      },
      { headers: { traceparent: `00-${traceId}-${callerSpan}-01` } },
    );
    expect(r.errors).toBeUndefined();
    const requestId = r.headers.get("x-request-id");
    await tracing!.shutdown(); // flushes the batch processor
    tracing = null;

    const spans = received.filter((x) => x.traceId === traceId);
    const op = spans.find((x) => x.name === "mutation Allocate");
    expect(op, JSON.stringify(spans.map((x) => x.name))).toBeDefined();
    expect(op!.parentSpanId).toBe(callerSpan);
    expect(op!.kind).toBe(2); // SERVER in OTLP's enum
    expect(attr(op!, "graphql.operation.name")).toBe("Allocate");
    expect(attr(op!, "graphql.operation.type")).toBe("mutation");
    expect(attr(op!, "cloudpam.outcome")).toBe("ok");
    expect(attr(op!, "cloudpam.request_id")).toBe(requestId);

    const txs = spans.filter((x) => x.name === "db.transaction" && x.parentSpanId === op!.spanId);
    expect(txs.length).toBeGreaterThanOrEqual(1);
    expect(attr(txs[0]!, "db.system.name")).toBe("sqlite");
    const place = spans.find((x) => x.name === "allocator.place");
    expect(place).toBeDefined();
    expect(txs.map((t) => t.spanId)).toContain(place!.parentSpanId);
    expect(attr(place!, "cloudpam.pool.cidr")).toBe("10.2.0.0/16");
    expect(attr(place!, "cloudpam.request.prefix_length")).toBe(24);
    expect(attr(place!, "cloudpam.allocation.cidr")).toBe(r.data!.allocate.allocation.cidr);
    // the other requests (createAccount, createPool) are separate traces, not children of the caller's
    expect(received.filter((x) => x.name === "mutation anonymous").every((x) => x.traceId !== traceId)).toBe(
      true,
    );
    expect(JSON.stringify(resources)).toContain("cloudpam-test");
  });

  it("each cloud provider call (each attempt) is a child span of the operation that makes it", async () => {
    received.length = 0;
    const endpoint = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    tracing = await startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint });
    const { CallGate } = await import("../../src/providers/retry.js");
    const gate = new CallGate({
      provider: "aws",
      classify: () => "transient",
      translate: (e) => {
        throw e;
      },
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
    });
    let calls = 0;
    // the SDK call: fails once (transient), then answers
    const describe = async () => {
      if (++calls === 1) throw new Error("503 Service Unavailable");
      return ["vpc-1"];
    };
    const out = await withSpan("reconcile.sync", {}, () => gate.run("DescribeVpcs", describe));
    expect(out).toEqual(["vpc-1"]);
    await tracing!.shutdown();
    tracing = null;
    const parent = received.find((x) => x.name === "reconcile.sync")!;
    const calls_ = received.filter((x) => x.name === "provider aws DescribeVpcs");
    expect(calls_.map((c) => attr(c, "cloudpam.attempt"))).toEqual([1, 2]);
    for (const c of calls_) {
      expect(c.parentSpanId).toBe(parent.spanId);
      expect(attr(c, "cloudpam.provider")).toBe("aws");
    }
    expect((calls_[0] as unknown as { status: { code: number } }).status.code).toBe(2); // ERROR
  });
});
