/**
 * urql (@urql/core 6) with its default options against the real server: queries go as GET with no
 * content-type (preferGetMethod "within-url-limit"), mutations as POST, and the document cache
 * re-fetches a query whose typenames a mutation touched.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, cacheExchange, fetchExchange, gql } from "@urql/core";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createPool } from "../helpers/plan.js";

let s: TestServer;
/** What urql put on the wire: method and content-type of every request. */
const sent: { method: string; contentType: string | null }[] = [];

beforeAll(async () => {
  s = await startTestServer({ LOG_LEVEL: "warn" });
});
afterAll(async () => {
  await s.close();
});

function urql(token: string | null = s.adminToken) {
  return new Client({
    url: `${s.url}/graphql`,
    exchanges: [cacheExchange, fetchExchange],
    fetchOptions: token ? { headers: { authorization: `Bearer ${token}` } } : {},
    fetch: (input, init) => {
      sent.push({
        method: init?.method ?? "GET",
        contentType: new Headers(init?.headers).get("content-type"),
      });
      return fetch(input, init);
    },
  });
}

const POOLS = gql`
  query Pools($first: Int) {
    pools(first: $first) {
      edges {
        node {
          id
          name
          cidr
        }
      }
    }
  }
`;

const RENAME = gql`
  mutation Rename($input: UpdatePoolInput!) {
    updatePool(input: $input) {
      pool {
        id
        name
      }
    }
  }
`;

type PoolsData = { pools: { edges: { node: { id: string; name: string; cidr: string } }[] } };

describe("urql with default options", () => {
  it("runs a query as a GET without content-type, and the server answers it", async () => {
    const pool = await createPool(s, { name: "urql-get", cidr: "10.40.0.0/16" });
    sent.length = 0;
    const r = await urql().query<PoolsData>(POOLS, { first: 10 }).toPromise();
    expect(r.error).toBeUndefined();
    expect(r.data!.pools.edges.map((e) => e.node.id)).toContain(pool.id);
    expect(sent).toEqual([{ method: "GET", contentType: null }]);
  });

  it("answers a GET without a credential for a protected field with 401 UNAUTHENTICATED", async () => {
    const r = await urql(null).query(POOLS, { first: 1 }).toPromise();
    expect(r.error?.response?.status).toBe(401);
    expect(r.error?.graphQLErrors[0]?.extensions.code).toBe("UNAUTHENTICATED");
  });

  it("sends a mutation as POST, and re-fetches the query holding the renamed pool", async () => {
    const pool = await createPool(s, { name: "urql-before", cidr: "10.41.0.0/16" });
    const client = urql();
    const seen: string[][] = [];
    let next: (() => void) | null = null;
    const { unsubscribe } = client.query<PoolsData>(POOLS, { first: 50 }).subscribe((r) => {
      if (r.data) seen.push(r.data.pools.edges.map((e) => e.node.name));
      next?.();
    });
    const waitFor = (pred: () => boolean) =>
      new Promise<void>((resolve) => {
        if (pred()) return resolve();
        next = () => pred() && resolve();
      });
    await waitFor(() => seen.length >= 1);
    expect(seen[0]).toContain("urql-before");

    sent.length = 0;
    const m = await client.mutation(RENAME, { input: { id: pool.id, name: "urql-after" } }).toPromise();
    expect(m.error).toBeUndefined();
    expect(sent[0]).toEqual({ method: "POST", contentType: "application/json" });
    await waitFor(() => seen.at(-1)!.includes("urql-after"));
    expect(seen.at(-1)).not.toContain("urql-before");
    expect(sent.slice(1).map((r) => r.method)).toEqual(["GET"]);
    unsubscribe();
  });
});
