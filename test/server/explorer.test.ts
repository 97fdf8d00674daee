import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gunzipSync } from "node:zlib";
import { get } from "node:http";
import { startTestServer, type TestServer } from "../helpers/server.js";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

/** Every URL the page makes the browser load: script/link/img/iframe sources and CSS url()/@import. */
function loadedUrls(html: string): string[] {
  const urls: string[] = [];
  for (const m of html.matchAll(
    /<(script|link|img|iframe|source|embed)\b[^>]*?\s(?:src|href)\s*=\s*["']([^"']+)["']/gi,
  )) {
    urls.push(m[2]!);
  }
  for (const m of html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/gi)) {
    for (const u of m[1]!.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)|@import\s+["']([^"']+)["']/g))
      urls.push((u[1] ?? u[2])!);
  }
  return urls;
}

describe("GraphQL explorer", () => {
  it("serves GraphiQL to a browser at /graphql with every asset inlined or local", async () => {
    const res = await fetch(`${s.url}/graphql`, {
      headers: { accept: "text/html", "accept-encoding": "identity" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html).toContain("renderYogaGraphiQL");
    expect(html).toContain('"subscriptionsProtocol":"WS"');
    const external = loadedUrls(html).filter((u) => /^(https?:)?\/\//i.test(u));
    expect(external).toEqual([]);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
  });

  it("compresses the page for clients that accept gzip", async () => {
    const raw = await new Promise<{ encoding?: string; body: Buffer }>((resolve, reject) => {
      get(`${s.url}/graphql`, { headers: { accept: "text/html", "accept-encoding": "gzip" } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ encoding: res.headers["content-encoding"], body: Buffer.concat(chunks) }),
        );
      }).on("error", reject);
    });
    expect(raw.encoding).toBe("gzip");
    const html = gunzipSync(raw.body).toString("utf8");
    expect(html).toContain("renderYogaGraphiQL");
    expect(raw.body.length).toBeLessThan(html.length / 2);
  });
});
