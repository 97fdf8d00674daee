/**
 * Online backup and restore of the SQLite database (`cloudpam backup|restore`, issue #17).
 * Backup uses SQLite's online backup API (better-sqlite3 `db.backup`) while the server keeps writing: the copy is
 * taken in one backup step, under one read snapshot (WAL mode: writers are not blocked), so it holds exactly the
 * transactions committed before that step. It is written to `<file>.partial`, verified (`integrity_check`, a
 * CloudPAM schema this build can run) and only then renamed to `<file>`.
 * Restore verifies the backup the same way and copies it into the target with the backup API again; it refuses
 * to overwrite an existing database unless forced, and then first saves that database beside it.
 */
import Database from "better-sqlite3";
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DatabaseStateError, assertCompatible, migrationStatus } from "./migrate.js";

/** One backup step copies every page (better-sqlite3 clamps the step size to 0x7fffffff). */
const ALL_PAGES = 0x7fffffff;

export class BackupUsageError extends Error {}

export interface DatabaseSummary {
  file: string;
  bytes: number;
  integrity: "ok";
  schemaVersion: number;
  codeSchemaVersion: number;
  counts: Record<string, number>;
}

export interface BackupResult extends DatabaseSummary {
  source: string;
  pages: number;
  durationMs: number;
}

export interface RestoreResult extends DatabaseSummary {
  from: string;
  /** Where the database that was overwritten was saved (with force), else null. */
  previous: string | null;
  durationMs: number;
}

const COUNT_QUERIES: [string, string][] = [
  ["scopes", "SELECT count(*) FROM scopes"],
  ["accounts", "SELECT count(*) FROM accounts"],
  ["pools", "SELECT count(*) FROM prefixes WHERE kind = 'pool'"],
  ["allocations", "SELECT count(*) FROM prefixes WHERE kind = 'allocation' AND released_at IS NULL"],
  ["reservations", "SELECT count(*) FROM prefixes WHERE kind = 'reservation' AND released_at IS NULL"],
  ["events", "SELECT count(*) FROM events"],
  ["api_tokens", "SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL"],
  ["webhooks", "SELECT count(*) FROM webhooks"],
];

/**
 * Opens `file` read-only and checks it is a sound CloudPAM database this build can run:
 * `PRAGMA integrity_check` is "ok", it has CloudPAM's schema_info, and its schema is not newer than this build.
 */
export function verifyDatabase(file: string): DatabaseSummary {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new DatabaseStateError(`cannot open ${file}: ${(e as Error).message}`);
  }
  try {
    assertCompatible(db);
    const hasInfo = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_info'")
      .get();
    if (!hasInfo) throw new DatabaseStateError(`${file} is not a CloudPAM database (no schema_info)`);
    const problems = (db.pragma("integrity_check") as { integrity_check: string }[]).map(
      (r) => r.integrity_check,
    );
    if (problems.join() !== "ok") {
      throw new DatabaseStateError(`integrity_check failed on ${file}: ${problems.slice(0, 3).join("; ")}`);
    }
    const status = migrationStatus(db);
    const counts: Record<string, number> = {};
    for (const [name, sql] of COUNT_QUERIES) counts[name] = Number(db.prepare(sql).pluck().get());
    return {
      file,
      bytes: statSync(file).size,
      integrity: "ok",
      schemaVersion: status.schemaVersion,
      codeSchemaVersion: status.codeSchemaVersion,
      counts,
    };
  } finally {
    db.close();
  }
}

/** Copies the whole database behind `source` (an open connection) into `target` in one backup step. */
async function copyDatabase(source: Database.Database, target: string): Promise<number> {
  const result = await source.backup(target, { progress: () => ALL_PAGES });
  return result.totalPages;
}

function removeDatabaseFiles(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) rmSync(f, { force: true });
}

