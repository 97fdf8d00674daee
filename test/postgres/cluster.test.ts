/**
 * The throw-away PostgreSQL cluster of test/helpers/postgres.ts: loopback ephemeral port, password auth,
 * fresh databases, stop/start, and a teardown that leaves no process behind.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import pg from "pg";
import { postgresAvailability, startPostgres, urlFor, type PgCluster } from "../helpers/postgres.js";

const availability = postgresAvailability();

async function query<T>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!availability.available)("throw-away PostgreSQL cluster", () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await startPostgres({ bin: availability.bin! });
  }, 60_000);
  afterAll(async () => {
    await cluster?.destroy();
  });

  it("listens on a loopback ephemeral port with password auth", async () => {
    expect(cluster.host).toBe("127.0.0.1");
    expect(cluster.port).not.toBe(5432);
    const [row] = await query<{ addr: string; port: number; version: string; collate: string }>(
      cluster.url,
      "SELECT host(inet_server_addr()) AS addr, inet_server_port() AS port, current_setting('server_version_num') AS version, datcollate AS collate FROM pg_database WHERE datname = current_database()",
    );
    expect(row).toMatchObject({ addr: "127.0.0.1", port: cluster.port, collate: "C" });
    expect(Number(row!.version)).toBeGreaterThanOrEqual(130000);
    const wrong = urlFor({ ...cluster, password: "not-the-password" }, "postgres");
    await expect(query(wrong, "SELECT 1")).rejects.toMatchObject({ code: "28P01" });
  });

  it("creates fresh empty databases", async () => {
    const a = await cluster.createDatabase();
    const b = await cluster.createDatabase();
    expect(a).not.toBe(b);
    await query(a, "CREATE TABLE t (x int)");
    const tables = await query<{ n: string }>(
      b,
      "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
    );
    expect(tables[0]!.n).toBe("0");
  });

  it("stops and starts again on the same port, keeping its data", async () => {
    const url = await cluster.createDatabase();
    await query(url, "CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)");
    const pid = cluster.pid()!;
    await cluster.stop();
    expect(groupAlive(pid)).toBe(false);
    await expect(query(url, "SELECT 1")).rejects.toThrow();
    await cluster.start();
    expect(await query(url, "SELECT x FROM kept")).toEqual([{ x: 42 }]);
  });

  it("destroy kills the whole process group and deletes the directory", async () => {
    const other = await startPostgres({ bin: availability.bin! });
    const pid = other.pid()!;
    // A connected client keeps a backend process alive in the group.
    const client = new pg.Client({ connectionString: other.url });
    client.on("error", () => {});
    await client.connect();
    expect(groupAlive(pid)).toBe(true);
    await other.destroy();
    expect(groupAlive(pid)).toBe(false);
    expect(existsSync(other.dir)).toBe(false);
    await client.end().catch(() => {});
  });
});
