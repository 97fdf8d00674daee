import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { openStore, type Store } from "../../src/db/store.js";
import { openPgSeam } from "../../src/db/store.pg.js";
import { appendEvent } from "../../src/domain/events.js";
import { createToken } from "../../src/domain/tokens.js";
import { SYSTEM_ACTOR } from "../../src/domain/roles.js";
import { toGlobalId } from "../../src/schema/node.js";
import { createTokenOverHttp, lastCursor, subscribe } from "./stream.js";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer({
    WS_CONNECTIONS_PER_TOKEN: "100",
    RATE_LIMIT_PER_SECOND: "100000",
    RATE_LIMIT_BURST: "100000",
    SUBSCRIPTION_MAX_LAG: "10",
    LOG_LEVEL: "warn",
  });
});
afterAll(async () => {
  await s.close();
});

let names = 0;
const uniqueName = (prefix: string) => `${prefix}-${++names}`;

/** Appends events directly through the domain (for event types whose mutations live elsewhere). */
function appendRaw(events: { type: string; subjectType: string; subjectId: number; after: object }[]) {
  return s.app.services.store.write(async (db) => {
    const ids: number[] = [];
    for (const e of events)
      ids.push((await appendEvent(db, { actor: SYSTEM_ACTOR, requestId: "test" }, e)).id);
    return ids;
  });
}