/** `cloudpam backup <file>`: a verified online copy of the database at `sourceDsn`. */
export async function backupDatabase(
  sourceDsn: string,
  file: string,
  opts: { force?: boolean; busyTimeoutMs?: number } = {},
): Promise<BackupResult> {
  const started = performance.now();
  if (sourceDsn === ":memory:") throw new BackupUsageError("cannot back up an in-memory database");
  if (!existsSync(sourceDsn)) throw new BackupUsageError(`no database at ${sourceDsn}`);
  const target = resolve(file);
  if (target === resolve(sourceDsn)) throw new BackupUsageError("the backup file is the database itself");
  if (existsSync(target) && !opts.force) {
    throw new BackupUsageError(`${file} exists; choose a new file or pass --force to overwrite it`);
  }
  if (!existsSync(dirname(target))) throw new BackupUsageError(`directory ${dirname(file)} does not exist`);
  const partial = `${target}.partial`;
  removeDatabaseFiles(partial);
  // A normal (not read-only) connection: reading a WAL database needs its -shm index; nothing is written.
  const source = new Database(sourceDsn, { fileMustExist: true });
  let pages: number;
  try {
    source.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    source.pragma("query_only = ON");
    assertCompatible(source);
    pages = await copyDatabase(source, partial);
  } finally {
    source.close();
  }
  try {
    // The copy is a self-contained rollback-journal file (no -wal beside it), ready to be copied anywhere.
    const copy = new Database(partial);
    try {
      copy.pragma("journal_mode = DELETE");
    } finally {
      copy.close();
    }
    const summary = verifyDatabase(partial);
    removeDatabaseFiles(target);
    renameSync(partial, target);
    return {
      ...summary,
      file: target,
      source: sourceDsn,
      pages,
      durationMs: Math.round(performance.now() - started),
    };
  } catch (e) {
    removeDatabaseFiles(partial);
    throw e;
  }
}

function hasTables(file: string): boolean {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' LIMIT 1").get();
  } catch {
    return true; // unreadable: treat as existing data, never overwrite silently
  } finally {
    db.close();
  }
}

/** `cloudpam restore <file>`: puts a verified backup in place of the database at `targetDsn`. */
export async function restoreDatabase(
  file: string,
  targetDsn: string,
  opts: { force?: boolean; busyTimeoutMs?: number } = {},
): Promise<RestoreResult> {
  const started = performance.now();
  if (targetDsn === ":memory:") throw new BackupUsageError("cannot restore into an in-memory database");
  if (!existsSync(file)) throw new BackupUsageError(`no backup file at ${file}`);
  verifyDatabase(file); // refuses a damaged, foreign or too-new backup before anything is touched
  const exists = existsSync(targetDsn) && statSync(targetDsn).size > 0 && hasTables(targetDsn);
  if (exists && !opts.force) {
    throw new BackupUsageError(
      `${targetDsn} already holds a database; stop the server and pass --force to replace it (it is saved first)`,
    );
  }
  mkdirSync(dirname(resolve(targetDsn)), { recursive: true });
  let previous: string | null = null;
  if (exists) {
    previous = `${targetDsn}.before-restore-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    const old = new Database(targetDsn, { fileMustExist: true });
    try {
      old.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
      await copyDatabase(old, previous);
    } finally {
      old.close();
    }
  }
  const backup = new Database(file, { readonly: true, fileMustExist: true });
  try {
    // The backup API writes into the target under SQLite's locks (it waits for, and excludes, a writer).
    await copyDatabase(backup, targetDsn);
  } finally {
    backup.close();
  }
  const target = new Database(targetDsn);
  try {
    target.pragma("journal_mode = WAL");
  } finally {
    target.close();
  }
  return {
    ...verifyDatabase(targetDsn),
    from: file,
    previous,
    durationMs: Math.round(performance.now() - started),
  };
}

export function formatSummary(r: DatabaseSummary): string[] {
  return [
    `integrity_check: ${r.integrity}`,
    `schema version:  ${r.schemaVersion} (this build: ${r.codeSchemaVersion})`,
    `counts:          ${Object.entries(r.counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  ];
}
