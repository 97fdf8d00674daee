/**
 * The migration that adds `prefixes.monitored` (#17) backfills it from the tag the utilisation gauge read
 * before (`monitor: "true"`) and keeps every row: on SQLite (drizzle/sqlite: an ADD COLUMN, no table rebuild)
 * and on PostgreSQL (drizzle/pg). Each database is first migrated to the step before, populated, then migrated.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { DEFAULT_MIGRATIONS_FOLDER, migrateUp } from "../../src/db/migrate.js";
import { PG_MIGRATIONS_FOLDER, pgMigrateUp } from "../../src/db/migrate.pg.js";
import { openConnection } from "../../src/db/store.js";
import { postgresAvailability, startPostgres, type PgCluster } from "../helpers/postgres.js";

const TAG = "pool_monitored";

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "cloudpam-monitored-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of `folder` without the monitored migration (and anything after it). */
function before(folder: string): string {
  const copy = join(dir, "before");
  cpSync(folder, copy, { recursive: true });
  const journalPath = join(copy, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as {
    entries: { tag: string; idx: number }[];
  };
  const at = journal.entries.findIndex((e) => e.tag.endsWith(TAG));
  expect(at).toBeGreaterThan(0);
  for (const e of journal.entries.slice(at)) unlinkSync(join(copy, `${e.tag}.sql`));
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(journalPath, JSON.stringify(journal));
  return copy;
}

// id 1: the default scope. Pools 1..4 (tags: monitor "true", JSON true, "false", none), allocation 5 in pool 1
// tagged monitor "true" too (only pools are monitored).
const ROWS: [number, string, number | null, string, string, string][] = [
  [1, "pool", null, "10.0.0.0/16", "0000000000000000000000000a000000", '{"monitor":"true","team":"net"}'],
  [2, "pool", null, "10.1.0.0/16", "0000000000000000000000000a010000", '{"monitor":true}'],
  [3, "pool", null, "10.2.0.0/16", "0000000000000000000000000a020000", '{"monitor":"false"}'],
  [4, "pool", null, "10.3.0.0/16", "0000000000000000000000000a030000", "{}"],
  [5, "allocation", 1, "10.0.0.0/24", "0000000000000000000000000a000000", '{"monitor":"true"}'],
];
const insertSql = (p: (i: number) => string) =>
  `INSERT INTO prefixes (id, kind, scope_id, parent_id, family, prefix_len, cidr, range_start, range_end, status, tags)
   VALUES (${p(1)}, ${p(2)}, 1, ${p(3)}, 4, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, 'ACTIVE', ${p(8)})`;
const values = (r: (typeof ROWS)[number]) => [
  r[0],
  r[1],
  r[2],
  r[1] === "pool" ? 16 : 24,
  r[3],
  r[4],
  r[4],
  r[5],
];

describe("the monitored migration", () => {
  it("SQLite: adds the column without a rebuild, backfills from the tag, keeps every row", () => {
    const sqlText = readFileSync(join(DEFAULT_MIGRATIONS_FOLDER, "0007_pool_monitored.sql"), "utf8");
    expect(sqlText).not.toMatch(/DROP TABLE|__new_|PRAGMA foreign_keys/);
    const conn = openConnection(join(dir, "a.db"));
    migrateUp(conn, before(DEFAULT_MIGRATIONS_FOLDER));
    const insert = conn.prepare(insertSql(() => "?"));
    for (const r of ROWS) insert.run(...values(r));
    conn.exec(
      "INSERT INTO free_blocks (pool_id, prefix_len, range_start, range_end) VALUES (1, 24, '0000000000000000000000000a000100', '0000000000000000000000000a0001ff')",
    );
    expect(migrateUp(conn).length).toBeGreaterThan(0); // this one and any after it
    expect(conn.prepare("SELECT id, monitored, tags FROM prefixes ORDER BY id").all()).toEqual(
      ROWS.map((r) => ({ id: r[0], monitored: r[0] <= 2 ? 1 : 0, tags: r[5] })),
    );
    expect(conn.prepare("SELECT count(*) AS n FROM free_blocks").get()).toEqual({ n: 1 });
    expect(conn.pragma("foreign_key_check")).toEqual([]);
    conn.close();
  });
});

const availability = postgresAvailability();

describe.skipIf(!availability.available)("the monitored migration on PostgreSQL", () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await startPostgres({ bin: availability.bin! });
  }, 60_000);
  afterAll(async () => {
    await cluster?.destroy();
  });

  it("backfills from the tag and keeps every row", async () => {
    const client = new pg.Client({ connectionString: await cluster.createDatabase() });
    await client.connect();
    try {
      await pgMigrateUp(client, before(PG_MIGRATIONS_FOLDER));
      for (const r of ROWS)
        await client.query(
          insertSql((i) => `$${i}`),
          values(r),
        );
      expect((await pgMigrateUp(client)).length).toBeGreaterThan(0);
      const { rows } = await client.query("SELECT id, monitored, tags FROM prefixes ORDER BY id");
      expect(rows).toEqual(ROWS.map((r) => ({ id: r[0], monitored: r[0] <= 2, tags: r[5] })));
    } finally {
      await client.end();
    }
  });
});
