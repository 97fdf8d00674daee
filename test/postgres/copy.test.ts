/**
 * `cloudpam copy --from sqlite:… --to postgres://…` against a real PostgreSQL: a SQLite file populated
 * through the real API is copied row for row (ids, event ids, webhook cursors kept), identities continue
 * after the copied ids, and a target that already holds data is refused unchanged.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { cli } from "../helpers/cli.js";
import { startTestServer } from "../helpers/server.js";
import { createAccount, createPool, createScope } from "../helpers/plan.js";
import { postgresAvailability, startPostgres, type PgCluster } from "../helpers/postgres.js";

const availability = postgresAvailability();

const TABLES: [string, string][] = [
  ["scopes", "id"],
  ["scope_links", "scope_id, linked_scope_id"],
  ["accounts", "id"],
  ["prefixes", "id"],
  ["free_blocks", "pool_id, range_start"],
  ["idempotency_keys", "key"],
  ["events", "id"],
  ["api_tokens", "id"],
  ["webhooks", "id"],
  ["webhook_deliveries", "id"],
  ["cloud_resources", "id"],
  ["cloud_cidrs", "id"],
  ["drift_items", "id"],
  ["sync_state", "account_id, region"],
  ["change_requests", "id"],
  ["deletions", "id"],
];
const BOOLEANS = new Set([
  "is_default",
  "active",
  "managed",
  "approve_delete_pool",
  "approve_release_allocation",
  "approve_actuation",
  "monitored",
]);

/** Every row of a table as plain JSON, booleans as 0/1 (SQLite's spelling). */
const normalise = (rows: Record<string, unknown>[]) =>
  rows.map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [k, BOOLEANS.has(k) && typeof v === "boolean" ? Number(v) : v]),
    ),
  );

