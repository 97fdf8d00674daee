/**
 * Starts the real server in-process on an ephemeral port with a temporary SQLite file, and talks to
 * it over real HTTP and a real graphql-ws client.
 *
 * With CLOUDPAM_TEST_BACKEND=postgres (`npm run test:postgres`) every server gets a fresh database of the run's
 * shared throw-away PostgreSQL cluster instead (test/helpers/pg-global-setup.ts): DATABASE_URL is set, the
 * database is created here and dropped at close. `dbPath` then names no file (tests that open the SQLite file
 * directly are SQLite-only and stay out of the PostgreSQL list in vitest.config.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import WebSocket from "ws";
import pg from "pg";
import { inject } from "vitest";
import { createClient, type Client } from "graphql-ws";
import { loadConfig } from "../../src/config.js";
import { startApp, type App } from "../../src/server/app.js";
import { openStore } from "../../src/db/store.js";
import { createLogger } from "../../src/logger.js";
import { createToken } from "../../src/domain/tokens.js";
import { SYSTEM_ACTOR, type Role } from "../../src/domain/roles.js";

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: {
    message: string;
    path?: string[];
    extensions?: { code?: string; details?: Record<string, unknown> };
  }[];
}

export interface TestServer {
  app: App;
  url: string;
  dir: string;
  dbPath: string;
  /** The server's PostgreSQL database (postgres backend only). */
  databaseUrl?: string;
  adminToken: string;
  /** Every log line the server wrote (JSON strings). */
  logs: string[];
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    opts?: { token?: string | null; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<T>>;
  /** Like gql, but throws on any GraphQL error: for arranging state. */
  ok<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<T>;
  tokenFor(role: Role, name?: string): Promise<string>;
  wsClient(token?: string | null, extra?: Partial<Parameters<typeof createClient>[0]>): Client;
  close(): Promise<void>;
}

/** The backend test servers run on: CLOUDPAM_TEST_BACKEND=postgres, else SQLite. */
export const testBackend: "sqlite" | "postgres" =
  process.env.CLOUDPAM_TEST_BACKEND === "postgres" ? "postgres" : "sqlite";

let databaseCounter = 0;

/** A fresh empty database on the shared cluster (postgres backend only); returns its URL and its drop. */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = inject("pgAdminUrl");
  if (!admin) throw new Error("no shared PostgreSQL cluster: run with CLOUDPAM_TEST_BACKEND=postgres");
  const name = `t_${process.pid}_${++databaseCounter}_${Date.now().toString(36)}`;
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name} TEMPLATE template0`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export async function startTestServer(
  env: Record<string, string> = {},
  opts: { onStatement?: (sql: string) => void } = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "cloudpam-test-"));
  const dbPath = join(dir, "cloudpam.db");
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(...String(chunk).split("\n").filter(Boolean));
      cb();
    },
  });
  // Every test client comes from 127.0.0.1: the per-address rate limit would throttle busy tests, so it is
  // lifted here; tests of the limit itself pass their own RATE_LIMIT_* values.
  const database =
    testBackend === "postgres" && !("SQLITE_DSN" in env) && !("DATABASE_URL" in env)
      ? await createTestDatabase()
      : undefined;
  const config = loadConfig(
    {
      ADDR: "127.0.0.1:0",
      SQLITE_DSN: dbPath,
      ...(database ? { DATABASE_URL: database.url } : {}),
      LOG_LEVEL: "info",
      RATE_LIMIT_PER_SECOND: "1000000",
      RATE_LIMIT_BURST: "1000000",
      ...env,
    },
    {},
  );
  let adminToken = "";
  // With a statement hook the store is opened here (and closed in close()), so the hook sees every statement.
  if (opts.onStatement && config.database.url) throw new Error("the statement hook is SQLite-only");
  const store = opts.onStatement ? openStore({ dsn: dbPath, onStatement: opts.onStatement }) : undefined;
  let app: App;
  try {
    app = await startApp(config, {
      logger: createLogger(config.logLevel, sink),
      ...(store ? { store } : {}),
      onBootstrapToken: (t) => (adminToken = t),
    });
  } catch (e) {
    await database?.drop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const clients: Client[] = [];
  let tokenCounter = 0;

  const gql: TestServer["gql"] = async (query, variables, opts = {}) => {
    const token = opts.token === undefined ? adminToken : opts.token;
    const res = await fetch(`${app.url}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...opts.headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    let body: { data?: unknown; errors?: GraphQLResponse["errors"] };
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`non-JSON response (${res.status}): ${text.slice(0, 200)}`);
    }
    return { status: res.status, headers: res.headers, data: body.data as never, errors: body.errors };
  };

  const server: TestServer = {
    app,
    url: app.url,
    dir,
    dbPath,
    ...(database ? { databaseUrl: database.url } : {}),
    adminToken,
    logs,
    gql,
    async ok(query, variables, token) {
      const r = await gql(query, variables, { token: token ?? adminToken });
      if (r.errors?.length)
        throw new Error(`unexpected GraphQL errors: ${JSON.stringify(r.errors, null, 2)}`);
      return r.data as never;
    },
    async tokenFor(role, name) {
      const created = await createToken(
        app.services.store,
        { actor: SYSTEM_ACTOR },
        {
          name: name ?? `test-${role.toLowerCase()}-${++tokenCounter}`,
          role,
        },
      );
      return created.token;
    },
    wsClient(token, extra = {}) {
      const t = token === undefined ? adminToken : token;
      const client = createClient({
        url: app.url.replace(/^http/, "ws") + "/graphql",
        webSocketImpl: WebSocket,
        connectionParams: t ? { authorization: `Bearer ${t}` } : {},
        retryAttempts: 0,
        lazy: true,
        ...extra,
      });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.dispose()));
      await app.close();
      await store?.close();
      await database?.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** Collects `n` results of a subscription (or fails on error/timeout). */
export function collect<T>(client: Client, query: string, n: number, variables?: Record<string, unknown>) {
  const results: T[] = [];
  let unsubscribe: () => void = () => undefined;
  const done = new Promise<T[]>((resolve, reject) => {
    unsubscribe = client.subscribe<T>(
      { query, variables },
      {
        next: (v) => {
          if (v.errors?.length) return reject(new Error(JSON.stringify(v.errors)));
          results.push(v.data as T);
          if (results.length === n) {
            resolve(results);
            unsubscribe();
          }
        },
        error: (e) => reject(e instanceof Error ? e : new Error(JSON.stringify(e))),
        complete: () =>
          results.length >= n
            ? resolve(results)
            : reject(new Error(`completed after ${results.length}/${n}`)),
      },
    );
  });
  return { done, results, unsubscribe: () => unsubscribe() };
}
