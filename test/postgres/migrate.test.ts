/**
 * PostgreSQL migrations (drizzle/pg/): `cloudpam migrate status|up|stamp` with DATABASE_URL, schema_info,
 * refusal of a newer or foreign database, one run when several processes migrate an empty database at once,
 * and one clear line (exit 3) when PostgreSQL refuses us.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import pg from "pg";
import { parse as parseYaml } from "yaml";
import { BIN, cli } from "../helpers/cli.js";
import {
  freePort,
  postgresAvailability,
  startPostgres,
  urlFor,
  type PgCluster,
} from "../helpers/postgres.js";
import { pgMigrateUp, PG_MIGRATIONS_FOLDER } from "../../src/db/migrate.pg.js";
import { listMigrations } from "../../src/db/migrate.js";

const availability = postgresAvailability();

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const rows = (url: string, text: string) => withClient(url, async (c) => (await c.query(text)).rows);

function cliAsync(args: string[], env: Record<string, string>) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, LOG_LEVEL: "error", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (status) => resolve({ status, stdout, stderr }));
  });
}

describe.skipIf(!availability.available)("PostgreSQL migrations", () => {
  let cluster: PgCluster;
  const versions = listMigrations(PG_MIGRATIONS_FOLDER).length;
  beforeAll(async () => {
    cluster = await startPostgres({ bin: availability.bin! });
  }, 60_000);
  afterAll(async () => {
    await cluster?.destroy();
  });

  it("status, up (once), status again, with schema_info and the default scope", async () => {
    const url = await cluster.createDatabase();
    const st = cli(["migrate", "status"], { DATABASE_URL: url });
    expect(st.status).toBe(0);
    expect(st.stdout).toMatch(new RegExp(`schema version:\\s+0 \\(this build: ${versions}\\)`));
    expect(st.stdout).toMatch(/pending\s+1\s+0000_initial/);
    expect(st.stdout).toContain("postgres://cloudpam:***@");
    expect(st.stdout).not.toContain(cluster.password);

    const up = cli(["migrate", "up"], { DATABASE_URL: url });
    expect(up.stderr).toBe("");
    expect(up.stdout).toMatch(/applied #1/);
    expect(cli(["migrate", "up"], { DATABASE_URL: url }).stdout).toMatch(/nothing to apply/);
    const after = cli(["migrate", "status"], { DATABASE_URL: url });
    expect(after.stdout).toMatch(/applied\s+1\s+0000_initial/);
    expect(after.stdout).toMatch(/min supported schema:\s+1/);
    expect(after.stdout).toMatch(/0 pending/);

    expect(await rows(url, "SELECT schema_version, min_supported_schema FROM schema_info")).toEqual([
      { schema_version: versions, min_supported_schema: 1 },
    ]);
    expect(await rows(url, "SELECT name, is_default FROM scopes")).toEqual([
      { name: "default", is_default: true },
    ]);
    // Range columns compare bytewise whatever the database's collation.
    expect(
      await rows(
        url,
        "SELECT collation_name FROM information_schema.columns WHERE table_name = 'prefixes' AND column_name = 'range_start'",
      ),
    ).toEqual([{ collation_name: "C" }]);
    // Foreign keys are enforced.
    await expect(
      rows(
        url,
        "INSERT INTO prefixes (kind, scope_id, family, prefix_len, cidr, range_start, range_end, status) VALUES ('pool', 999, 4, 8, '10.0.0.0/8', 'a', 'b', 'ACTIVE')",
      ),
    ).rejects.toMatchObject({ code: "23503" });
  });

  it("the Kubernetes migrate Job's command and environment migrate a database (deploy/kubernetes/postgres/migrate)", async () => {
    const job = parseYaml(readFileSync("deploy/kubernetes/postgres/migrate/job.yaml", "utf8")) as {
      spec: {
        template: { spec: { containers: { args: string[]; env: { name: string; value?: string }[] }[] } };
      };
    };
    const [container] = job.spec.template.spec.containers;
    // The literal settings of the Job as they are; DATABASE_URL (a Secret there) points at this cluster.
    const env: Record<string, string> = {};
    for (const e of container!.env) if (e.value !== undefined) env[e.name] = e.value;
    expect(env).toEqual({ DATABASE_STATEMENT_TIMEOUT_MS: "0" });
    const url = await cluster.createDatabase();
    const run = cli(container!.args, { ...env, DATABASE_URL: url });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/applied #1/);
    // A retried Job (or a pod that migrated first) finds nothing to do and still succeeds.
    const again = cli(container!.args, { ...env, DATABASE_URL: url });
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/nothing to apply/);
    expect(await rows(url, "SELECT schema_version FROM schema_info")).toEqual([{ schema_version: versions }]);
  });

  it("stamp marks migrations applied without running them; an unknown version is refused", async () => {
    const url = await cluster.createDatabase();
    await rows(
      url,
      "CREATE TABLE schema_info (id integer primary key, schema_version integer not null, min_supported_schema integer not null, app_version text not null, applied_at text not null)",
    );
    const r = cli(["migrate", "stamp", "1"], { DATABASE_URL: url });
    expect(r.stdout).toContain("stamped schema version 1");
    expect(await rows(url, "SELECT count(*)::int AS n FROM __drizzle_migrations")).toEqual([{ n: 1 }]);
    expect(await rows(url, "SELECT to_regclass('prefixes') AS t")).toEqual([{ t: null }]);
    const bad = cli(["migrate", "stamp", "99"], { DATABASE_URL: url });
    expect(bad.status).toBe(3);
    expect(bad.stderr).toMatch(/cannot stamp version 99/);
  });

  it("refuses a newer schema and a foreign database, changing nothing", async () => {
    const url = await cluster.createDatabase();
    expect(cli(["migrate", "up"], { DATABASE_URL: url }).status).toBe(0);
    await rows(
      url,
      "UPDATE schema_info SET schema_version = 999, min_supported_schema = 998, app_version = '9.0.0'",
    );
    const r = cli(["migrate", "up"], { DATABASE_URL: url });
    expect(r.status).toBe(3);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/schema version 999 .*newer than this build supports/);
    expect(await rows(url, "SELECT schema_version FROM schema_info")).toEqual([{ schema_version: 999 }]);

    const foreign = await cluster.createDatabase();
    await rows(foreign, "CREATE TABLE customers (id int)");
    const f = cli(["migrate", "up"], { DATABASE_URL: foreign });
    expect(f.status).toBe(3);
    expect(f.stderr).toMatch(/not a CloudPAM database \(it has tables customers/);
    expect(await rows(foreign, "SELECT to_regclass('schema_info') AS t")).toEqual([{ t: null }]);
  });

  it("three processes migrating an empty database at once: one run, the others wait and find nothing", async () => {
    const url = await cluster.createDatabase();
    const results = await Promise.all(
      [1, 2, 3].map(() => cliAsync(["migrate", "up"], { DATABASE_URL: url })),
    );
    expect(results.map((r) => r.status)).toEqual([0, 0, 0]);
    const outs = results.map((r) => r.stdout.trim()).sort();
    const all = Array.from({ length: versions }, (_, i) => `#${i + 1}`).join(", ");
    expect(outs).toEqual([`applied ${all}`, "nothing to apply", "nothing to apply"]);
    expect(await rows(url, "SELECT count(*)::int AS n FROM __drizzle_migrations")).toEqual([{ n: versions }]);
    expect(await rows(url, "SELECT count(*)::int AS n FROM scopes")).toEqual([{ n: 1 }]);
  });

  it("in-process: concurrent pgMigrateUp on separate connections applies each migration once", async () => {
    const url = await cluster.createDatabase();
    const clients = await Promise.all(
      [1, 2, 3, 4].map(async () => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        return c;
      }),
    );
    try {
      const applied = await Promise.all(clients.map((c) => pgMigrateUp(c)));
      expect(applied.flat()).toEqual(Array.from({ length: versions }, (_, i) => i + 1));
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  it("a wrong password or an unreachable server: one line naming DATABASE_URL, exit 3, no password", async () => {
    const wrong = urlFor({ ...cluster, password: "WrongPassword123" }, "postgres");
    const r = cli(["migrate", "up"], { DATABASE_URL: wrong });
    expect(r.status).toBe(3);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^cloudpam: cannot connect to DATABASE_URL postgres:\/\/cloudpam:\*\*\*@.*password authentication failed/,
    );
    expect(r.stderr).not.toContain("WrongPassword123");

    const closed = urlFor({ ...cluster, port: await freePort() }, "postgres");
    const u = cli(["migrate", "status"], { DATABASE_URL: closed });
    expect(u.status).toBe(3);
    expect(u.stderr).toMatch(/cannot connect to DATABASE_URL .*connection refused/);
    expect(u.stderr).not.toContain(cluster.password);
  });
});
