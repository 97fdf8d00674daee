/**
 * The soft-delete migration (issue #18, drizzle/sqlite/0008_soft_delete.sql) on a populated database: it adds
 * columns and swaps the unique index of accounts.key for a partial one (no table rebuild), so every row survives,
 * no foreign key breaks, and a deleted account's key can be used again while a live one's cannot.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateUp } from "../../src/db/migrate.js";
import { openConnection } from "../../src/db/store.js";

const SOURCE = join(import.meta.dirname, "..", "..", "drizzle", "sqlite");
const TAG = "0008_soft_delete";

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "cloudpam-softdelete-migration-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the migrations folder that stops just before the soft-delete migration. */
function migrationsBefore(folder: string): void {
  cpSync(SOURCE, folder, { recursive: true });
  const journalPath = join(folder, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag === TAG);
  expect(at).toBeGreaterThan(0);
  for (const e of journal.entries.slice(at)) rmSync(join(folder, `${e.tag}.sql`));
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(journalPath, JSON.stringify(journal));
}

const TABLES = [
  "accounts",
  "prefixes",
  "free_blocks",
  "idempotency_keys",
  "cloud_resources",
  "cloud_cidrs",
  "drift_items",
  "sync_state",
  "events",
];

describe("the soft-delete migration", () => {
  it("keeps every row of a populated database and makes the account key unique among live accounts only", () => {
    const old = join(dir, "old");
    migrationsBefore(old);
    const conn = openConnection(join(dir, "a.db"));
    migrateUp(conn, old);
    conn.exec(`
      INSERT OR IGNORE INTO scopes (id, name, is_default) VALUES (1, 'default', 1);
      INSERT INTO accounts (id, key, provider, name) VALUES (1, 'aws:000000000001', 'AWS', 'one'), (2, 'gcp:p2', 'GCP', 'two');
    `);
    const insertPrefix = conn.prepare(
      `INSERT INTO prefixes (id, kind, scope_id, parent_id, family, prefix_len, cidr, range_start, range_end, status, account_id)
       VALUES (?, ?, 1, ?, 4, ?, ?, ?, ?, ?, ?)`,
    );
    const hex = (a: number) => a.toString(16).padStart(32, "0");
    insertPrefix.run(1, "pool", null, 8, "10.0.0.0/8", hex(0x0a000000), hex(0x0affffff), "ACTIVE", null);
    for (let i = 0; i < 300; i++) {
      const start = 0x0a000000 + i * 256;
      insertPrefix.run(
        2 + i,
        "allocation",
        1,
        24,
        `10.0.${i >> 8}.${0}/24`,
        hex(start),
        hex(start + 255),
        "ALLOCATED",
        1 + (i % 2),
      );
    }
    conn.exec(`
      INSERT INTO free_blocks (pool_id, prefix_len, range_start, range_end) VALUES (1, 9, '${hex(0x0a800000)}', '${hex(0x0affffff)}');
      INSERT INTO idempotency_keys (key, request_hash, allocation_id) VALUES ('k1', 'h', 2);
      INSERT INTO cloud_resources (id, account_id, provider, resource_type, external_id, first_seen_at, last_seen_at)
        VALUES (1, 1, 'AWS', 'VPC', 'vpc-1', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
      INSERT INTO cloud_cidrs (resource_id, cidr, family, prefix_len, range_start, range_end, role)
        VALUES (1, '10.0.0.0/24', 4, 24, '${hex(0x0a000000)}', '${hex(0x0a0000ff)}', 'primary');
      INSERT INTO drift_items (kind, severity, status, account_id, resource_id, allocation_id, fingerprint, detected_at)
        VALUES ('UNMANAGED', 'WARNING', 'OPEN', 1, 1, 2, 'f1', '2026-01-01T00:00:00.000Z');
      INSERT INTO sync_state (account_id, region, status) VALUES (1, 'us-east-1', 'OK');
      INSERT INTO events (type, actor, subject_type, subject_id) VALUES ('pool.created', 'system', 'Pool', '1');
    `);
    const count = (t: string) => (conn.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    const before = Object.fromEntries(TABLES.map((t) => [t, count(t)]));
    expect(before.prefixes).toBe(301);

    const applied = migrateUp(conn, SOURCE);
    expect(applied).toHaveLength(
      readdirSync(SOURCE).filter((f) => f.endsWith(".sql")).length - journalLength(old),
    );
    expect(Object.fromEntries(TABLES.map((t) => [t, count(t)]))).toEqual(before);
    expect(conn.pragma("foreign_key_check")).toEqual([]);
    expect(conn.pragma("foreign_keys", { simple: true })).toBe(1);
    const columns = (t: string) =>
      (conn.prepare(`SELECT name FROM pragma_table_info('${t}')`).all() as { name: string }[]).map(
        (c) => c.name,
      );
    expect(columns("prefixes")).toEqual(expect.arrayContaining(["deleted_at", "deleted_by", "deletion_id"]));
    expect(columns("accounts")).toEqual(expect.arrayContaining(["deleted_at", "deleted_by", "deletion_id"]));
    expect(count("deletions")).toBe(0);

    // A live key stays unique; a deleted account's key can be used again.
    const insert = conn.prepare("INSERT INTO accounts (key, provider, name) VALUES (?, 'AWS', 'again')");
    expect(() => insert.run("aws:000000000001")).toThrow(/UNIQUE/);
    conn.prepare("UPDATE accounts SET deleted_at = '2026-01-02T00:00:00.000Z' WHERE id = 1").run();
    expect(() => insert.run("aws:000000000001")).not.toThrow();
    expect(() => insert.run("aws:000000000001")).toThrow(/UNIQUE/);
    conn.close();
  });
});

function journalLength(folder: string): number {
  return (JSON.parse(readFileSync(join(folder, "meta", "_journal.json"), "utf8")) as { entries: unknown[] })
    .entries.length;
}
