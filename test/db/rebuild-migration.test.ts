/**
 * drizzle-kit rewrites a table (create __new_x, copy, drop x, rename) when a column changes, and
 * emits `PRAGMA foreign_keys=OFF`, which is a no-op inside a transaction: with foreign keys on,
 * `DROP TABLE` cascades into child rows. Our runner must keep every row.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate as drizzleMigrate } from "drizzle-orm/better-sqlite3/migrator";
import { migrateUp, DatabaseStateError } from "../../src/db/migrate.js";
import { openConnection } from "../../src/db/store.js";

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "cloudpam-rebuild-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const BREAK = "--> statement-breakpoint";
const initial = [
  "CREATE TABLE `schema_info` (`id` integer PRIMARY KEY NOT NULL, `schema_version` integer NOT NULL, `min_supported_schema` integer NOT NULL, `app_version` text NOT NULL, `applied_at` text NOT NULL);",
  "CREATE TABLE `pools` (`id` integer PRIMARY KEY NOT NULL, `name` text NOT NULL, `cidr` text NOT NULL);",
  "CREATE TABLE `allocations` (`id` integer PRIMARY KEY NOT NULL, `pool_id` integer NOT NULL REFERENCES `pools`(`id`) ON DELETE cascade, `cidr` text NOT NULL);",
].join(`\n${BREAK}\n`);
// Exactly the shape drizzle-kit generates for "change pools.name to nullable + add a default".
const rebuild = [
  "PRAGMA foreign_keys=OFF;",
  "CREATE TABLE `__new_pools` (`id` integer PRIMARY KEY NOT NULL, `name` text DEFAULT 'unnamed', `cidr` text NOT NULL);",
  'INSERT INTO `__new_pools`("id", "name", "cidr") SELECT "id", "name", "cidr" FROM `pools`;',
  "DROP TABLE `pools`;",
  "ALTER TABLE `__new_pools` RENAME TO `pools`;",
  "PRAGMA foreign_keys=ON;",
].join(`\n${BREAK}\n`);

function writeMigrations(folder: string, files: { tag: string; sql: string }[]) {
  mkdirSync(join(folder, "meta"), { recursive: true });
  files.forEach((f) => writeFileSync(join(folder, `${f.tag}.sql`), f.sql));
  const entries = files.map((f, idx) => ({
    idx,
    version: "6",
    when: 1_700_000_000_000 + idx,
    tag: f.tag,
    breakpoints: true,
  }));
  writeFileSync(
    join(folder, "meta", "_journal.json"),
    JSON.stringify({ version: "7", dialect: "sqlite", entries }),
  );
}

function seeded(dbPath: string, folder: string) {
  writeMigrations(folder, [{ tag: "0000_initial", sql: initial }]);
  const conn = openConnection(dbPath);
  migrateUp(conn, folder);
  conn.exec(
    "INSERT INTO pools (id, name, cidr) VALUES (1, 'prod', '10.0.0.0/8'), (2, 'dev', '172.16.0.0/12')",
  );
  const insert = conn.prepare("INSERT INTO allocations (pool_id, cidr) VALUES (?, ?)");
  for (let i = 0; i < 250; i++) insert.run(i % 2 ? 1 : 2, `10.${i}.0.0/16`);
  writeMigrations(folder, [
    { tag: "0000_initial", sql: initial },
    { tag: "0001_rebuild_pools", sql: rebuild },
  ]);
  return conn;
}

describe("table-rebuild migrations", () => {
  it("keep every child row and leave no broken foreign key", () => {
    const folder = join(dir, "migrations");
    const conn = seeded(join(dir, "a.db"), folder);
    expect(migrateUp(conn, folder)).toEqual([2]);
    expect(conn.prepare("SELECT count(*) AS n FROM allocations").get()).toEqual({ n: 250 });
    expect(conn.prepare("SELECT count(*) AS n FROM pools").get()).toEqual({ n: 2 });
    expect(conn.pragma("foreign_key_check")).toEqual([]);
    expect(conn.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(
      conn.prepare("SELECT dflt_value FROM pragma_table_info('pools') WHERE name = 'name'").get(),
    ).toEqual({
      dflt_value: "'unnamed'",
    });
    conn.close();
  });

  it("would lose the child rows under drizzle's own migrator (the trap this guards against)", () => {
    const folder = join(dir, "migrations");
    const conn = seeded(join(dir, "b.db"), folder);
    drizzleMigrate(drizzle({ client: conn }), { migrationsFolder: folder });
    expect(conn.prepare("SELECT count(*) AS n FROM allocations").get()).toEqual({ n: 0 });
    conn.close();
  });

  it("rolls back a migration that leaves dangling foreign keys", () => {
    const folder = join(dir, "migrations");
    const conn = seeded(join(dir, "c.db"), folder);
    writeMigrations(folder, [
      { tag: "0000_initial", sql: initial },
      { tag: "0001_bad", sql: "DELETE FROM pools WHERE id = 1;" },
    ]);
    expect(() => migrateUp(conn, folder)).toThrow(DatabaseStateError);
    expect(conn.prepare("SELECT count(*) AS n FROM pools").get()).toEqual({ n: 2 });
    expect(conn.prepare("SELECT count(*) AS n FROM __drizzle_migrations").get()).toEqual({ n: 1 });
    conn.close();
  });
});