describe.skipIf(!availability.available)("cloudpam copy", () => {
  let cluster: PgCluster;
  let sqliteFile: string;
  let dir: string;
  beforeAll(async () => {
    cluster = await startPostgres({ bin: availability.bin! });
    dir = mkdtempSync(join(tmpdir(), "cloudpam-copy-"));
    sqliteFile = join(dir, "source.db");
    const s = await startTestServer({ WEBHOOK_MAX_ATTEMPTS: "1", SQLITE_DSN: sqliteFile });
    const account = await createAccount(s, { key: "aws:123456789012", name: "prod", tier: "PRD" });
    const root = await createPool(s, { cidr: "10.0.0.0/8", name: "root" });
    const child = await createPool(s, { cidr: "10.1.0.0/16", name: "child", parentId: root.id });
    await createPool(s, { cidr: "2001:db8::/32", name: "v6" });
    const ALLOCATE = `mutation($input: AllocateInput!) { allocate(input: $input) { allocation { id } } }`;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await s.ok<{ allocate: { allocation: { id: string } } }>(ALLOCATE, {
        input: { poolId: child.id, accountId: account.id, prefixLength: 24, name: `a${i}` },
      });
      ids.push(r.allocate.allocation.id);
    }
    await s.ok(`mutation($id: ID!) { releaseAllocation(input: {id: $id}) { allocation { id } } }`, {
      id: ids[0],
    });
    await s.ok(`mutation($input: ReserveInput!) { reserve(input: $input) { reservation { id } } }`, {
      input: { poolId: root.id, cidr: "10.200.0.0/16" },
    });
    // A soft-deleted reservation (issue #18): a `deletions` row and a marked prefix row.
    const gone = await s.ok<{ reserve: { reservation: { id: string } } }>(
      `mutation($input: ReserveInput!) { reserve(input: $input) { reservation { id } } }`,
      { input: { poolId: root.id, cidr: "10.201.0.0/16" } },
    );
    await s.ok(`mutation($id: ID!) { unreserve(input: {id: $id}) { reservation { id } } }`, {
      id: gone.reserve.reservation.id,
    });
    await s.ok(`mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { webhook { id } } }`, {
      input: {
        url: "http://127.0.0.1:9/hook",
        eventTypes: ["pool.*"],
        secret: "0123456789abcdef0123456789abcdef",
      },
    });
    await s.tokenFor("VIEWER", "reader");
    const [blue, green] = [await createScope(s, "blue"), await createScope(s, "green")];
    await s.ok(`mutation($input: LinkScopesInput!) { linkScopes(input: $input) { scopes { id } } }`, {
      input: { scopeIds: [blue.id, green.id] },
    });
    // A scope with an approval policy and a pending change request (issue #18).
    const guarded = await s.ok<{ createScope: { scope: { id: string } } }>(
      `mutation { createScope(input: { name: "guarded", approvals: { deletePool: true } }) { scope { id } } }`,
    );
    const held = await createPool(s, {
      cidr: "10.0.0.0/8",
      name: "held",
      scopeId: guarded.createScope.scope.id,
    });
    await s.ok(`mutation($id: ID!) { deletePool(input: { id: $id }) { changeRequest { id } } }`, {
      id: held.id,
    });
    await s.close();
  }, 120_000);
  afterAll(async () => {
    await cluster?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function pgRows(url: string, table: string, order: string) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query(`SELECT * FROM ${table} ORDER BY ${order}`)).rows;
    } finally {
      await c.end();
    }
  }

  it("copies every row with its id, verifies, continues identities, and refuses a second copy", async () => {
    const url = await cluster.createDatabase();
    const r = cli(["copy", "--from", `sqlite:${sqliteFile}`, "--to", url]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/prefixes\s+\d+ rows\s+sha256 [0-9a-f]{16}\s+verified/);
    expect(r.stdout).toMatch(/counts and checksums verified/);
    expect(r.stdout).not.toContain(cluster.password);

    const lite = new Database(sqliteFile, { readonly: true });
    try {
      for (const [table, order] of TABLES) {
        const expected = lite.prepare(`SELECT * FROM ${table} ORDER BY ${order}`).all() as Record<
          string,
          unknown
        >[];
        expect(normalise(await pgRows(url, table, order)), table).toEqual(normalise(expected));
      }
      const counts = lite
        .prepare("SELECT (SELECT count(*) FROM events) AS e, (SELECT count(*) FROM prefixes) AS p")
        .get() as {
        e: number;
        p: number;
      };
      expect(counts.e).toBeGreaterThan(5);
      expect(
        (lite.prepare("SELECT count(*) AS n FROM scope_links").get() as { n: number }).n,
      ).toBeGreaterThan(0);
      expect(counts.p).toBe(11); // 4 pools, 5 allocations (1 released), 2 reservations (1 deleted)
      expect((lite.prepare("SELECT count(*) AS n FROM deletions").get() as { n: number }).n).toBe(1);
      expect((lite.prepare("SELECT count(*) AS n FROM change_requests").get() as { n: number }).n).toBe(1);
      const maxEvent = (lite.prepare("SELECT max(id) AS m FROM events").get() as { m: number }).m;
      // The identity continues after the copied ids.
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      const next = await c.query(
        "INSERT INTO events (type, actor, subject_type, subject_id) VALUES ('t', 'a', 'T', '1') RETURNING id",
      );
      await c.end();
      expect(next.rows[0].id).toBe(maxEvent + 1);
    } finally {
      lite.close();
    }

    const again = cli(["copy", "--from", `sqlite:${sqliteFile}`, "--to", url]);
    expect(again.status).toBe(3);
    expect(again.stderr).toMatch(/refusing to copy into a PostgreSQL database that already holds data/);
    expect(again.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("refuses a missing source file and a malformed target in one line", async () => {
    const missing = cli([
      "copy",
      "--from",
      "sqlite:/nonexistent/x.db",
      "--to",
      await cluster.createDatabase(),
    ]);
    expect(missing.status).toBe(3);
    expect(missing.stderr).toMatch(/no SQLite file at \/nonexistent\/x.db/);
    const bad = cli(["copy", "--from", `sqlite:${sqliteFile}`, "--to", "mysql://u:p@h/db"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--to: expected a postgres:\/\/ URL/);
  });

  it("refuses a source with a table it does not know, copying nothing", async () => {
    const other = join(dir, "mystery.db");
    copyFileSync(sqliteFile, other);
    const conn = new Database(other);
    conn.exec("CREATE TABLE mystery (id integer primary key)");
    conn.close();
    const url = await cluster.createDatabase();
    const r = cli(["copy", "--from", `sqlite:${other}`, "--to", url]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/does not know the table\(s\) mystery; nothing copied/);
    expect(
      await pgRows(url, "pg_tables", "tablename").then((rows) =>
        rows.filter((t) => t.schemaname === "public"),
      ),
    ).toEqual([]);
  });
});
