/** Test helpers for event subscriptions: a stream that collects results and lets a test await the n-th. */
import type { Client } from "graphql-ws";
import type { TestServer } from "../helpers/server.js";

export interface StreamedEvent {
  id: string;
  cursor: string;
  type: string;
  actor: string;
  subjectType: string;
  subjectId: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  requestId: string | null;
  createdAt: string;
}

export const EVENT_FIELDS = "id cursor type actor subjectType subjectId before after requestId createdAt";

export interface EventStream {
  events: StreamedEvent[];
  errors: { message: string; extensions?: Record<string, unknown> }[];
  /** Resolves once `n` events have arrived in total (rejects on a transport error). */
  take(n: number): Promise<StreamedEvent[]>;
  /** Resolves when the server completes the subscription. */
  completed: Promise<void>;
  stop(): void;
}

/** Subscribes to `field` (events, allocationEvents, driftEvents) with `args`. */
export function subscribe(
  client: Client,
  field: string,
  args: Record<string, unknown> = {},
  fields = EVENT_FIELDS,
): EventStream {
  const events: StreamedEvent[] = [];
  const errors: EventStream["errors"] = [];
  const waiters: { n: number; resolve: (e: StreamedEvent[]) => void; reject: (e: Error) => void }[] = [];
  let failure: Error | null = null;
  let onComplete: () => void = () => undefined;
  const completed = new Promise<void>((r) => (onComplete = r));
  const settle = () => {
    for (const w of [...waiters]) {
      if (events.length >= w.n) w.resolve(events.slice(0, w.n));
      else if (failure) w.reject(failure);
      else continue;
      waiters.splice(waiters.indexOf(w), 1);
    }
  };
  const varDefs = Object.keys(args).map(
    (k) => `$${k}: ${k === "types" ? "[String!]" : k === "after" ? "String" : "ID"}`,
  );
  const argList = Object.keys(args).map((k) => `${k}: $${k}`);
  const query = `subscription${varDefs.length ? `(${varDefs.join(", ")})` : ""} { ${field}${
    argList.length ? `(${argList.join(", ")})` : ""
  } { ${fields} } }`;
  const unsubscribe = client.subscribe<Record<string, StreamedEvent>>(
    { query, variables: args },
    {
      next: (v) => {
        if (v.errors?.length) errors.push(...(v.errors as EventStream["errors"]));
        if (v.data?.[field]) events.push(v.data[field]!);
        settle();
      },
      error: (e) => {
        failure = e instanceof Error ? e : new Error(JSON.stringify(e));
        settle();
      },
      complete: () => {
        failure ??= new Error(
          `subscription completed after ${events.length} events: ${JSON.stringify(errors)}`,
        );
        settle();
        onComplete();
      },
    },
  );
  return {
    events,
    errors,
    completed,
    take(n) {
      return new Promise((resolve, reject) => {
        waiters.push({ n, resolve, reject });
        settle();
      });
    },
    stop: () => unsubscribe(),
  };
}

/** The cursor of the newest event (what a client reads before subscribing so it misses nothing). */
export async function lastCursor(s: TestServer): Promise<string> {
  const r = await s.ok<{ events: { edges: { node: { cursor: string } }[] } }>(
    "{ events(last: 1) { edges { node { cursor } } } }",
  );
  return r.events.edges[0]?.node.cursor ?? "0";
}

/** Creates an API token over HTTP (a real mutation that emits `token.created`); returns its global id. */
export async function createTokenOverHttp(
  s: TestServer,
  name: string,
): Promise<{ id: string; requestId: string | null }> {
  const r = await s.gql<{ createApiToken: { apiToken: { id: string } } }>(
    "mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { apiToken { id } } }",
    { input: { name, role: "VIEWER" } },
  );
  if (r.errors?.length) throw new Error(JSON.stringify(r.errors));
  return { id: r.data!.createApiToken.apiToken.id, requestId: r.headers.get("x-request-id") };
}
