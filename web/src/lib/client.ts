/**
 * The GraphQL client: urql with graphcache (normalised by `__typename:id`) over fetch, and graphql-ws
 * on the same path for subscriptions, reconnecting forever with backoff. The connection state feeds
 * the "live / reconnecting" indicator. Live events invalidate the pools they touch, so every open
 * query over that pool refetches: a second page sees an allocation appear without reload.
 * Every subscription resumes after a dropped connection from the last event cursor it saw (see
 * subscribeResuming), so the events committed while offline arrive once each, in order.
 */
import { Client, fetchExchange, subscriptionExchange } from "urql";
import { cacheExchange, type Cache } from "@urql/exchange-graphcache";
import {
  createClient as createWsClient,
  type Client as WsClient,
  type FormattedExecutionResult,
  type Sink,
  type SubscribePayload,
} from "graphql-ws";

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

/** What the subscription exchange hands over (graphql-ws's Sink of an execution result). */
type ResultSink = Sink<FormattedExecutionResult<Record<string, unknown>, Record<string, unknown>>>;

/** The `cursor` of a subscription result (`{ allocationEvents: { cursor } }`), if it has one. */
function cursorOf(data: unknown): string | null {
  const root = data && typeof data === "object" ? Object.values(data as Obj)[0] : undefined;
  const cursor = root && typeof root === "object" ? (root as Obj).cursor : undefined;
  return typeof cursor === "string" ? cursor : null;
}

/**
 * Subscribes so that nothing is missed and nothing doubled across dropped connections: it starts after the
 * log's head (`serverInfo.eventCursor`, read first) unless the caller gave `after`, and every event moves
 * `after` to its cursor. graphql-ws re-sends this same payload object when it reconnects, so the server
 * replays exactly the events after the last one seen. A SLOW_CONSUMER end resubscribes from the cursor it
 * names instead of surfacing as an error. So every subscription document declares `$after: String` and
 * passes it to its field (`allocationEvents(after: $after)`); the page leaves it unset.
 */
export function subscribeResuming(
  ws: WsClient,
  request: SubscribePayload,
  sink: ResultSink,
  headCursor: () => Promise<string | null>,
): () => void {
  const variables: Obj = { ...(request.variables ?? {}) };
  const payload: SubscribePayload = { ...request, variables };
  let stopped = false;
  let dispose: (() => void) | null = null;
  const start = () => {
    let resumeFrom: string | null = null;
    dispose = ws.subscribe<Record<string, unknown>, Record<string, unknown>>(payload, {
      next: (result) => {
        const slow = result.errors?.find((e) => e.extensions?.code === "SLOW_CONSUMER");
        if (slow) {
          const named = dig(slow.extensions, "details", "cursor");
          resumeFrom = typeof named === "string" ? named : ((variables.after as string | undefined) ?? null);
          return;
        }
        const cursor = cursorOf(result.data);
        if (cursor) variables.after = cursor;
        sink.next(result);
      },
      error: (e) => sink.error(e),
      complete: () => {
        if (resumeFrom !== null && !stopped) {
          variables.after = resumeFrom;
          start();
        } else sink.complete();
      },
    });
  };
  if (variables.after != null) start();
  else
    void headCursor().then((head) => {
      if (head !== null) variables.after = head;
      if (!stopped) start();
    });
  return () => {
    stopped = true;
    dispose?.();
  };
}

/** `getToken` is read at every request and every (re)connect, so a refreshed OIDC token takes over in place. */
export function createApiClient(
  getToken: () => string | null,
  onUnauthenticated: () => void,
): { client: Client; ws: WsClient } {
  const wsUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
  let everConnected = false;
  const ws = createWsClient({
    url: wsUrl,
    connectionParams: () => {
      const token = getToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: async (retries) => new Promise((r) => setTimeout(r, Math.min(8000, 500 * 2 ** retries))),
    on: {
      connected: () => {
        everConnected = true;
        setLinkState("live");
      },
      closed: (e) => {
        const code = (e as { code?: number } | undefined)?.code;
        if (code === 4401) onUnauthenticated();
        setLinkState(everConnected ? "reconnecting" : "connecting");
      },
    },
  });

  /** The log's head, where a new subscription starts; null (only new events) when it cannot be read. */
  const headCursor = async (): Promise<string | null> => {
    const token = getToken();
    try {
      const res = await fetch("/graphql", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query: "query EventHead { serverInfo { eventCursor } }" }),
      });
      const body = (await res.json()) as { data?: { serverInfo?: { eventCursor?: string | null } } };
      return body.data?.serverInfo?.eventCursor ?? null;
    } catch {
      return null;
    }
  };

  const client = new Client({
    url: "/graphql",
    preferGetMethod: false,
    requestPolicy: "cache-and-network",
    fetchOptions: (): RequestInit => {
      const token = getToken();
      return { headers: token ? { authorization: `Bearer ${token}` } : ({} as Record<string, string>) };
    },
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
            applyPlan: (result, _a, cache) => {
              invalidateField(cache, "Query", "pools");
              invalidateField(cache, "Query", "previewPlan");
              invalidatePool(cache, dig(result, "applyPlan", "rootPool", "id"));
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
            subscribe: (sink) => ({ unsubscribe: subscribeResuming(ws, input, sink, headCursor) }),
          };
        },
      }),
    ],
  });
  return { client, ws };
}
