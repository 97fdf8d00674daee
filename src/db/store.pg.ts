/**
 * The PostgreSQL adapter of the storage seam (see ./README.md, "The store seam contract", and
 * "PostgreSQL"): the same `read / write / onCommit / ready / close` as the SQLite store, over a
 * node-postgres pool and drizzle's pg dialect (tables: ./schema.pg.ts).
 *
 * - `write(fn)` runs `fn` in one READ COMMITTED transaction on a pooled connection. Writers do not
 *   serialise in-process: an allocation locks its parent pool row (`lockPool`, `SELECT … FOR UPDATE`),
 *   so allocations in different pools run in parallel and allocations in one pool queue on that row;
 *   the unique indexes stay the backstop.
 * - Serialization failures and deadlocks (40001, 40P01) roll back and re-run `fn` after a jittered,
 *   doubling delay (a few attempts); any other error rolls back and propagates.
 * - Events are appended with `appendEvents` (./events.pg.ts) under a transaction-scoped lock, so ids
 *   are handed out in commit order; their NOTIFY wakes every replica's listeners at commit.
 * - Connection failures become `DatabaseUnavailableError` (SERVICE_UNAVAILABLE), never a hang: the
 *   pool waits at most `connectTimeoutMs` for a connection. `ready()` answers from a background ping.
 * - Writes hold at most `poolSize - 2` connections at once (an in-process gate in front of the pool), so
 *   a burst of writers queued on one pool's row lock never starves reads (token checks, the event hub)
 *   of connections, and a long queue of writes under load waits at the gate, not in the pool's queue,
 *   whose `connectTimeoutMs` would report it as an outage. A connection failure rejects every write
 *   waiting at the gate at once (SERVICE_UNAVAILABLE), so an outage does not make them wait in turn.
 */
import pg from "pg";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { randomUUID } from "node:crypto";
import { redactUrl } from "../config.js";
import * as schema from "./schema.pg.js";
import { collectNotes, type Db, type Store } from "./store.js";
import { pgAssertCompatible, pgMigrateUp, PG_MIGRATIONS_FOLDER } from "./migrate.pg.js";
import { clientConfig, DatabaseUnavailableError, explainConnectError, type PgSettings } from "./pg.js";
import type { PgDb, PgTx } from "./dialect.js";

export type { PgDb, PgTx };

/**
 * The channel every replica LISTENs on. The payload is the committing connection's application_name,
 * `cloudpam:<instance id>`, so a replica ignores its own commits (it has already woken its listeners).
 */
export const COMMIT_CHANNEL = "cloudpam_commit";

export interface PgStore {
  read<T>(fn: (db: PgDb) => Promise<T>): Promise<T>;
  write<T>(fn: (tx: PgTx) => Promise<T>): Promise<T>;
  /**
   * Called after each local commit with its `noteCommit` notes (./store.ts), and with none when another
   * process's commit NOTIFYs `COMMIT_CHANNEL` (or the LISTEN connection came back and may have missed some).
   */
  onCommit(listener: (notes: readonly unknown[]) => void): () => void;
  /** The last background ping (every `pingIntervalMs`) answered and the schema is current. */
  ready(): boolean;
  close(): Promise<void>;
  /** DATABASE_URL with the password redacted. */
  readonly dsn: string;
  /** The migration versions this store applied when it opened (empty: another replica did, or none were due). */
  readonly migrated: readonly number[];
  /** This process's id in NOTIFY payloads. */
  readonly instanceId: string;
  readonly pool: pg.Pool;
}

export interface PgStoreOptions extends PgSettings {
  migrationsFolder?: string;
  /** Apply pending migrations under the migration lock (default true); else only check compatibility. */
  migrate?: boolean;
  /** Attempts of a write that hits 40001/40P01 (default 6). */
  retryAttempts?: number;
  /** First retry delay; doubles per attempt, full jitter (default 5 ms). */
  retryBaseMs?: number;
  pingIntervalMs?: number;
}

