import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { cli } from "../helpers/cli.js";

let dir: string;
let db: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cloudpam-migrate-"));
  db = join(dir, "cloudpam.db");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

describe("cloudpam migrate", () => {
  it("status lists every migration as pending on a new database", () => {
    const r = cli(["migrate", "status", "--sqlite-dsn", db]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/schema version:\s+0 \(this build: \d+\)/);
    expect(r.stdout).toMatch(/pending\s+1\s+0000_initial/);
    expect(r.stdout).toMatch(/app version:\s+\d+\.\d+\.\d+/);
  });

  it("up applies pending migrations once, and status then shows them applied", () => {
    const up = cli(["migrate", "up", "--sqlite-dsn", db]);
    expect(up.status).toBe(0);
    expect(up.stdout).toMatch(/applied #1/);
    expect(cli(["migrate", "up", "--sqlite-dsn", db]).stdout).toMatch(/nothing to apply/);
    const st = cli(["migrate", "status", "--sqlite-dsn", db]);
    expect(st.stdout).toMatch(/applied\s+1\s+0000_initial/);
    expect(st.stdout).toMatch(/min supported schema:\s+1/);
    expect(st.stdout).toMatch(/0 pending/);
  });

  it("stamp marks migrations applied without running them", () => {
    const conn = new Database(db);
    conn.exec(
      "CREATE TABLE schema_info (id integer primary key, schema_version integer not null, min_supported_schema integer not null, app_version text not null, applied_at text not null)",
    );
    conn.close();
    const r = cli(["migrate", "stamp", "1", "--sqlite-dsn", db]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("stamped schema version 1");
    const check = new Database(db, { readonly: true });
    expect(check.prepare("SELECT count(*) AS n FROM __drizzle_migrations").get()).toEqual({ n: 1 });
    // Nothing ran: the initial migration's tables do not exist.
    expect(check.prepare("SELECT name FROM sqlite_master WHERE name = 'prefixes'").get()).toBeUndefined();
    check.close();
    expect(cli(["migrate", "status", "--sqlite-dsn", db]).stdout).toMatch(/applied\s+1\s+0000_initial/);
  });

  it("refuses to stamp a version this build does not know", () => {
    const r = cli(["migrate", "stamp", "99", "--sqlite-dsn", db]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/cannot stamp version 99/);
  });
});

describe("start-up safety", () => {
  it("refuses a database whose schema is newer than this build, leaving the file unchanged", () => {
    expect(cli(["migrate", "up", "--sqlite-dsn", db]).status).toBe(0);
    const conn = new Database(db);
    conn
      .prepare(
        "UPDATE schema_info SET schema_version = 999, min_supported_schema = 998, app_version = '9.0.0'",
      )
      .run();
    conn.pragma("wal_checkpoint(TRUNCATE)");
    conn.close();
    const before = sha(db);
    const r = cli(["serve", "--sqlite-dsn", db, "--addr", "127.0.0.1:0"]);
    expect(r.status).toBe(3);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/schema version 999 .*newer than this build supports/);
    expect(sha(db)).toBe(before);
  });

  it("refuses a file that is not a SQLite database with one clear line, leaving it unchanged", () => {
    writeFileSync(db, "this is not a database, it is a shopping list\n".repeat(200));
    const before = sha(db);
    for (const args of [
      ["serve", "--addr", "127.0.0.1:0"],
      ["migrate", "up"],
      ["migrate", "status"],
    ]) {
      const r = cli([...args, "--sqlite-dsn", db]);
      expect(r.status).toBe(3);
      expect(r.stderr).toMatch(/^cloudpam: refusing to open the database: not a SQLite database/);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
    expect(sha(db)).toBe(before);
  });

  it("refuses a SQLite database that belongs to another application", () => {
    const conn = new Database(db);
    conn.exec("CREATE TABLE customers (id integer primary key, name text)");
    conn.close();
    const before = sha(db);
    const r = cli(["serve", "--sqlite-dsn", db, "--addr", "127.0.0.1:0"]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/not a CloudPAM database \(it has tables customers/);
    expect(sha(db)).toBe(before);
  });

  it("names the bad setting when configuration is invalid", () => {
    const r = cli(["serve", "--sqlite-dsn", db], { ADDR: "localhost:99999" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/invalid setting ADDR: port 99999 is out of range/);
    const off = cli(["serve", "--sqlite-dsn", db, "--addr", "0.0.0.0:0", "--auth", "off"]);
    expect(off.status).toBe(2);
    expect(off.stderr).toMatch(/invalid setting AUTH: auth=off is only allowed on a loopback address/);
  });

  // Eight process starts: minutes on a loaded 2-core CI box.
  it("has --help on every command", { timeout: 180_000 }, () => {
    for (const args of [
      [],
      ["serve"],
      ["migrate"],
      ["migrate", "status"],
      ["migrate", "up"],
      ["migrate", "stamp"],
      ["token", "create"],
    ]) {
      const r = cli([...args, "--help"]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/Usage: cloudpam/);
    }
    expect(cli(["serve", "--help"]).stdout).toContain("--sqlite-dsn <value>");
  });
});
