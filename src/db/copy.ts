/**
 * `cloudpam copy --from sqlite:<file> --to postgres://…`: moves an existing deployment to PostgreSQL.
 *
 * Copies every row of every table (ids kept: pools, allocations, accounts, events with their ids, tokens,
 * webhooks and their cursors, deliveries, cloud inventory, drift, sync state) into an empty PostgreSQL
 * database in ONE transaction, moves each identity past the highest copied id, then reads every table back
 * inside that transaction and compares row counts and per-table checksums with the source; any difference
 * rolls everything back. A target that already holds data is refused before anything is written.
 *
 * Both sides are read through their drizzle tables (./schema.ts, ./schema.pg.ts), which give identical
 * JavaScript values, so a row's checksum is the same on both sides exactly when the row is.
 */
import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { getTableColumns } from "drizzle-orm";
import { drizzle as drizzleSqlite } from "drizzle-orm/better-sqlite3";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import type { PgTable } from "drizzle-orm/pg-core";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import * as lite from "./schema.js";
import * as pgs from "./schema.pg.js";
import {
  assertCompatible,
  DatabaseStateError,
  listMigrations,
  migrationStatus,
  DEFAULT_MIGRATIONS_FOLDER,
} from "./migrate.js";
import { pgMigrateUp } from "./migrate.pg.js";
import { connectClient, type PgSettings } from "./pg.js";

/** Tables in foreign-key order (parents first); schema_info is the target's own. */
const TABLES = [
  ["scopes", lite.scopes, pgs.scopes],
  ["scope_links", lite.scopeLinks, pgs.scopeLinks],
  ["accounts", lite.accounts, pgs.accounts],
  ["prefixes", lite.prefixes, pgs.prefixes],
  ["free_blocks", lite.freeBlocks, pgs.freeBlocks],
  ["idempotency_keys", lite.idempotencyKeys, pgs.idempotencyKeys],
  ["events", lite.events, pgs.events],
  ["api_tokens", lite.apiTokens, pgs.apiTokens],
  ["webhooks", lite.webhooks, pgs.webhooks],
  ["webhook_deliveries", lite.webhookDeliveries, pgs.webhookDeliveries],
  ["cloud_resources", lite.cloudResources, pgs.cloudResources],
  ["cloud_cidrs", lite.cloudCidrs, pgs.cloudCidrs],
  ["drift_items", lite.driftItems, pgs.driftItems],
  ["sync_state", lite.syncState, pgs.syncState],
  ["change_requests", lite.changeRequests, pgs.changeRequests],
  ["deletions", lite.deletions, pgs.deletions],
] as const satisfies readonly (readonly [string, SQLiteTable, PgTable])[];

export interface CopiedTable {
  table: string;
  rows: number;
  checksum: string;
}

type Row = Record<string, unknown>;

/** Primary-key order of a table's rows (id, or the composite key), as JS values. */
function sortKey(table: string): (r: Row) => string {
  if (table === "free_blocks") return (r) => `${String(r.poolId).padStart(12, "0")}:${r.rangeStart}`;
  if (table === "idempotency_keys") return (r) => String(r.key);
  if (table === "scope_links")
    return (r) => `${String(r.scopeId).padStart(12, "0")}:${String(r.linkedScopeId).padStart(12, "0")}`;
  if (table === "sync_state") return (r) => `${String(r.accountId).padStart(12, "0")}:${r.region}`;
  return (r) => String(r.id).padStart(12, "0");
}

