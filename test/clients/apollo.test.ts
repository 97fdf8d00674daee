/**
 * Apollo Client 4 (InMemoryCache with relayStylePagination) over HTTP against the real server:
 * paging with fetchMore merges pages with no duplicates, and a mutation's payload updates the
 * cached object every watching query shows.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { relayStylePagination } from "@apollo/client/utilities";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createPool } from "../helpers/plan.js";

let s: TestServer;
const created: string[] = [];

beforeAll(async () => {
  s = await startTestServer({ LOG_LEVEL: "warn" });
  // Seven root pools, in NETWORK order (the connection's default order).
  for (let i = 0; i < 7; i++)
    created.push((await createPool(s, { name: `apollo-${i}`, cidr: `10.${50 + i}.0.0/16` })).id);
});
afterAll(async () => {
  await s.close();
});

function apollo() {
  return new ApolloClient({
    link: new HttpLink({ uri: `${s.url}/graphql`, headers: { authorization: `Bearer ${s.adminToken}` } }),
    cache: new InMemoryCache({
      typePolicies: { Query: { fields: { pools: relayStylePagination(["filter", "orderBy"]) } } },
    }),
  });
}

const POOLS = gql`
  query Pools($first: Int!, $after: String) {
    pools(first: $first, after: $after) {
      edges {
        cursor
        node {
          id
          name
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;
type PoolsData = {
  pools: {
    edges: { cursor: string; node: { id: string; name: string } }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
};

describe("Apollo Client with relayStylePagination", () => {
  it("merges pages fetched with fetchMore into one list, in order, without duplicates", async () => {
    const client = apollo();
    const watch = client.watchQuery<PoolsData>({ query: POOLS, variables: { first: 3 } });
    let last = await watch.refetch();
    let afterSecond: string | null = null;
    let pages = 1;
    while (last.data!.pools.pageInfo.hasNextPage) {
      const cursor = last.data!.pools.pageInfo.endCursor;
      if (pages === 2) afterSecond = cursor;
      await watch.fetchMore({ variables: { after: cursor } });
      last = await client.query<PoolsData>({
        query: POOLS,
        variables: { first: 3 },
        fetchPolicy: "cache-only",
      });
      pages++;
    }
    expect(pages).toBe(3);
    // Fetching a page again (a retry, a double click) does not duplicate its edges.
    await watch.fetchMore({ variables: { after: afterSecond } });
    const merged = await client.query<PoolsData>({
      query: POOLS,
      variables: { first: 3 },
      fetchPolicy: "cache-only",
    });
    const ids = merged.data!.pools.edges.map((e) => e.node.id);
    expect(ids).toEqual(created);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("updates the cached pool from a mutation's payload: the watching list shows the new name", async () => {
    const client = apollo();
    await client.query<PoolsData>({ query: POOLS, variables: { first: 10 } });
    await client.mutate({
      mutation: gql`
        mutation Rename($input: UpdatePoolInput!) {
          updatePool(input: $input) {
            pool {
              id
              name
            }
          }
        }
      `,
      variables: { input: { id: created[2], name: "apollo-renamed" } },
    });
    const fromCache = await client.query<PoolsData>({
      query: POOLS,
      variables: { first: 10 },
      fetchPolicy: "cache-only",
    });
    expect(fromCache.data!.pools.edges.map((e) => e.node.name)[2]).toBe("apollo-renamed");
    const pool = client.cache.readFragment<{ name: string }>({
      id: client.cache.identify({ __typename: "Pool", id: created[2] }),
      fragment: gql`
        fragment PoolName on Pool {
          name
        }
      `,
    });
    expect(pool).toEqual({ __typename: "Pool", name: "apollo-renamed" });
  });
});
