/**
 * The built UI served by the API process: hashed assets cached for a year, index.html no-cache with a
 * strict CSP, compressed bodies, history-API fallback for deep links, and API routes left alone.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { request } from "node:http";
import { ensureWebBuilt } from "../../scripts/build-web.js";
import { WEB_DIST } from "../../src/server/web.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

/** A raw GET (fetch would decompress and hide content-encoding). */
function get(url: string, headers: Record<string, string> = {}) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }>((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the web UI's HTTP serving", () => {
  let s: TestServer;
  let script: string;

  beforeAll(async () => {
    await ensureWebBuilt({ quiet: true });
    script = readdirSync(join(WEB_DIST, "assets")).find((f) => f.startsWith("index-") && f.endsWith(".js"))!;
    s = await startTestServer();
  }, 180_000);
  afterAll(async () => s?.close());

  it("serves index.html at / with no-cache and a CSP of self plus this server's WebSocket", async () => {
    const r = await get(`${s.url}/`, { accept: "text/html" });
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toMatch(/^text\/html/);
    expect(r.headers["cache-control"]).toBe("no-cache");
    const host = new URL(s.url).host;
    const csp = String(r.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain(`connect-src 'self' ws://${host} wss://${host}`);
    expect(csp).not.toContain("unsafe-inline");
    expect(r.body.toString()).toContain(`/assets/${script}`);
    // Chart.js is a lazy chunk of the analytics page, not part of the shell.
    expect(r.body.toString()).not.toContain("AnalyticsCharts");
  });

  it("answers a deep link with the same page (history-API routing)", async () => {
    const r = await get(`${s.url}/pools/UG9vbDox?tab=blocks`, { accept: "text/html" });
    expect(r.status).toBe(200);
    expect(r.body.toString()).toContain('<div id="root">');
  });

  it("serves hashed assets immutable for a year, brotli or gzip as asked", async () => {
    const br = await get(`${s.url}/assets/${script}`, { "accept-encoding": "gzip, br" });
    expect(br.status).toBe(200);
    expect(br.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(br.headers["content-encoding"]).toBe("br");
    const plain = brotliDecompressSync(br.body);
    const gz = await get(`${s.url}/assets/${script}`, { "accept-encoding": "gzip" });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gz.body).equals(plain)).toBe(true);
    const raw = await get(`${s.url}/assets/${script}`);
    expect(raw.headers["content-encoding"]).toBeUndefined();
    expect(raw.body.equals(plain)).toBe(true);
    expect(raw.headers["content-type"]).toMatch(/^text\/javascript/);
    const again = await get(`${s.url}/assets/${script}`, { "if-none-match": String(raw.headers.etag) });
    expect(again.status).toBe(304);
  });

  it("answers a missing asset and a path escape with 404, not the page", async () => {
    expect((await get(`${s.url}/assets/nope-123.js`)).status).toBe(404);
    expect((await get(`${s.url}/favicon.png`)).status).toBe(404);
    expect((await get(`${s.url}/%2e%2e/package.json`)).status).toBe(404);
    // An API client (no text/html in Accept) keeps the JSON 404 for unknown paths.
    const api = await get(`${s.url}/nope`, { accept: "*/*" });
    expect(api.status).toBe(404);
    expect(api.headers["content-type"]).toMatch(/application\/json/);
    expect((await get(`${s.url}/..%2fpackage.json`)).status).toBe(404);
  });

  it("leaves the API routes alone", async () => {
    const health = await get(`${s.url}/healthz`);
    expect(JSON.parse(health.body.toString())).toEqual({ status: "ok" });
    const r = await s.gql<{ serverInfo: { version: string } }>("{ serverInfo { version } }");
    expect(r.data?.serverInfo.version).toMatch(/\d+\.\d+\.\d+/);
    const explorer = await get(`${s.url}/graphql`, { accept: "text/html" });
    expect(explorer.body.toString()).toContain("CloudPAM GraphQL explorer");
    const exp = await get(`${s.url}/export/nothing.csv`, { accept: "text/html" });
    expect(exp.headers["content-type"]).not.toMatch(/text\/html/);
  });
});
