/**
 * Automatic persisted queries (#12) with Apollo Client's createPersistedQueryLink against the real
 * server: the first GET sends only the hash and is told PersistedQueryNotFound, the link registers
 * the query once, and from then on a hash-only GET is answered. The cache is bounded (APQ_CACHE_BYTES).
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { createPersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { startTestServer, type TestServer } from "../helpers/server.js";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ LOG_LEVEL: "warn" });
});
afterAll(async () => {
  await s.close();
});

interface Sent {
  method: string;
  hasQuery: boolean;
  hashOnly: boolean;
}

function apqClient(url: string, token: string, sent: Sent[]) {
  const http = new HttpLink({
    uri: `${url}/graphql`,
    headers: { authorization: `Bearer ${token}` },
    fetch: async (input, init) => {
      const target = new URL(String(input));
      const body = typeof init?.body === "string" ? (JSON.parse(init.body) as { query?: string }) : {};
      const hasQuery = Boolean(target.searchParams.get("query") ?? body.query);
      const hashOnly = !hasQuery && (target.searchParams.get("extensions") ?? "").includes("persistedQuery");
      sent.push({ method: init?.method ?? "GET", hasQuery, hashOnly });
      return fetch(input, init);
    },
  });
  return new ApolloClient({
    link: createPersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(http),
    cache: new InMemoryCache(),
  });
}

const INFO = gql`
  query Info {
    serverInfo {
      version
      schemaVersion
    }
  }
`;

describe("automatic persisted queries", () => {
  it("registers a query once, then answers a hash-only GET", async () => {
    const sent: Sent[] = [];
    const first = apqClient(s.url, s.adminToken, sent);
    const r1 = await first.query({ query: INFO, fetchPolicy: "network-only" });
    expect(r1.data).toMatchObject({ serverInfo: { schemaVersion: expect.any(Number) } });
    // Hash-only GET (not found), then the full query once.
    expect(sent).toEqual([
      { method: "GET", hasQuery: false, hashOnly: true },
      { method: "POST", hasQuery: true, hashOnly: false },
    ]);

    // Another client (a fresh page load) sends only the hash, and it is enough.
    sent.length = 0;
    const second = apqClient(s.url, s.adminToken, sent);
    const r2 = await second.query({ query: INFO, fetchPolicy: "network-only" });
    expect(r2.data).toEqual(r1.data);
    expect(sent).toEqual([{ method: "GET", hasQuery: false, hashOnly: true }]);
  });

  it("answers an unknown hash with PERSISTED_QUERY_NOT_FOUND, and refuses a hash that does not match", async () => {
    const extensions = (hash: string) =>
      encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } }));
    const auth = { authorization: `Bearer ${s.adminToken}` };
    const unknown = await fetch(`${s.url}/graphql?extensions=${extensions(sha256("{ nope }"))}`, {
      headers: auth,
    });
    const body = (await unknown.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe("PERSISTED_QUERY_NOT_FOUND");
    const query = "{ serverInfo { version } }";
    const mismatch = await fetch(
      `${s.url}/graphql?query=${encodeURIComponent(query)}&extensions=${extensions(sha256("{ other }"))}`,
      { headers: auth },
    );
    expect(mismatch.status).toBe(400);
  });

  it("keeps the cache within APQ_CACHE_BYTES: the oldest query is evicted", async () => {
    const small = await startTestServer({ LOG_LEVEL: "warn", APQ_CACHE_BYTES: "250" });
    try {
      const queries = [0, 1, 2].map(
        (i) => `query Q${i} { serverInfo { version schemaVersion uptimeSeconds time } }`,
      );
      for (const q of queries) {
        const sent: Sent[] = [];
        await apqClient(small.url, small.adminToken, sent).query({
          query: gql(q),
          fetchPolicy: "network-only",
        });
      }
      // Each printed query is ~100 bytes: the most recent is still there, the first was evicted.
      const last: Sent[] = [];
      await apqClient(small.url, small.adminToken, last).query({
        query: gql(queries[2]!),
        fetchPolicy: "network-only",
      });
      expect(last).toEqual([{ method: "GET", hasQuery: false, hashOnly: true }]);
      const sent: Sent[] = [];
      await apqClient(small.url, small.adminToken, sent).query({
        query: gql(queries[0]!),
        fetchPolicy: "network-only",
      });
      expect(sent.map((x) => x.hasQuery)).toEqual([false, true]);
    } finally {
      await small.close();
    }
  });

  it("is off with APQ_CACHE_BYTES=0", async () => {
    const off = await startTestServer({ LOG_LEVEL: "warn", APQ_CACHE_BYTES: "0" });
    try {
      const ext = encodeURIComponent(
        JSON.stringify({ persistedQuery: { version: 1, sha256Hash: sha256("{ x }") } }),
      );
      const r = await fetch(`${off.url}/graphql?extensions=${ext}`, {
        headers: { authorization: `Bearer ${off.adminToken}` },
      });
      const body = (await r.json()) as { errors: { extensions: { code: string } }[] };
      expect(body.errors[0]!.extensions.code).toBe("PERSISTED_QUERY_NOT_SUPPORTED");
    } finally {
      await off.close();
    }
  });
});
