/**
 * The storage seam. Domain functions receive a `Db` handle from `store.read(...)` or
 * `store.write(...)` and never see better-sqlite3 itself.
 *
 * SQLite adapter:
 * - one writer connection; write transactions are serialised in-process by an async mutex and
 *   run as `BEGIN IMMEDIATE … COMMIT` (rollback on throw), so several processes on one file are
 *   safe as well (busy_timeout waits for the other process's lock);
 * - one reader connection (WAL): reads never see another request's uncommitted writes;
 * - listeners registered with `onCommit` run after every committed write (the event hub uses it).
 * Nothing inside a write transaction may await the network.
 *
 * The PostgreSQL adapter (`openPgSeam` in ./store.pg.ts) implements the same `Store`; its handles are the
 * drizzle pg database / transaction seen as `Db` (`asDb`), so dialect-neutral query modules run on both.
 */
import Database from "better-sqlite3";
import { sql } from "drizzle-orm";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { mkdirSync, existsSync } from "node:fs";
import { dirname } from "node:path";
import * as schema from "./schema.js";
import { isPg, pgHandle } from "./dialect.js";
import { assertCompatible, migrateUp, DEFAULT_MIGRATIONS_FOLDER } from "./migrate.js";
import { withSpan } from "../tracing.js";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

export interface Store {
  /** Runs `fn` against committed data. */
  read<T>(fn: (db: Db) => T | Promise<T>): Promise<T>;
  /** Runs `fn` in one write transaction: all of it commits, or none of it. */
  write<T>(fn: (db: Db) => T | Promise<T>): Promise<T>;
  /**
   * Registers a listener called after each commit with the transaction's notes (see `noteCommit`: the event
   * rows it appended, in order); returns the unsubscribe function. Never called for a rollback.
   */
  onCommit(listener: (notes: readonly unknown[]) => void): () => void;
  /**
   * A number that changes whenever another connection (another process: the CLI, a second server) has
   * committed to the database since the last call; this store's own commits do not change it. Lets an
   * in-memory cache of rows that other processes may change (API tokens) stay exact. Absent: unknown, so
   * such caches must not be used.
   */
  externalVersion?(): number;
  /**
   * Whether the database answers and its schema is current. SQLite: a probe on the reader; PostgreSQL: the
   * last background ping (and the last statement) answered.
   */
  ready(): boolean;
  /** SQLite: checkpoints the WAL and closes both connections (synchronously); PostgreSQL: ends the pool. */
  close(): Promise<void>;
  /** The SQLite file, or DATABASE_URL with its password redacted. */
  readonly dsn: string;
}

export interface OpenOptions {
  dsn: string;
  migrationsFolder?: string;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  busyTimeoutMs?: number;
  /** Called with the SQL of every statement run on either connection (better-sqlite3 `verbose`); for tests. */
  onStatement?: (sql: string) => void;
}

/** Pragmas every connection gets. */
function configure(conn: Database.Database, busyTimeoutMs: number): void {
  conn.pragma(`busy_timeout = ${busyTimeoutMs}`);
  conn.pragma("foreign_keys = ON");
  conn.pragma("synchronous = NORMAL");
}

/**
 * Checks an existing file read-only before anything writes to it, so that a foreign or too-new
 * database is refused with the file unchanged.
 */
function checkExisting(dsn: string, folder: string): void {
  if (dsn === ":memory:" || !existsSync(dsn)) return;
  let conn: Database.Database | undefined;
  try {
    conn = new Database(dsn, { readonly: true, fileMustExist: true });
    assertCompatible(conn, folder);
  } finally {
    conn?.close();
  }
}

/** Opens a SQLite connection (creating the file and its folder), with WAL and our pragmas. */
export function openConnection(
  dsn: string,
  busyTimeoutMs = 5000,
  onStatement?: (sql: string) => void,
): Database.Database {
  if (dsn !== ":memory:") mkdirSync(dirname(dsn), { recursive: true });
  const conn = new Database(dsn, onStatement ? { verbose: (sql) => onStatement(String(sql)) } : {});
  if (dsn !== ":memory:") conn.pragma("journal_mode = WAL");
  configure(conn, busyTimeoutMs);
  cacheStatements(conn);
  return conn;
}

