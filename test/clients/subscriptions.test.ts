import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApolloClient, InMemoryCache, gql } from "@apollo/client";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createAccount, createPool } from "../helpers/plan.js";
import { lastCursor } from "../events/stream.js";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({ LOG_LEVEL: "warn" });
});
afterAll(async () => {
  await s.close();
});

const apollo = () => new ApolloClient({ link: new GraphQLWsLink(s.wsClient()), cache: new InMemoryCache() });

const EVENTS = gql`
  subscription ($poolId: ID, $after: String) {
    allocationEvents(poolId: $poolId, after: $after) {
      cursor
      type
      allocation {
        id
        cidr
        status
      }
    }
  }
`;
type Ev = { cursor: string; type: string; allocation: { id: string; cidr: string; status: string } };

/** Subscribes with Apollo Client; resolves `take(n)` once n events arrived. */
function listen(client: ApolloClient, variables: Record<string, unknown>) {
  const got: Ev[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const sub = client.subscribe<{ allocationEvents: Ev }>({ query: EVENTS, variables }).subscribe({
    next: (r) => {
      if (r.data) got.push(r.data.allocationEvents);
      for (const w of waiters.filter((w) => got.length >= w.n)) w.resolve();
    },
  });
  return {
    got,
    take: (n: number) =>
      new Promise<void>((resolve) => (got.length >= n ? resolve() : waiters.push({ n, resolve }))),
    stop: () => sub.unsubscribe(),
  };
}

async function allocate(poolId: string, accountId: string): Promise<{ id: string; cidr: string }> {
  const r = await s.ok<{ allocate: { allocation: { id: string; cidr: string } } }>(
    `mutation($input: AllocateInput!) { allocate(input: $input) { allocation { id cidr } } }`,
    { input: { poolId, accountId, prefixLength: 26 } },
  );
  return r.allocate.allocation;
}

describe("Apollo Client (InMemoryCache) over GraphQLWsLink", () => {
  it("updates the cached allocation from a subscription", async () => {
    const pool = await createPool(s, { name: "apollo-cache", cidr: "10.101.0.0/16" });
    const account = await createAccount(s, { key: "onprem:apollo-cache", name: "apollo" });
    const made = await allocate(pool.id, account.id);
    const client = apollo();
    await client.query({
      query: gql`
        query ($id: ID!) {
          node(id: $id) {
            id
            ... on Allocation {
              cidr
              status
            }
          }
        }
      `,
      variables: { id: made.id },
    });
    const status = () =>
      client.readFragment<{ status: string }>({
        id: client.cache.identify({ __typename: "Allocation", id: made.id }),
        fragment: gql`
          fragment S on Allocation {
            status
          }
        `,
      })?.status;
    expect(status()).toBe("ALLOCATED");
    const stream = listen(client, { poolId: pool.id, after: await lastCursor(s) });

    await s.ok(`mutation($id: ID!) { releaseAllocation(input: { id: $id }) { allocation { id } } }`, {
      id: made.id,
    });
    await stream.take(1);

    expect(stream.got[0]!.type).toBe("allocation.released");
    expect(status()).toBe("RELEASED");
    stream.stop();
  });

  it("resumes after a disconnect with `after` and misses nothing", async () => {
    const pool = await createPool(s, { name: "apollo-resume", cidr: "10.102.0.0/16" });
    const account = await createAccount(s, { key: "onprem:apollo-resume", name: "resume" });
    const first = listen(apollo(), { poolId: pool.id, after: await lastCursor(s) });
    const a = await allocate(pool.id, account.id);
    await first.take(1);
    first.stop();
    const missed = [];
    for (let i = 0; i < 3; i++) missed.push(await allocate(pool.id, account.id));

    const resumed = listen(apollo(), { poolId: pool.id, after: first.got[0]!.cursor });
    await resumed.take(3);
    const live = await allocate(pool.id, account.id);
    await resumed.take(4);

    expect(first.got.map((e) => e.allocation.id)).toEqual([a.id]);
    expect(resumed.got.map((e) => e.allocation.cidr)).toEqual([...missed, live].map((m) => m.cidr));
    resumed.stop();
  });
});