describe("events subscription", () => {
  it("delivers an event committed by another client over HTTP with the change's payload", async () => {
    const after = await lastCursor(s);
    const stream = subscribe(s.wsClient(), "events", { types: ["token.created"], after });

    const created = await createTokenOverHttp(s, "ci-bot-live");
    const [event] = await stream.take(1);

    expect(event).toMatchObject({
      type: "token.created",
      subjectType: "ApiToken",
      subjectId: created.id,
      actor: "token:1:bootstrap-admin",
      requestId: created.requestId,
      before: null,
      after: expect.objectContaining({ name: "ci-bot-live", role: "VIEWER" }),
    });
    expect(Number(event!.cursor)).toBeGreaterThan(Number(after));
    expect(event!.id).toBe(toGlobalId("Event", event!.cursor));
    stream.stop();
  });

  it("replays the events after a cursor, then continues live without gap or duplicate", async () => {
    const start = await lastCursor(s);
    const early = [];
    for (let i = 0; i < 3; i++) early.push(await createTokenOverHttp(s, uniqueName("replay")));
    const stream = subscribe(s.wsClient(), "events", { types: ["token.created"], after: start });
    await stream.take(3);

    const late = await createTokenOverHttp(s, uniqueName("replay-live"));
    const got = await stream.take(4);

    expect(got.map((e) => e.subjectId)).toEqual([...early, late].map((t) => t.id));
    const cursors = got.map((e) => Number(e.cursor));
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
    expect(new Set(cursors).size).toBe(4);
    stream.stop();
  });

  it("resumes after a disconnect with exactly the missed events, in order, then live ones", async () => {
    const start = await lastCursor(s);
    const first = subscribe(s.wsClient(), "events", { types: ["token.*"], after: start });
    const before = [];
    for (let i = 0; i < 3; i++) before.push(await createTokenOverHttp(s, uniqueName("resume-a")));
    const received = await first.take(3);
    first.stop();

    const missed = [];
    for (let i = 0; i < 4; i++) missed.push(await createTokenOverHttp(s, uniqueName("resume-b")));
    const resumed = subscribe(s.wsClient(), "events", { types: ["token.*"], after: received[2]!.cursor });
    const replayed = await resumed.take(4);
    const live = await createTokenOverHttp(s, uniqueName("resume-c"));
    const all = await resumed.take(5);

    expect(received.map((e) => e.subjectId)).toEqual(before.map((t) => t.id));
    expect(replayed.map((e) => e.subjectId)).toEqual(missed.map((t) => t.id));
    expect(all[4]!.subjectId).toBe(live.id);
    expect(resumed.events).toHaveLength(5);
    resumed.stop();
  });

  it("streams 1,000 events committed in quick succession to 20 subscribers, each complete and in order", async () => {
    const start = await lastCursor(s);
    const streams = Array.from({ length: 20 }, () =>
      subscribe(s.wsClient(), "events", { types: ["token.created"], after: start }, "cursor subjectId"),
    );

    const ids: string[] = [];
    for (let batch = 0; batch < 100; batch++) {
      const made = await Promise.all(
        Array.from({ length: 10 }, (_, i) => createTokenOverHttp(s, `bulk-${batch}-${i}`)),
      );
      ids.push(...made.map((m) => m.id));
    }
    const results = await Promise.all(streams.map((st) => st.take(1000)));

    for (const events of results) {
      const cursors = events.map((e) => Number(e.cursor));
      expect(cursors.every((c, i) => i === 0 || c > cursors[i - 1]!)).toBe(true);
      expect(new Set(events.map((e) => e.subjectId))).toEqual(new Set(ids));
    }
    streams.forEach((st) => st.stop());
  });

  it("emits nothing for a failed mutation", async () => {
    const start = await lastCursor(s);
    const stream = subscribe(s.wsClient(), "events", { after: start });
    await createTokenOverHttp(s, "dup-name");

    const failed = await s.gql(
      "mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }",
      { input: { name: "dup-name", role: "VIEWER" } },
    );
    const next = await createTokenOverHttp(s, "after-the-failure");
    const got = await stream.take(2);

    expect(failed.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(got.map((e) => e.after?.name)).toEqual(["dup-name", "after-the-failure"]);
    expect(got[1]!.subjectId).toBe(next.id);
    const log = await s.ok<{ events: { totalCount: number } }>(
      `{ events(after: null, filter: { types: ["token.created"] }) { totalCount } }`,
    );
    const names = await s.ok<{ apiTokens: { name: string }[] }>("{ apiTokens { name } }");
    expect(log.events.totalCount).toBe(names.apiTokens.length);
    stream.stop();
  });

  it("streams an event committed by another process on the same database", async () => {
    const start = await lastCursor(s);
    const stream = subscribe(s.wsClient(), "events", { types: ["token.created"], after: start });
    // Another store on the same SQLite file or PostgreSQL database: its commit reaches this server's hub by the
    // poll (SQLite) or LISTEN/NOTIFY (PostgreSQL), not by this process's onCommit.
    const other: Store = s.databaseUrl
      ? await openPgSeam({ url: s.databaseUrl })
      : openStore({ dsn: s.dbPath });
    try {
      const created = await createToken(
        other,
        { actor: SYSTEM_ACTOR },
        { name: "from-other-process", role: "VIEWER" },
      );
      const [event] = await stream.take(1);

      expect(event!.subjectId).toBe(toGlobalId("ApiToken", created.info.id));
      expect(event!.actor).toBe("system");
    } finally {
      await other.close();
      stream.stop();
    }
  });
});

describe("filtered subscriptions", () => {
  it("streams only the allocation events of the given pool and account", async () => {
    const start = await lastCursor(s);
    const stream = subscribe(
      s.wsClient(),
      "allocationEvents",
      {
        poolId: toGlobalId("Pool", 7),
        accountId: toGlobalId("Account", 3),
        after: start,
      },
      "cursor type allocation { id }",
    );
    const ids = await appendRaw([
      {
        type: "allocation.created",
        subjectType: "Allocation",
        subjectId: 1,
        after: { id: 1, poolId: 7, accountId: 3 },
      },
      {
        type: "allocation.created",
        subjectType: "Allocation",
        subjectId: 2,
        after: { id: 2, poolId: 8, accountId: 3 },
      },
      {
        type: "allocation.created",
        subjectType: "Allocation",
        subjectId: 3,
        after: { id: 3, poolId: 7, accountId: null },
      },
      { type: "pool.updated", subjectType: "Pool", subjectId: 7, after: { id: 7, poolId: 7, accountId: 3 } },
      {
        type: "allocation.released",
        subjectType: "Allocation",
        subjectId: 1,
        after: { id: 1, poolId: 7, accountId: 3 },
      },
    ]);

    const got = await stream.take(2);

    expect(got.map((e) => [e.type, Number(e.cursor)])).toEqual([
      ["allocation.created", ids[0]],
      ["allocation.released", ids[4]],
    ]);
    expect((got[0] as unknown as { allocation: { id: string } }).allocation.id).toBe(
      toGlobalId("Allocation", 1),
    );
    stream.stop();
  });

  it("streams the drift events of one account", async () => {
    const start = await lastCursor(s);
    const viewer = await s.tokenFor("VIEWER");
    const stream = subscribe(
      s.wsClient(viewer),
      "driftEvents",
      {
        accountId: toGlobalId("Account", 5),
        after: start,
      },
      "cursor type drift { id }",
    );
    const ids = await appendRaw([
      { type: "drift.detected", subjectType: "DriftItem", subjectId: 1, after: { id: 1, accountId: 4 } },
      { type: "drift.detected", subjectType: "DriftItem", subjectId: 2, after: { id: 2, accountId: 5 } },
      { type: "drift.resolved", subjectType: "DriftItem", subjectId: 2, after: { id: 2, accountId: 5 } },
    ]);

    const got = await stream.take(2);

    expect(got.map((e) => Number(e.cursor))).toEqual([ids[1], ids[2]]);
    stream.stop();
  });

  it("refuses the full event stream to a VIEWER (audit permission) but not allocationEvents", async () => {
    const viewer = await s.tokenFor("VIEWER");
    const denied = subscribe(s.wsClient(viewer), "events", { after: "0" });
    const allowed = subscribe(s.wsClient(viewer), "allocationEvents", { after: "0" }, "cursor type");

    await expect(denied.take(1)).rejects.toThrow(/FORBIDDEN|audit/);
    await appendRaw([
      {
        type: "allocation.updated",
        subjectType: "Allocation",
        subjectId: 9,
        after: { id: 9, poolId: 1, accountId: null },
      },
    ]);
    const got = await allowed.take(1);
    expect(got[0]!.type).toMatch(/^allocation\./);
    allowed.stop();
  });

  it("gives a VIEWER serverInfo.eventCursor, the log's head: a stream started after it misses nothing later", async () => {
    const viewer = await s.tokenFor("VIEWER");
    const head = await s.ok<{ serverInfo: { eventCursor: string } }>(
      "{ serverInfo { eventCursor } }",
      undefined,
      viewer,
    );
    expect(head.serverInfo.eventCursor).toBe(await lastCursor(s));
    const created = await createTokenOverHttp(s, uniqueName("head"));
    // Subscribed only after the change: the cursor still brings it.
    const stream = subscribe(s.wsClient(), "events", { after: head.serverInfo.eventCursor });
    const [first] = await stream.take(1);
    expect(first!.subjectId).toBe(created.id);
    stream.stop();

    const anonymous = await s.gql("{ serverInfo { version eventCursor } }", undefined, { token: null });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(anonymous.data).toMatchObject({ serverInfo: { eventCursor: null } });
  });

  it("refuses a malformed cursor with BAD_USER_INPUT naming the argument", async () => {
    const stream = subscribe(s.wsClient(), "events", { after: "yesterday" });
    await expect(stream.take(1)).rejects.toThrow(/BAD_USER_INPUT/);
  });
});

describe("slow consumers", () => {
  it("ends a subscriber that stops reading, with a cursor to resume from, without holding back others", async () => {
    const start = await lastCursor(s);
    const fast = subscribe(s.wsClient(), "events", { types: ["bulk.padded"], after: start }, "cursor");
    // Only this subscriber asks for the large snapshots, so only its socket fills up.
    const slow = await rawSubscriber(
      s,
      `subscription { events(types: ["bulk.padded"], after: "${start}") { cursor after } }`,
    );
    const warmup = await appendRaw([{ type: "bulk.padded", subjectType: "Test", subjectId: 0, after: {} }]);
    await slow.received(1);
    slow.pause();

    // ~80 MB of events, more than the socket buffers hold, so the paused subscriber falls behind;
    // each batch is committed once the reading subscriber has taken the previous one.
    const pad = "x".repeat(100_000);
    const ids: number[] = [...warmup];
    let ended;
    try {
      for (let b = 0; b < 8; b++) {
        ids.push(
          ...(await appendRaw(
            Array.from({ length: 100 }, (_, i) => ({
              type: "bulk.padded",
              subjectType: "Test",
              subjectId: b * 100 + i,
              after: { pad },
            })),
          )),
        );
        await fast.take(ids.length);
      }
    } finally {
      slow.resume();
      ended = await slow.completed;
    }

    expect(fast.events.map((e) => Number(e.cursor))).toEqual(ids);
    expect(ended.error?.extensions?.code).toBe("SLOW_CONSUMER");
    expect(ended.error?.message).toMatch(/fell \d+ events behind/);
    const resumeFrom = Number((ended.error?.extensions?.details as { cursor: string }).cursor);
    expect(ended.cursors.length).toBeLessThan(ids.length);
    expect(ended.cursors.at(-1)).toBeLessThanOrEqual(resumeFrom);

    const resumed = subscribe(
      s.wsClient(),
      "events",
      { types: ["bulk.padded"], after: String(resumeFrom) },
      "cursor",
    );
    const rest = await resumed.take(ids.filter((id) => id > resumeFrom).length);
    expect([...ended.cursors, ...rest.map((e) => Number(e.cursor))]).toEqual(ids);
    fast.stop();
    resumed.stop();
  });
});

/** A graphql-transport-ws client on a raw socket, so a test can stop reading it. */
async function rawSubscriber(server: TestServer, query: string) {
  const ws = new WebSocket(server.url.replace(/^http/, "ws") + "/graphql", "graphql-transport-ws");
  await new Promise((r) => ws.once("open", r));
  const cursors: number[] = [];
  let error: { message: string; extensions?: Record<string, unknown> } | undefined;
  const completed = new Promise<{ cursors: number[]; error: typeof error }>((resolve) => {
    ws.on("message", (data) => {
      const msg = JSON.parse(String(data));
      if (msg.type === "connection_ack") {
        ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query } }));
      } else if (msg.type === "next") {
        if (msg.payload.errors) error = msg.payload.errors[0];
        else cursors.push(Number(msg.payload.data.events.cursor));
      } else if (msg.type === "complete" || msg.type === "error") {
        if (msg.type === "error") error = msg.payload[0];
        resolve({ cursors, error });
        ws.close();
      }
    });
  });
  ws.send(
    JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${server.adminToken}` } }),
  );
  const received = (n: number) =>
    new Promise<void>((resolve) => {
      const check = () => (cursors.length >= n ? resolve() : setTimeout(check, 5));
      check();
    });
  const socket = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  return { pause: () => socket.pause(), resume: () => socket.resume(), received, completed };
}
