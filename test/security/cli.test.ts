/** `cloudpam token create|list|revoke` on a temporary database, against a server running on the same file. */
import "reflect-metadata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createClient } from "graphql-ws";
import { loadConfig } from "../../src/config.js";
import { startApp, type App } from "../../src/server/app.js";
import { createLogger } from "../../src/logger.js";
import { cli, cliAsync } from "../helpers/cli.js";

let dir: string;
let db: string;
let app: App | undefined;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "cloudpam-cli-tokens-"));
  db = join(dir, "cloudpam.db");
});
afterAll(async () => {
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

const query = (token: string) =>
  fetch(`${app!.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: "{ serverInfo { version } }" }),
  });

describe("cloudpam token", () => {
  it("creates a token shown once, lists tokens without secrets, and revokes one a running server then refuses", async () => {
    const created = cli([
      "token",
      "create",
      "--name",
      "ci-bot",
      "--role",
      "operator",
      "--expires",
      "30d",
      "--sqlite-dsn",
      db,
    ]);
    expect(created.status).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^cpam_[a-z0-9]{10}_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toMatch(
      /created token ci-bot \(id 1, role OPERATOR, expires \d{4}-.*shown only once/,
    );

    const listed = cli(["token", "list", "--sqlite-dsn", db]);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(/1\tci-bot\tOPERATOR\tcpam_[a-z0-9]{10}_…/);
    expect(listed.stdout).not.toContain(token);
    expect(listed.stdout).not.toContain(token.slice(16));

    const config = loadConfig({ ADDR: "127.0.0.1:0", SQLITE_DSN: db, LOG_LEVEL: "error" }, {});
    let bootstrap: string | undefined;
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    app = await startApp(config, {
      logger: createLogger("error", sink),
      onBootstrapToken: (t) => (bootstrap = t),
    });
    expect(bootstrap).toBeUndefined(); // a token exists: no bootstrap admin
    expect((await query(token)).status).toBe(200);
    const ws = createClient({
      url: `${app.url.replace(/^http/, "ws")}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    const closed = new Promise<number>((resolve) => ws.on("closed", (e) => resolve((e as CloseEvent).code)));
    const ticking = new Promise<void>((resolve) =>
      ws.subscribe(
        { query: "subscription { heartbeat(intervalMs: 50) { sequence } }" },
        { next: () => resolve(), error: () => undefined, complete: () => undefined },
      ),
    );
    await ticking;

    const revoked = await cliAsync(["token", "revoke", "ci-bot", "--sqlite-dsn", db]);
    expect(revoked.status).toBe(0);
    expect(revoked.stdout).toMatch(/revoked token ci-bot \(id 1\)/);

    const refused = await query(token);
    expect(refused.status).toBe(401);
    expect(
      ((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
    ).toBe("UNAUTHENTICATED");
    // Revoked by another process: the server's periodic re-check ends the open session.
    expect(await closed).toBe(4403);
    await ws.dispose();
  });

  it("refuses an unknown role with exit code 2 and a message naming the roles", () => {
    const r = cli(["token", "create", "--name", "x", "--role", "root", "--sqlite-dsn", db]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("VIEWER, OPERATOR, ADMIN or AUDITOR");
    expect(r.stdout).toBe("");
  });
});
