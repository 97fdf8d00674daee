import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createHmac } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { loadConfig } from "../../src/config.js";
import { startApp, type App } from "../../src/server/app.js";
import { createLogger } from "../../src/logger.js";
import { openStore } from "../../src/db/store.js";
import { createToken } from "../../src/domain/tokens.js";
import { SYSTEM_ACTOR } from "../../src/domain/roles.js";
import { createTokenOverHttp } from "./stream.js";

const FAST_RETRIES = {
  WEBHOOK_RETRY_BASE_MS: "5",
  WEBHOOK_RETRY_MAX_MS: "20",
  WEBHOOK_TIMEOUT_MS: "300",
  WEBHOOK_MAX_ATTEMPTS: "4",
  LOG_LEVEL: "error",
};
const SECRET = "a-signing-secret-of-some-length";

type Behaviour = "ok" | "500" | "hang" | "redirect";

interface Received {
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
  answered: Behaviour;
}

/** A loopback HTTP endpoint that answers as told: a script of behaviours, then `then`. */
class Receiver {
  readonly requests: Received[] = [];
  script: Behaviour[] = [];
  then: Behaviour = "ok";
  private server!: Server;
  private waiters: { pred: () => boolean; resolve: () => void }[] = [];
  private hanging: ServerResponse[] = [];
  url = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        const answered = this.script.shift() ?? this.then;
        this.requests.push({ path: req.url ?? "", headers: req.headers, body, answered });
        if (answered === "ok") res.writeHead(200).end("ok");
        else if (answered === "500") res.writeHead(500).end("boom");
        else if (answered === "redirect") res.writeHead(302, { location: `${this.url}/elsewhere` }).end();
        else this.hanging.push(res);
        for (const w of [...this.waiters]) {
          if (w.pred()) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve();
          }
        }
      });
    });
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  until(pred: (requests: Received[]) => boolean): Promise<void> {
    if (pred(this.requests)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ pred: () => pred(this.requests), resolve }));
  }

  /** Event ids delivered with a 2xx, in the order of their first success. */
  delivered(): number[] {
    const ids: number[] = [];
    for (const r of this.requests) {
      const id = Number(r.headers["x-cloudpam-event-id"]);
      if (r.answered === "ok" && !ids.includes(id)) ids.push(id);
    }
    return ids;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

const CREATE = `mutation($input: CreateWebhookInput!) {
  createWebhook(input: $input) { webhook { id url eventTypes active cursor } generatedSecret }
}`;
const DELIVERIES = `query { webhooks(first: 10) { edges { node { id deliveries(first: 20) { totalCount edges { node {
  eventCursor attempt statusCode durationMs error outcome } } } } } } }`;

interface DeliveryView {
  eventCursor: string;
  attempt: number;
  statusCode: number | null;
  error: string | null;
  outcome: string;
}

async function deliveriesOf(s: TestServer, webhookId: string): Promise<DeliveryView[]> {
  const r = await s.ok<{
    webhooks: { edges: { node: { id: string; deliveries: { edges: { node: DeliveryView }[] } } }[] };
  }>(DELIVERIES);
  const hook = r.webhooks.edges.find((e) => e.node.id === webhookId)!.node;
  return hook.deliveries.edges.map((e) => e.node);
}

/**
 * The delivery rows once there are `n`: a receiver has answered before its row commits (later on PostgreSQL
 * than on SQLite), so read until the last one is there.
 */
function deliveriesOnce(s: TestServer, webhookId: string, n: number): Promise<DeliveryView[]> {
  return vi.waitFor(
    async () => {
      const rows = await deliveriesOf(s, webhookId);
      expect(rows).toHaveLength(n);
      return rows;
    },
    { timeout: 10_000, interval: 50 },
  );
}

function verifySignature(header: string, body: string, secret: string): boolean {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  return createHmac("sha256", secret).update(`${m[1]}.${body}`).digest("hex") === m[2];
}

describe("webhooks (one server)", () => {
  let s: TestServer;
  let receiver: Receiver;
  beforeAll(async () => {
    s = await startTestServer(FAST_RETRIES);
  });
  afterAll(async () => {
    await s.close();
  });
  afterEach(async () => {
    await receiver?.close();
  });

  async function createHook(eventTypes: string[] = ["token.*"]) {
    receiver = await new Receiver().start();
    const r = await s.ok<{ createWebhook: { webhook: { id: string; cursor: string } } }>(CREATE, {
      input: { url: `${receiver.url}/hook`, eventTypes, secret: SECRET },
    });
    return r.createWebhook.webhook;
  }

  it("POSTs each event as JSON signed with HMAC-SHA256 over '<t>.<body>'", async () => {
    const hook = await createHook();

    const token = await createTokenOverHttp(s, "signed-1");
    await receiver.until((rs) => rs.length === 1);

    const [req] = receiver.requests;
    const body = JSON.parse(req!.body);
    expect(verifySignature(String(req!.headers["x-cloudpam-signature"]), req!.body, SECRET)).toBe(true);
    expect(
      verifySignature(String(req!.headers["x-cloudpam-signature"]), req!.body, "another-secret-xxxxx"),
    ).toBe(false);
    expect(req!.headers["content-type"]).toBe("application/json");
    expect(req!.headers["x-cloudpam-event-id"]).toBe(body.cursor);
    expect(Number(body.cursor)).toBeGreaterThan(Number(hook.cursor));
    expect(body).toMatchObject({
      type: "token.created",
      subjectType: "ApiToken",
      subjectId: token.id,
      webhookId: hook.id,
    });
    expect(body.after.name).toBe("signed-1");
  });

  it("retries after a 500 and a timeout, recording every attempt, then succeeds", async () => {
    const hook = await createHook();
    receiver.script = ["500", "hang", "ok"];

    await createTokenOverHttp(s, "retried-1");
    await receiver.until((rs) => rs.some((r) => r.answered === "ok"));

    const attempts = await deliveriesOnce(s, hook.id, 3);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.statusCode])).toEqual([
      [1, "RETRY", 500],
      [2, "RETRY", null],
      [3, "SUCCESS", 200],
    ]);
    expect(attempts[1]!.error).toMatch(/timed out after 300 ms/);
    expect(new Set(receiver.requests.map((r) => r.headers["x-cloudpam-event-id"])).size).toBe(1);
  });

  it("marks an event FAILED after the last attempt and moves on to the next one, in order", async () => {
    const hook = await createHook();
    receiver.script = ["500", "500", "500", "500"];

    const first = await createTokenOverHttp(s, "given-up-1");
    const second = await createTokenOverHttp(s, "after-give-up-1");
    await receiver.until((rs) => rs.filter((r) => r.answered === "ok").length === 1);

    const attempts = await deliveriesOnce(s, hook.id, 5);
    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, "RETRY"],
      [2, "RETRY"],
      [3, "RETRY"],
      [4, "FAILED"],
      [1, "SUCCESS"],
    ]);
    const bodies = receiver.requests.map((r) => JSON.parse(r.body).subjectId);
    expect(bodies).toEqual([first.id, first.id, first.id, first.id, second.id]);
  });

  it("does not follow redirects", async () => {
    const hook = await createHook();
    receiver.script = ["redirect"];

    await createTokenOverHttp(s, "redirected-1");
    await receiver.until((rs) => rs.some((r) => r.answered === "ok"));

    const attempts = await deliveriesOf(s, hook.id);
    expect(attempts[0]).toMatchObject({ outcome: "RETRY", statusCode: 302 });
    expect(attempts[0]!.error).toMatch(/redirect .* not followed/);
    expect(receiver.requests.map((r) => r.path)).toEqual(["/hook", "/hook"]);
    expect(receiver.requests).toHaveLength(2);
  });

  it("delivers only the event types a webhook asked for", async () => {
    const hook = await createHook(["token.revoked"]);

    const t = await createTokenOverHttp(s, "filtered-1");
    await s.ok(
      "mutation($input: RevokeApiTokenInput!) { revokeApiToken(input: $input) { apiToken { id } } }",
      {
        input: { id: t.id },
      },
    );
    await receiver.until((rs) => rs.length === 1);

    expect(JSON.parse(receiver.requests[0]!.body).type).toBe("token.revoked");
    expect(hook.id).toBeTruthy();
  });

  it("refuses a URL that is not http or https, naming the field", async () => {
    const r = await s.gql(CREATE, { input: { url: "ftp://example.com/hook", secret: SECRET } });

    expect(r.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(r.errors?.[0]?.extensions?.details?.field).toBe("url");
  });

  it("lets only admins manage webhooks", async () => {
    const operator = await s.tokenFor("OPERATOR");

    const r = await s.gql(
      CREATE,
      { input: { url: "http://127.0.0.1:9/x", secret: SECRET } },
      { token: operator },
    );

    expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("records webhook changes in the audit log without the secret", async () => {
    const hook = await createHook();
    await s.ok(
      "mutation($input: UpdateWebhookInput!) { updateWebhook(input: $input) { webhook { active } } }",
      { input: { id: hook.id, active: false } },
    );
    await s.ok("mutation($input: DeleteWebhookInput!) { deleteWebhook(input: $input) { deletedId } }", {
      input: { id: hook.id },
    });

    const log = await s.ok<{
      events: { edges: { node: { type: string; before: unknown; after: unknown } }[] };
    }>(`query($id: ID!) { events(filter: { subjectId: $id }) { edges { node { type before after } } } }`, {
      id: hook.id,
    });
    expect(log.events.edges.map((e) => e.node.type)).toEqual([
      "webhook.created",
      "webhook.updated",
      "webhook.deleted",
    ]);
    expect(JSON.stringify(log.events)).not.toContain(SECRET);
  });
});

describe("webhooks across a restart", () => {
  let dir: string;
  let receiver: Receiver;
  let app: App | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "cloudpam-webhook-restart-"));
    receiver = await new Receiver().start();
  });
  afterAll(async () => {
    await app?.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(): Promise<{ app: App; admin: string }> {
    const config = loadConfig(
      {
        ADDR: "127.0.0.1:0",
        SQLITE_DSN: join(dir, "db.sqlite"),
        ...FAST_RETRIES,
        WEBHOOK_MAX_ATTEMPTS: "100",
      },
      {},
    );
    let admin = "";
    const started = await startApp(config, {
      logger: createLogger("error", new Writable({ write: (_c, _e, cb) => cb() })),
      onBootstrapToken: (t) => (admin = t),
    });
    return { app: started, admin };
  }

  it("resumes delivery where it stopped: no event lost or skipped, in order", async () => {
    const first = await start();
    app = first.app;
    const store = () => app!.services.store;
    const res = await fetch(`${app.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${first.admin}` },
      body: JSON.stringify({
        query: CREATE,
        variables: { input: { url: `${receiver.url}/hook`, secret: SECRET } },
      }),
    });
    expect(res.status).toBe(200);
    // The first 3 succeed, then the endpoint fails until the server is gone.
    receiver.script = ["ok", "ok", "ok"];
    receiver.then = "500";
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push(
        (await createToken(store(), { actor: SYSTEM_ACTOR }, { name: `restart-a-${i}`, role: "VIEWER" })).info
          .id,
      );
    }
    await receiver.until((rs) => rs.length >= 5);

    await app.close();
    app = undefined;
    // Changes committed while no server runs are in the outbox too.
    const offline = openStore({ dsn: join(dir, "db.sqlite") });
    for (let i = 0; i < 3; i++)
      await createToken(offline, { actor: SYSTEM_ACTOR }, { name: `restart-b-${i}`, role: "VIEWER" });
    offline.close();
    receiver.then = "ok";
    app = (await start()).app;
    await receiver.until(() => receiver.delivered().length === 9);

    const delivered = receiver.delivered();
    const subjects = receiver.requests
      .filter((r) => r.answered === "ok")
      .map((r) => JSON.parse(r.body).after.name as string);
    expect([...new Set(subjects)]).toEqual([
      ...ids.map((_, i) => `restart-a-${i}`),
      ...[0, 1, 2].map((i) => `restart-b-${i}`),
    ]);
    expect(delivered).toEqual([...delivered].sort((a, b) => a - b));
    // The cursor is advanced in the transaction that records the last success, just after the answer.
    const settled = await eventually(
      () =>
        app!.services.store.read(
          (db) => (db.$client.prepare("SELECT cursor FROM webhooks").get() as { cursor: number }).cursor,
        ),
      (c) => c === delivered.at(-1),
    );
    expect(settled).toBe(delivered.at(-1));
  });
});

