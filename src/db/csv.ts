/**
 * CSV export cursors and the look-ups of CSV import.
 *
 * An export streams from a SQL cursor on a connection of its own, in one snapshot of the database for the
 * whole file; rows are pulled as the HTTP response drains and nothing holds the whole result.
 * - SQLite: better-sqlite3 `.iterate()` on a read-only connection (an open iterator keeps its connection
 *   busy, so it must not be the shared reader); its read transaction is the snapshot. `rows` is a generator.
 * - PostgreSQL: a connection checked out of the pool for the export, one `REPEATABLE READ READ ONLY`
 *   transaction (the snapshot), a server-side cursor (`DECLARE … NO SCROLL CURSOR`) over the same query, read in
 *   `FETCH`es of EXPORT_FETCH_ROWS. `rows` is an async generator; it commits and returns the connection when
 *   drained or returned early (client went away), and discards the connection if it failed.
 * The queries are the same drizzle builders on both (the analytics filters, `parentPoolJoin`).
 */
import Database from "better-sqlite3";
import type pg from "pg";
import { and, asc, desc, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import { type Prefix } from "../allocator/index.js";
import {
  accountFilterWhere,
  parentPool,
  parentPoolJoin,
  prefixFilterWhere,
  type AccountColumnsFilter,
  type PrefixRowFilter,
} from "./analytics.js";
import { isPg } from "./dialect.js";
import { equalsWhere, isLive, type PrefixRow } from "./prefixes.js";
import { accounts, prefixes, scopes } from "./schema.js";
import type { Db, Store } from "./store.js";

/** Rows of raw SQL values: a generator on SQLite, an async one on PostgreSQL. */
export type Rows = Generator<unknown[], void, undefined> | AsyncGenerator<unknown[], void, undefined>;

/** An open export: column names, then rows of raw SQL values in that order. */
export interface RowCursor {
  columns: string[];
  rows: Rows;
}

/** Rows per FETCH of a PostgreSQL export (one round trip each). */
export const EXPORT_FETCH_ROWS = 1000;

interface BuiltQuery {
  toSQL(): { sql: string; params: unknown[] };
}

/**
 * Iterates a query on its own read-only connection; the connection closes when the generator ends or
 * is returned early (client went away). An in-memory database has no second connection: its rows are
 * read through the store's connection in one go (in-memory databases are for tests and are small).
 */
function iterate(store: Store, db: Db, query: BuiltQuery): Rows {
  if (isPg(db)) return iteratePg(db, query);
  const { sql: text, params } = query.toSQL();
  if (store.dsn === ":memory:") {
    const rows = db.$client
      .prepare(text)
      .raw()
      .all(...(params as unknown[])) as unknown[][];
    return (function* () {
      yield* rows;
    })();
  }
  // Opened on the first row pulled, so a cursor that is never read holds no connection.
  return (function* () {
    const conn = new Database(store.dsn, { readonly: true, fileMustExist: true });
    try {
      conn.pragma("busy_timeout = 5000");
      yield* conn
        .prepare(text)
        .raw()
        .iterate(...(params as unknown[])) as IterableIterator<unknown[]>;
    } finally {
      conn.close();
    }
  })();
}

/**
 * PostgreSQL: the query through a server-side cursor in one read-only REPEATABLE READ transaction on a
 * connection of the pool (checked out on the first row pulled, so a cursor never read holds none).
 */
function iteratePg(db: Db, query: BuiltQuery): AsyncGenerator<unknown[], void, undefined> {
  const { sql: text, params } = query.toSQL();
  // The store's read handle is drizzle over the node-postgres pool (store.pg.ts): `$client` is the pool.
  const pool = (db as unknown as { $client: pg.Pool }).$client;
  return (async function* () {
    const client = await pool.connect();
    let failed: Error | undefined;
    let open = false;
    try {
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      open = true;
      await client.query(`DECLARE csv_export NO SCROLL CURSOR FOR ${text}`, params);
      for (;;) {
        const page = await client.query<unknown[]>({
          text: `FETCH ${EXPORT_FETCH_ROWS} FROM csv_export`,
          rowMode: "array",
        });
        yield* page.rows;
        if (page.rows.length < EXPORT_FETCH_ROWS) break;
      }
    } catch (e) {
      failed = e as Error;
      throw e;
    } finally {
      // Drained, returned early or failed: end the read-only transaction (nothing to keep either way).
      if (open && !failed)
        await client.query("COMMIT").catch((e: Error) => {
          failed = e;
        });
      // A connection that failed is discarded (release(err)), not returned to the pool.
      client.release(failed);
    }
  })();
}

function cursor(store: Store, db: Db, fields: Record<string, SQL | unknown>, query: BuiltQuery): RowCursor {
  return { columns: Object.keys(fields), rows: iterate(store, db, query) };
}

export interface AccountExportFilter extends AccountColumnsFilter {
  accountIds?: readonly number[] | null;
}

/** Accounts in key order. */
export function accountsCursor(store: Store, db: Db, f: AccountExportFilter): RowCursor {
  const fields = {
    key: accounts.key,
    provider: accounts.provider,
    name: accounts.name,
    description: accounts.description,
    platform: accounts.platform,
    tier: accounts.tier,
    environment: accounts.environment,
    regions: accounts.regions,
    settings: accounts.settings,
    reconcilePolicy: accounts.reconcilePolicy,
    createdAt: accounts.createdAt,
    updatedAt: accounts.updatedAt,
  };
  const where = and(
    isNull(accounts.deletedAt),
    f.accountIds?.length ? inArray(accounts.id, [...f.accountIds]) : undefined,
    accountFilterWhere(db, f),
  );
  const q = db.select(fields).from(accounts).where(where).orderBy(asc(accounts.key));
  return cursor(store, db, fields, q);
}

// The parent pool's columns as SQL (not Column objects): drizzle's pg dialect checks that a selected column's
// table is joined, and the pg join of the alias is spelled out (analytics.ts parentPoolJoin).
const parentCidr = sql<string | null>`${parentPool.cidr}`;
const parentName = sql<string | null>`${parentPool.name}`;

const scopeName = sql<string>`(SELECT ${scopes.name} FROM ${scopes} WHERE ${scopes.id} = ${prefixes.scopeId})`;

/**
 * Pools (top-level and nested) in scope then address order, longest range first at equal starts: a
 * parent always precedes its children. Follows the range index; only equal starts are sorted.
 */
export function poolsCursor(store: Store, db: Db, f: PrefixRowFilter): RowCursor {
  const fields = {
    scope: scopeName,
    cidr: prefixes.cidr,
    name: prefixes.name,
    parent: parentCidr,
    parentName: parentName,
    status: prefixes.status,
    account: accounts.key,
    description: prefixes.description,
    tags: prefixes.tags,
    minChildPrefixLength: prefixes.minChildLen,
    maxChildPrefixLength: prefixes.maxChildLen,
    defaultChildPrefixLength: prefixes.defaultChildLen,
    allowedTiers: prefixes.allowedTiers,
    createdAt: prefixes.createdAt,
    updatedAt: prefixes.updatedAt,
  };
  return cursor(
    store,
    db,
    fields,
    prefixQuery(db, fields, { ...f, kinds: ["pool"], childPoolsOnly: false }, "desc"),
  );
}

/**
 * Allocations in scope then address order (then id: a released and a live one may share a range).
 * Allocations do not nest, so this is exactly the range index's order: rows stream without a sort.
 */
export function allocationsCursor(store: Store, db: Db, f: PrefixRowFilter): RowCursor {
  const fields = {
    scope: scopeName,
    cidr: prefixes.cidr,
    pool: parentCidr,
    poolName: parentName,
    account: accounts.key,
    name: prefixes.name,
    description: prefixes.description,
    status: prefixes.status,
    tags: prefixes.tags,
    resourceProvider: prefixes.resourceProvider,
    resourceType: prefixes.resourceType,
    resourceId: prefixes.resourceId,
    resourceRegion: prefixes.resourceRegion,
    createdBy: prefixes.createdBy,
    createdAt: prefixes.createdAt,
    releasedAt: prefixes.releasedAt,
  };
  return cursor(store, db, fields, prefixQuery(db, fields, { ...f, kinds: ["allocation"] }, "asc"));
}

/** Scope, family, start, end (`rangeEnd` direction), id: the (scope_id, family, range_start, range_end) index order. */
function prefixQuery(db: Db, fields: Record<string, unknown>, f: PrefixRowFilter, rangeEnd: "asc" | "desc") {
  return db
    .select(fields as Record<string, SQL>)
    .from(prefixes)
    .leftJoin(accounts, eq(accounts.id, prefixes.accountId))
    .leftJoin(parentPoolJoin(db), eq(parentPool.id, prefixes.parentId))
    .where(prefixFilterWhere(db, { ...f, kindUnindexed: true }))
    .orderBy(
      asc(prefixes.scopeId),
      asc(prefixes.family),
      asc(prefixes.rangeStart),
      rangeEnd === "asc" ? asc(prefixes.rangeEnd) : desc(prefixes.rangeEnd),
      asc(prefixes.id),
    );
}

// ---------------------------------------------------------------------------------------------------
// Import look-ups (inside the import's write transaction, so rows imported earlier are visible).

/** The live pool of a scope with exactly this range. O(log n). */
export async function livePoolByPrefix(db: Db, scopeId: number, p: Prefix): Promise<PrefixRow | undefined> {
  const [row] = await db
    .select()
    .from(prefixes)
    .where(and(eq(prefixes.scopeId, scopeId), eq(prefixes.kind, "pool"), equalsWhere(p), isLive))
    .limit(1);
  return row;
}

/** Live pools of a scope with this name (names need not be unique; at most 2 are returned). */
export async function livePoolsNamed(db: Db, scopeId: number, name: string): Promise<PrefixRow[]> {
  return db
    .select()
    .from(prefixes)
    .where(and(eq(prefixes.scopeId, scopeId), eq(prefixes.kind, "pool"), eq(prefixes.name, name), isLive))
    .limit(2);
}