const RETRYABLE = new Set(["40001", "40P01"]);
/** Connection-level failures: the server is gone or unreachable (class 08, 57P0x shutdown, socket errors). */
const UNAVAILABLE =
  /^(08|57P0[1-3])|^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH)$/;

/** The PostgreSQL SQLSTATE (or socket code) of an error, looking through drizzle's DrizzleQueryError. */
export function pgErrorCode(e: unknown): string | undefined {
  for (let cur = e as { code?: unknown; cause?: unknown } | undefined, i = 0; cur && i < 5; i++) {
    if (typeof cur.code === "string") return cur.code;
    cur = cur.cause as typeof cur;
  }
  return undefined;
}

function isConnectionFailure(e: unknown): boolean {
  const code = pgErrorCode(e);
  if (code && UNAVAILABLE.test(code)) return true;
  const msg = String((e as Error)?.message ?? "");
  return /timeout exceeded when trying to connect|Connection terminated|connection lost/i.test(msg);
}

/**
 * The PostgreSQL handle seen through the SQLite-typed `Db` of the query modules. Drizzle's pg dialect
 * builds correct PostgreSQL from the tables of ./schema.ts (same names and columns as ./schema.pg.ts, and the
 * same JavaScript values: `test/postgres/dialect-neutral.test.ts` pins this), so a query module written in
 * `await` style (`await db.select()…`, `(await q.limit(1))[0]`, no `.all() / .get() / .run() / .prepare()`,
 * no SQLite-only SQL) runs unchanged on both backends. This is the one place that cast is made.
 */
export function asDb(db: PgDb | PgTx): Db {
  return db as unknown as Db;
}

/** Locks a pool's row for the rest of the transaction (allocations in one pool serialise here). */
export async function lockPool(tx: PgTx, poolId: number): Promise<boolean> {
  const r = await tx.execute<{ id: number }>(
    sql`SELECT id FROM prefixes WHERE id = ${poolId} AND kind = 'pool' FOR UPDATE`,
  );
  return r.rows.length === 1;
}