/** Polls `read` until `done` holds (for state that has no event to await); the test timeout bounds it. */
async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("webhooks with two server processes on one database", () => {
  it("delivers every event exactly once and in order: one lease holder per webhook", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cloudpam-webhook-two-"));
    const receiver = await new Receiver().start();
    const apps: App[] = [];
    try {
      let admin = "";
      for (let i = 0; i < 2; i++) {
        const config = loadConfig(
          { ADDR: "127.0.0.1:0", SQLITE_DSN: join(dir, "db.sqlite"), ...FAST_RETRIES },
          {},
        );
        apps.push(
          await startApp(config, {
            logger: createLogger("error", new Writable({ write: (_c, _e, cb) => cb() })),
            onBootstrapToken: (t) => (admin = t),
          }),
        );
      }
      const res = await fetch(`${apps[0]!.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${admin}` },
        body: JSON.stringify({
          query: CREATE,
          variables: { input: { url: `${receiver.url}/hook`, secret: SECRET } },
        }),
      });
      expect(res.status).toBe(200);
      // Changes through both processes; both dispatchers see every event (the second by polling the file).
      const ids: number[] = [];
      for (let i = 0; i < 20; i++) {
        const app = apps[i % 2]!;
        const t = await createToken(
          app.services.store,
          { actor: SYSTEM_ACTOR },
          { name: `two-${i}`, role: "VIEWER" },
        );
        ids.push(t.info.id);
      }
      await receiver.until(() => receiver.delivered().length === 20);
      const lastEvent = await apps[0]!.services.store.read(
        (db) => (db.$client.prepare("SELECT max(id) AS id FROM events").get() as { id: number }).id,
      );
      // Settled: the shared cursor reached the last event, so neither process has anything left to send.
      await eventually(
        () =>
          apps[0]!.services.store.read(
            (db) => (db.$client.prepare("SELECT cursor FROM webhooks").get() as { cursor: number }).cursor,
          ),
        (c) => c === lastEvent,
      );
      const sent = receiver.requests.map((r) => Number(r.headers["x-cloudpam-event-id"]));
      expect(sent).toHaveLength(20);
      expect(sent).toEqual([...sent].sort((a, b) => a - b));
      const recorded = await apps[0]!.services.store.read(
        (db) =>
          db.$client
            .prepare("SELECT count(*) AS n FROM webhook_deliveries WHERE outcome = 'SUCCESS'")
            .get() as {
            n: number;
          },
      );
      expect(recorded.n).toBe(20);
    } finally {
      for (const app of apps) await app.close();
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