/**
 * The writer connection of `cloudpam migrate`. An existing file gets a read-only probe first, so a foreign
 * or garbage file is refused before anything is written to it.
 */
export function openForMigrate(dsn: string): Database.Database {
  if (dsn !== ":memory:" && existsSync(dsn)) {
    const probe = new Database(dsn, { readonly: true, fileMustExist: true });
    try {
      probe.prepare("SELECT name FROM sqlite_master LIMIT 1").all();
    } finally {
      probe.close();
    }
  }
  return openConnection(dsn);
}

/**
 * Reuses prepared statements by SQL text. Drizzle prepares every query it runs; its SQL text is the same
 * for every call of the same query shape (values are bound separately), so caching `prepare` saves the
 * SQLite compile on every hot-path query (an allocation runs about a dozen). Bounded; oldest out first.
 */
function cacheStatements(conn: Database.Database, max = 1000): void {
  const prepare = conn.prepare.bind(conn);
  const cache = new Map<string, Database.Statement>();
  conn.prepare = ((source: string) => {
    const cached = cache.get(source);
    // A statement still being iterated cannot run again; such a caller gets a fresh one.
    if (cached && !cached.busy) {
      // Drizzle switches raw mode per call (values() uses raw rows): start every reuse in the default mode.
      if (cached.reader) cached.raw(false);
      return cached;
    }
    const stmt = prepare(source);
    if (!cached) {
      if (cache.size >= max) cache.delete(cache.keys().next().value!);
      cache.set(source, stmt);
    }
    return stmt;
  }) as typeof conn.prepare;
}

/** What the open write transaction of each handle noted for its commit listeners. */
const transactionNotes = new WeakMap<Db, unknown[]>();

/**
 * Notes `value` for the commit listeners of the write transaction `db` belongs to (appendEvent notes the event
 * rows it inserted, so that the event hub need not read them back). Dropped if the transaction, or the
 * savepoint of a nested store it was noted in, rolls back. Outside a write transaction it does nothing.
 */
export function noteCommit(db: Db, value: unknown): void {
  transactionNotes.get(db)?.push(value);
}

/**
 * For a store adapter: runs one attempt of a write transaction's body with `db` collecting the notes of
 * `noteCommit`, and returns them with the result (the adapter hands them to its commit listeners after the
 * commit). The notes of a failed attempt are dropped with it.
 */
export async function collectNotes<T>(db: Db, fn: (db: Db) => T | Promise<T>): Promise<[T, unknown[]]> {
  const notes: unknown[] = [];
  transactionNotes.set(db, notes);
  try {
    return [await fn(db), notes];
  } finally {
    transactionNotes.delete(db);
  }
}

/** A promise-chain mutex: one holder at a time, in arrival order. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/**
 * BEGIN IMMEDIATE, retried a few times with jitter when another process held the write lock for longer
 * than busy_timeout (SQLITE_BUSY), so a burst against a shared file waits instead of failing.
 */
async function beginImmediate(conn: Database.Database, attempts = 6): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      conn.exec("BEGIN IMMEDIATE");
      return;
    } catch (e) {
      if ((e as { code?: string }).code !== "SQLITE_BUSY" || attempt >= attempts) throw e;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * 2 ** attempt));
    }
  }
}

