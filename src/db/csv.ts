/**
 * CSV export cursors and the look-ups of CSV import.
 *
 * An export streams from a SQL cursor (better-sqlite3 `.iterate()`) on a connection of its own: an
 * open iterator keeps its connection busy, so it must not be the shared reader. The connection is
 * read-only and its read transaction is one snapshot of the database for the whole file. Rows are
 * pulled one at a time as the HTTP response drains; nothing holds the whole result.
 */
import Database from "better-sqlite3";
import { and, asc, desc, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import { type Prefix } from "../allocator/index.js";
import {
  accountFilterWhere,
  parentPool,
  prefixFilterWhere,
  type AccountColumnsFilter,
  type PrefixRowFilter,
} from "./analytics.js";
import { equalsWhere, isLive, type PrefixRow } from "./prefixes.js";
import { accounts, prefixes, scopes } from "./schema.js";
import type { Db, Store } from "./store.js";

/** An open export: column names, then rows of raw SQL values in that order. */
export interface RowCursor {
  columns: string[];
  rows: Generator<unknown[], void, undefined>;
}

interface BuiltQuery {
  toSQL(): { sql: string; params: unknown[] };
}

/**
 * Iterates a query on its own read-only connection; the connection closes when the generator ends or
 * is returned early (client went away). An in-memory database has no second connection: its rows are
 * read through the store's connection in one go (in-memory databases are for tests and are small).
 */
function iterate(store: Store, db: Db, query: BuiltQuery): Generator<unknown[], void, undefined> {
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
    parent: parentPool.cidr,
    parentName: parentPool.name,
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
    pool: parentPool.cidr,
    poolName: parentPool.name,
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
    .leftJoin(parentPool, eq(parentPool.id, prefixes.parentId))
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
export function livePoolByPrefix(db: Db, scopeId: number, p: Prefix): PrefixRow | undefined {
  return db
    .select()
    .from(prefixes)
    .where(and(eq(prefixes.scopeId, scopeId), eq(prefixes.kind, "pool"), equalsWhere(p), isLive))
    .get();
}

/** Live pools of a scope with this name (names need not be unique; at most 2 are returned). */
export function livePoolsNamed(db: Db, scopeId: number, name: string): PrefixRow[] {
  return db
    .select()
    .from(prefixes)
    .where(and(eq(prefixes.scopeId, scopeId), eq(prefixes.kind, "pool"), eq(prefixes.name, name), isLive))
    .limit(2)
    .all();
}