export async function openPgStore(options: PgStoreOptions): Promise<PgStore> {
  const dsn = redactUrl(options.url);
  const folder = options.migrationsFolder ?? PG_MIGRATIONS_FOLDER;
  const instanceId = randomUUID();
  const applicationName = `cloudpam:${instanceId}`;
  const pool = new pg.Pool({ ...clientConfig({ ...options, applicationName }), max: options.poolSize ?? 10 });
  // An idle client losing its server must not crash the process; the next checkout reconnects.
  pool.on("error", () => {});

  // Start-up: the first connection is where a bad password or host shows; then migrate (or check).
  let first: pg.PoolClient;
  try {
    first = await pool.connect();
  } catch (e) {
    await pool.end().catch(() => {});
    throw explainConnectError(e, options.url);
  }
  let migrated: number[] = [];
  try {
    if (options.migrate !== false) migrated = await pgMigrateUp(first, folder);
    else await pgAssertCompatible(first, folder);
  } catch (e) {
    first.release();
    await pool.end().catch(() => {});
    throw e;
  }
  first.release();

  const db: PgDb = drizzle({ client: pool, schema });
  const listeners = new Set<(notes: readonly unknown[]) => void>();
  const fire = (notes: readonly unknown[] = []) => {
    for (const l of listeners) l(notes);
  };
  let closed = false;
  let healthy = true;

  // LISTEN on a dedicated connection; reconnects with backoff while the server is away.
  let listener: pg.Client | undefined;
  let listenRetry: NodeJS.Timeout | undefined;
  const listen = async (attempt = 0): Promise<void> => {
    if (closed) return;
    const c = new pg.Client(clientConfig(options));
    c.on("error", () => {});
    c.on("end", () => {
      if (listener === c) listener = undefined;
      if (!closed) listenRetry = setTimeout(() => void listen(1), 500).unref();
    });
    c.on("notification", (n) => {
      if (n.channel === COMMIT_CHANNEL && n.payload !== applicationName) fire([]);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${COMMIT_CHANNEL}`);
      listener = c;
      // A reconnect may have missed notifications: wake everyone once to catch up.
      if (attempt > 0) fire([]);
    } catch {
      await c.end().catch(() => {});
    }
  };
  await listen();

  let pinging = false;
  const ping = async () => {
    if (pinging) return;
    pinging = true;
    try {
      await pool.query("SELECT 1 FROM schema_info WHERE id = 1");
      healthy = true;
    } catch {
      healthy = false;
    } finally {
      pinging = false;
    }
  };
  const pinger = setInterval(() => void ping(), options.pingIntervalMs ?? 1000);
  pinger.unref();

  // The write gate (see the module comment): at most `slots` write transactions hold a connection.
  const slots = Math.max(1, (options.poolSize ?? 10) - 2);
  let writing = 0;
  const gate: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  const enter = (): Promise<void> => {
    if (writing < slots) {
      writing++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => gate.push({ resolve, reject }));
  };
  const leave = () => {
    const next = gate.shift();
    if (next) next.resolve();
    else writing--;
  };
  const rejectWaiting = (e: unknown) => {
    for (const w of gate.splice(0)) w.reject(e);
  };

  const attempts = options.retryAttempts ?? 6;
  const base = options.retryBaseMs ?? 5;
  const unavailable = (e: unknown) => {
    healthy = false;
    return new DatabaseUnavailableError(
      `the database is unavailable (${pgErrorCode(e) ?? (e as Error).message})`,
      pgErrorCode(e),
    );
  };

  return {
    dsn,
    instanceId,
    pool,
    migrated,
    async read(fn) {
      if (closed) throw new Error("store is closed");
      try {
        return await fn(db);
      } catch (e) {
        if (isConnectionFailure(e)) throw unavailable(e);
        throw e;
      }
    },
    async write(fn) {
      for (let attempt = 1; ; attempt++) {
        if (closed) throw new Error("store is closed");
        await enter();
        try {
          const [result, notes] = await db.transaction((tx) => collectNotes(asDb(tx), () => fn(tx)));
          fire(notes);
          return result;
        } catch (e) {
          if (isConnectionFailure(e)) {
            const error = unavailable(e);
            rejectWaiting(error);
            throw error;
          }
          if (!RETRYABLE.has(pgErrorCode(e) ?? "") || attempt >= attempts) throw e;
        } finally {
          leave();
        }
        // A retry waits outside the gate (jittered, doubling), then queues again.
        const delay = Math.random() * Math.min(1000, base * 2 ** attempt);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    },
    onCommit(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    ready: () => !closed && healthy,
    async close() {
      if (closed) return;
      closed = true;
      rejectWaiting(new Error("store is closed"));
      clearInterval(pinger);
      clearTimeout(listenRetry);
      await listener?.end().catch(() => {});
      await pool.end().catch(() => {});
    },
  };
}

/**
 * The storage seam (`Store`, ./store.ts) over a PostgreSQL store: the handles are `asDb(db)` / `asDb(tx)`, so
 * domain code and dialect-neutral query modules run unchanged. No `externalVersion`: other replicas' commits
 * are not counted exactly (a NOTIFY arrives after the commit), so caches that need it (API tokens) stay off.
 */
export function pgSeam(pg: PgStore): Store {
  return {
    dsn: pg.dsn,
    read: (fn) => pg.read(async (db) => fn(asDb(db))),
    write: (fn) => pg.write(async (tx) => fn(asDb(tx))),
    onCommit: (listener) => pg.onCommit(listener),
    ready: () => pg.ready(),
    close: () => pg.close(),
  };
}

/** Opens a PostgreSQL store (migrating it under the migration lock) and returns its seam. */
export async function openPgSeam(options: PgStoreOptions): Promise<Store & { pg: PgStore }> {
  const pg = await openPgStore(options);
  return Object.assign(pgSeam(pg), { pg });
}
