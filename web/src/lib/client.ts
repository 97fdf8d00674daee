/**
 * The GraphQL client: urql with graphcache (normalised by `__typename:id`) over fetch, and graphql-ws
 * on the same path for subscriptions, reconnecting forever with backoff. The connection state feeds
 * the "live / reconnecting" indicator. Live events invalidate the pools they touch, so every open
 * query over that pool refetches: a second page sees an allocation appear without reload.
 */
import { Client, fetchExchange, subscriptionExchange } from "urql";
import { cacheExchange, type Cache } from "@urql/exchange-graphcache";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";

export type LinkState = "connecting" | "live" | "reconnecting";

const stateListeners = new Set<(s: LinkState) => void>();
let linkState: LinkState = "connecting";
function setLinkState(s: LinkState) {
  linkState = s;
  stateListeners.forEach((l) => l(s));
}
export function subscribeLinkState(l: (s: LinkState) => void): () => void {
  stateListeners.add(l);
  return () => stateListeners.delete(l);
}
export const currentLinkState = () => linkState;

/** Counts reconnects: pages remount on a change and refetch what they show, so nothing missed while offline stays stale. */
let reconnects = 0;
const reconnectListeners = new Set<() => void>();
export function subscribeReconnects(l: () => void): () => void {
  reconnectListeners.add(l);
  return () => reconnectListeners.delete(l);
}
export const currentReconnects = () => reconnects;

function invalidateField(cache: Cache, entity: string, field: string) {
  for (const f of cache.inspectFields(entity))
    if (f.fieldName === field) cache.invalidate(entity, f.fieldName, f.arguments ?? undefined);
}

/** Fields of a pool that an allocation, release or reservation changes (not the pool entity itself, which
 * the mutation's own result still links to). */
const POOL_SPACE_FIELDS = new Set(["utilization", "allocations", "reservations", "blocks", "children"]);

function invalidatePool(cache: Cache, poolId: unknown) {
  if (typeof poolId === "string") {
    const entity = cache.keyOfEntity({ __typename: "Pool", id: poolId });
    if (entity)
      for (const f of cache.inspectFields(entity))
        if (POOL_SPACE_FIELDS.has(f.fieldName))
          cache.invalidate(entity, f.fieldName, f.arguments ?? undefined);
  }
  invalidateField(cache, "Query", "blocks");
  invalidateField(cache, "Query", "analytics");
}

type Obj = Record<string, unknown>;
const dig = (o: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Obj)[k] : undefined), o);

export function createApiClient(
  token: string | null,
  onUnauthenticated: () => void,
): { client: Client; ws: WsClient } {
  const wsUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
  let everConnected = false;
  const ws = createWsClient({
    url: wsUrl,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: async (retries) => new Promise((r) => setTimeout(r, Math.min(8000, 500 * 2 ** retries))),
    on: {
      connected: () => {
        const wasDown = everConnected && linkState !== "live";
        everConnected = true;
        setLinkState("live");
        if (wasDown) {
          reconnects++;
          reconnectListeners.forEach((l) => l());
        }
      },
      closed: (e) => {
        const code = (e as { code?: number } | undefined)?.code;
        if (code === 4401) onUnauthenticated();
        setLinkState(everConnected ? "reconnecting" : "connecting");
      },
    },
  });

  const client = new Client({
    url: "/graphql",
    preferGetMethod: false,
    requestPolicy: "cache-and-network",
    fetchOptions: (): RequestInit => ({
      headers: token ? { authorization: `Bearer ${token}` } : ({} as Record<string, string>),
    }),
    exchanges: [
      cacheExchange({
        updates: {
          Mutation: {
            allocate: (result, _a, cache) =>
              invalidatePool(cache, dig(result, "allocate", "allocation", "pool", "id")),
            releaseAllocation: (result, _a, cache) =>
              invalidatePool(cache, dig(result, "releaseAllocation", "allocation", "pool", "id")),
            reserve: (result, _a, cache) =>
              invalidatePool(cache, dig(result, "reserve", "reservation", "pool", "id")),
            createPool: (result, _a, cache) => {
              invalidateField(cache, "Query", "pools");
              invalidatePool(cache, dig(result, "createPool", "pool", "parent", "id"));
            },
            deletePool: (_r, _a, cache) => invalidateField(cache, "Query", "pools"),
            createScope: (_r, _a, cache) => invalidateField(cache, "Query", "scopes"),
            createAccount: (_r, _a, cache) => invalidateField(cache, "Query", "accounts"),
            deleteAccount: (_r, _a, cache) => invalidateField(cache, "Query", "accounts"),
          },
          Subscription: {
            allocationEvents: (result, _a, cache) =>
              invalidatePool(cache, dig(result, "allocationEvents", "pool", "id")),
            driftEvents: (_r, _a, cache) => invalidateField(cache, "Query", "driftItems"),
          },
        },
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => {
          const input = { ...request, query: request.query ?? "" };
          return {
            subscribe: (sink) => ({ unsubscribe: ws.subscribe(input, sink) }),
          };
        },
      }),
    ],
  });
  return { client, ws };
}
