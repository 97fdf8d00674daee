/**
 * Behind a reverse proxy (#12): a real loopback proxy (node:http, appending X-Forwarded-For like an
 * ingress) in front of the real server. With TRUST_PROXY naming the proxy, users behind it get their
 * own buckets; a forged X-Forwarded-For from an untrusted peer is ignored.
 */
import { randomBytes } from "node:crypto";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

const PROXY_ADDRESS = "127.0.0.1";
let s: TestServer;
let proxy: Server;
let proxyUrl: string;

/** Forwards to the server from 127.0.0.1, appending the client's address to X-Forwarded-For. */
function startProxy(target: URL): Promise<Server> {
  const server = createServer((req, res) => {
    const prior = req.headers["x-forwarded-for"];
    const forwarded = [prior, req.socket.remoteAddress].filter(Boolean).join(", ");
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        path: req.url,
        method: req.method,
        localAddress: PROXY_ADDRESS,
        agent: false,
        headers: { ...req.headers, "x-forwarded-for": forwarded },
      },
      (up) => {
        res.writeHead(up.statusCode!, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

interface Reply {
  status: number;
  scope?: string;
  code?: string;
}

/** POSTs a query from a chosen loopback source address to `base`. */
function postFrom(
  base: string,
  localAddress: string,
  opts: { token?: string; forwardedFor?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/graphql`,
      {
        method: "POST",
        localAddress,
        agent: false,
        headers: {
          "content-type": "application/json",
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(opts.forwardedFor ? { "x-forwarded-for": opts.forwardedFor } : {}),
        },
      },
      (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => {
          const body = JSON.parse(text) as {
            errors?: { extensions?: { code?: string; details?: { scope?: string } } }[];
          };
          const ext = body.errors?.[0]?.extensions;
          resolve({ status: res.statusCode!, code: ext?.code, scope: ext?.details?.scope });
        });
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify({ query: "{ serverInfo { version } }" }));
  });
}

/** Sends until refused (at most 20 requests), returning the refusal. */
async function drain(send: () => Promise<Reply>): Promise<Reply> {
  for (let i = 0; i < 20; i++) {
    const r = await send();
    if (r.status === 429) return r;
    expect(r.status).toBe(200);
  }
  throw new Error("never rate limited");
}

beforeAll(async () => {
  s = await startTestServer({
    TRUST_PROXY: `${PROXY_ADDRESS}/32`,
    RATE_LIMIT_PER_SECOND: "1",
    RATE_LIMIT_BURST: "3",
  });
  proxy = await startProxy(new URL(s.url));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => proxy.close(r));
  await s.close();
});

describe("through a trusted proxy", () => {
  it("gives two tokens from the same ingress address separate buckets", async () => {
    const busy = await s.tokenFor("VIEWER", "proxy-busy");
    const calm = await s.tokenFor("VIEWER", "proxy-calm");
    const refusal = await drain(() => postFrom(proxyUrl, "127.0.0.2", { token: busy }));
    expect(refusal).toMatchObject({ code: "RATE_LIMITED", scope: "this credential" });
    // Same user address, same proxy, other token: its own bucket.
    expect((await postFrom(proxyUrl, "127.0.0.2", { token: calm })).status).toBe(200);
  });

  it("limits unauthenticated users by their own address, read from X-Forwarded-For", async () => {
    const refusal = await drain(() => postFrom(proxyUrl, "127.0.0.3"));
    expect(refusal).toMatchObject({ code: "RATE_LIMITED", scope: "client address 127.0.0.3" });
    expect((await postFrom(proxyUrl, "127.0.0.4")).status).toBe(200);
  });

  it("takes the right-most untrusted hop: a hop the client prepends is ignored", async () => {
    const refusal = await drain(() => postFrom(proxyUrl, "127.0.0.5", { forwardedFor: "203.0.113.7" }));
    expect(refusal.scope).toBe("client address 127.0.0.5");
  });
});

describe("made-up credentials", () => {
  const bogus = () => `cpam_${randomBytes(5).toString("hex")}_${randomBytes(16).toString("hex")}`;

  it("draw on the client address's bucket, while a verified token keeps its own", async () => {
    const real = await s.tokenFor("VIEWER", "proxy-verified");
    // One request verifies the real token (it pays the address bucket once).
    expect((await postFrom(proxyUrl, "127.0.0.7", { token: real })).status).toBe(200);
    const statuses: number[] = [];
    let refusal: Reply | undefined;
    for (let i = 0; i < 20 && !refusal; i++) {
      const r = await postFrom(proxyUrl, "127.0.0.7", { token: bogus() });
      if (r.status === 429) refusal = r;
      else statuses.push(r.status);
    }
    // A fresh key per request: were they limited per credential, none would ever be refused.
    expect(refusal).toMatchObject({ code: "RATE_LIMITED", scope: "client address 127.0.0.7" });
    expect(statuses.length).toBeLessThanOrEqual(3);
    expect(statuses.every((st) => st === 401)).toBe(true);
    // The verified token is not held back by the address's exhausted bucket...
    expect((await postFrom(proxyUrl, "127.0.0.7", { token: real })).status).toBe(200);
    // ...and another address is unaffected.
    expect((await postFrom(proxyUrl, "127.0.0.8", { token: bogus() })).status).toBe(401);
  });
});

describe("from an untrusted peer", () => {
  it("ignores a forged X-Forwarded-For: the bucket is the TCP peer's", async () => {
    let n = 0;
    // A different forged address each time: if any were believed, no bucket would ever fill.
    const refusal = await drain(() => postFrom(s.url, "127.0.0.6", { forwardedFor: `198.51.100.${++n}` }));
    expect(refusal.scope).toBe("client address 127.0.0.6");
  });
});

describe("TRUST_PROXY", () => {
  it("is empty by default and takes CIDRs and bare addresses", () => {
    expect(loadConfig({}, {}).trustProxy).toEqual([]);
    expect(loadConfig({ TRUST_PROXY: "10.0.0.0/8, 192.168.1.10 2001:db8::/32" }, {}).trustProxy).toEqual([
      "10.0.0.0/8",
      "192.168.1.10/32",
      "2001:db8::/32",
    ]);
  });

  it("refuses an entry that is not a CIDR, naming it", () => {
    expect(() => loadConfig({ TRUST_PROXY: "10.0.0.0/8,ingress" }, {})).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: "10.0.0.0/8,ingress" }, {})).toThrow(/"ingress"/);
  });
});