/** sha256 over the rows in key order, each as its column values in schema order. */
export function checksum(table: string, columns: string[], rows: Row[]): string {
  const key = sortKey(table);
  const sorted = [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const h = createHash("sha256");
  for (const r of sorted) h.update(JSON.stringify(columns.map((c) => r[c] ?? null)) + "\n");
  return h.digest("hex");
}

/** Prefixes with every parent before its children (parent ids need not be smaller than child ids). */
function parentsFirst(rows: Row[]): Row[] {
  const byId = new Map(rows.map((r) => [r.id as number, r]));
  const out: Row[] = [];
  const placed = new Set<number>();
  const place = (r: Row, depth = 0) => {
    const id = r.id as number;
    if (placed.has(id)) return;
    if (depth > rows.length) throw new DatabaseStateError(`prefix ${id} is its own ancestor`);
    const parent = r.parentId == null ? undefined : byId.get(r.parentId as number);
    if (parent) place(parent, depth + 1);
    placed.add(id);
    out.push(r);
  };
  for (const r of rows) place(r);
  return out;
}

/** `sqlite:./path.db`, `sqlite:///abs/path.db` or a bare path. */
export function sqlitePath(from: string): string {
  const path = from.replace(/^sqlite:(\/\/)?/, "");
  if (!path) throw new DatabaseStateError("--from needs a SQLite file: sqlite:./data/cloudpam.db");
  return path;
}

export async function copySqliteToPostgres(
  from: string,
  to: PgSettings,
  log: (line: string) => void = () => {},
): Promise<CopiedTable[]> {
  const path = sqlitePath(from);
  if (!existsSync(path)) throw new DatabaseStateError(`--from: no SQLite file at ${path}`);
  const conn = new Database(path, { readonly: true, fileMustExist: true });
  const client = await connectClient(to).catch((e: unknown) => {
    conn.close();
    throw e;
  });
  try {
    assertCompatible(conn, DEFAULT_MIGRATIONS_FOLDER);
    const status = migrationStatus(conn, DEFAULT_MIGRATIONS_FOLDER);
    if (status.pending > 0 || status.schemaVersion !== listMigrations(DEFAULT_MIGRATIONS_FOLDER).length) {
      throw new DatabaseStateError(
        `the SQLite database is at schema version ${status.schemaVersion} with ${status.pending} pending; run \`cloudpam migrate up\` on it first`,
      );
    }
    // A table this build does not copy would be lost silently: refuse instead (a new table is added to TABLES).
    const known = new Set<string>(["schema_info", ...TABLES.map(([name]) => name)]);
    const unknown = (
      conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
    )
      .map((r) => r.name)
      .filter((n) => !n.startsWith("sqlite_") && n !== "__drizzle_migrations" && !known.has(n));
    if (unknown.length > 0) {
      throw new DatabaseStateError(
        `cloudpam copy does not know the table(s) ${unknown.join(", ")}; nothing copied`,
      );
    }
    await pgMigrateUp(client);
    const source = drizzleSqlite({ client: conn });
    const target = drizzlePg({ client });
    await client.query("BEGIN");
    try {
      // Empty means: nothing but the default scope that migrating an empty database creates.
      for (const [name] of TABLES) {
        const { rows } = await client.query<{ n: number }>(
          name === "scopes"
            ? "SELECT count(*) FILTER (WHERE NOT (is_default AND name = 'default' AND description = 'Default address space'))::int AS n FROM scopes"
            : `SELECT count(*)::int AS n FROM ${name}`,
        );
        if (rows[0]!.n > 0) {
          throw new DatabaseStateError(
            `refusing to copy into a PostgreSQL database that already holds data (table ${name} has ${rows[0]!.n} rows)`,
          );
        }
      }
      await client.query("DELETE FROM scopes");
      const copied: CopiedTable[] = [];
      for (const [name, liteTable, pgTable] of TABLES) {
        const columns = Object.keys(getTableColumns(liteTable));
        let rows = source.select().from(liteTable).all() as Row[];
        if (name === "prefixes") rows = parentsFirst(rows);
        const batch = Math.max(1, Math.floor(30_000 / columns.length));
        for (let i = 0; i < rows.length; i += batch) {
          await target.insert(pgTable).values(rows.slice(i, i + batch) as never);
        }
        if ("id" in getTableColumns(pgTable)) {
          await client.query(
            `SELECT setval(pg_get_serial_sequence('${name}', 'id'), GREATEST(COALESCE((SELECT max(id) FROM ${name}), 0), 1), (SELECT count(*) > 0 FROM ${name}))`,
          );
        }
        const back = (await target.select().from(pgTable)) as Row[];
        const expected = checksum(name, columns, rows);
        const actual = checksum(name, columns, back);
        if (back.length !== rows.length || actual !== expected) {
          throw new DatabaseStateError(
            `verification failed for ${name}: ${rows.length} rows / ${expected.slice(0, 12)} in SQLite, ${back.length} rows / ${actual.slice(0, 12)} in PostgreSQL`,
          );
        }
        copied.push({ table: name, rows: rows.length, checksum: expected });
        log(
          `${name.padEnd(20)} ${String(rows.length).padStart(9)} rows  sha256 ${expected.slice(0, 16)}  verified`,
        );
      }
      await client.query("COMMIT");
      return copied;
    } catch (e) {
      await client.query("ROLLBACK").catch(() => {});
      throw e;
    }
  } finally {
    conn.close();
    await client.end().catch(() => {});
  }
}