export function openStore(options: OpenOptions): Store {
  const folder = options.migrationsFolder ?? DEFAULT_MIGRATIONS_FOLDER;
  const busy = options.busyTimeoutMs ?? 5000;
  checkExisting(options.dsn, folder);
  const writer = openConnection(options.dsn, busy, options.onStatement);
  try {
    if (options.migrate !== false) migrateUp(writer, folder);
    else assertCompatible(writer, folder);
  } catch (e) {
    writer.close();
    throw e;
  }
  const reader = options.dsn === ":memory:" ? writer : openConnection(options.dsn, busy, options.onStatement);
  if (reader !== writer) reader.pragma("query_only = ON");
  const writeDb = drizzle({ client: writer, schema });
  const readDb = reader === writer ? writeDb : drizzle({ client: reader, schema });
  const mutex = new Mutex();
  const listeners = new Set<(notes: readonly unknown[]) => void>();
  const dataVersion = writer.prepare("PRAGMA data_version").pluck();
  let closed = false;

  return {
    dsn: options.dsn,
    async read(fn) {
      return fn(readDb);
    },
    write(fn) {
      return mutex.run(() =>
        withSpan(
          "db.transaction",
          { "db.system.name": "sqlite", "db.operation.name": "BEGIN IMMEDIATE" },
          async () => {
            if (closed) throw new Error("store is closed");
            await beginImmediate(writer);
            let result;
            const notes: unknown[] = [];
            transactionNotes.set(writeDb, notes);
            try {
              result = await fn(writeDb);
              writer.exec("COMMIT");
            } catch (e) {
              if (writer.inTransaction) writer.exec("ROLLBACK");
              throw e;
            } finally {
              transactionNotes.delete(writeDb);
            }
            for (const l of listeners) l(notes);
            return result;
          },
        ),
      );
    },
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    // SQLite's data_version on the writer: it moves only for commits made through other connections.
    externalVersion() {
      return dataVersion.get() as number;
    },
    ready() {
      if (closed) return false;
      try {
        reader.prepare("SELECT 1 FROM schema_info WHERE id = 1").get();
        return true;
      } catch {
        return false;
      }
    },
    // Synchronous underneath: the connections are closed when this returns (callers may delete the file).
    async close() {
      if (closed) return;
      closed = true;
      if (options.dsn !== ":memory:") {
        try {
          writer.pragma("wal_checkpoint(TRUNCATE)");
        } catch {
          /* another process may hold the database; the WAL stays consistent either way */
        }
      }
      if (reader !== writer) reader.close();
      writer.close();
    },
  };
}

/** Savepoint names of nested stores (unique per process). */
let savepointSeq = 0;

/**
 * A Store for code already inside `parent.write(db => …)`: its writes are SAVEPOINTs of that one
 * transaction (a failing inner write rolls back to its savepoint only) and its reads see the
 * transaction's own changes. Lets a bulk operation (CSV import) run the ordinary domain functions,
 * which open their own `store.write`, all-or-nothing in one outer transaction.
 */
export function nestedStore(db: Db, parent: Store): Store {
  const exec = isPg(db)
    ? async (statement: string) => {
        await pgHandle(db).execute(sql.raw(statement));
      }
    : async (statement: string) => {
        db.$client.exec(statement);
      };
  return {
    dsn: parent.dsn,
    async read(fn) {
      return fn(db);
    },
    async write(fn) {
      const notes = transactionNotes.get(db);
      const noted = notes?.length ?? 0;
      // The same handle inside (on PostgreSQL too: the savepoint is on the transaction's connection). Names are
      // unique per process, not per nesting depth: nested stores opened on the same handle inside one another
      // (an approval's savepoint, then the operation's) must never share a name, or ROLLBACK TO goes to the
      // inner savepoint and keeps what the outer one had to undo (drizzle's nested transactions name theirs
      // sp1, sp2… by their handle's depth, hence not those).
      const name = `nested_${++savepointSeq}`;
      await exec(`SAVEPOINT ${name}`);
      try {
        const result = await fn(db);
        await exec(`RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (e) {
        notes?.splice(noted);
        try {
          await exec(`ROLLBACK TO SAVEPOINT ${name}`);
          await exec(`RELEASE SAVEPOINT ${name}`);
        } catch {
          /* the transaction itself is lost (its connection failed): the outer write fails with it */
        }
        throw e;
      }
    },
    onCommit: (listener) => parent.onCommit(listener),
    ...(parent.externalVersion ? { externalVersion: () => parent.externalVersion!() } : {}),
    ready: () => parent.ready(),
    close() {
      return Promise.reject(new Error("a nested store is closed by its parent"));
    },
  };
}
