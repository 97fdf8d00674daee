/**
 * `cloudpam serve` on PostgreSQL, as a real process: DATABASE_URL selects it; a wrong password or a host that
 * refuses connections is one line naming the setting, exit 3, no stack trace and no password.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import {
  freePort,
  postgresAvailability,
  startPostgres,
  urlFor,
  type PgCluster,
} from "../helpers/postgres.js";

const availability = postgresAvailability();

describe.skipIf(!availability.available)("cloudpam serve with DATABASE_URL", () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await startPostgres({ bin: availability.bin! });
  }, 60_000);
  afterAll(async () => {
    await cluster?.destroy();
  });

  const oneLine = (r: { status: number | null; stderr: string; stdout: string }, secret: string) => {
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr + r.stdout).not.toContain(secret);
  };

  it("a wrong password: one line naming DATABASE_URL, exit 3", async () => {
    const secret = "wr0ng-Pa55word";
    const url = urlFor({ ...cluster, password: secret }, "postgres");
    const r = cli(["serve"], { DATABASE_URL: url, ADDR: "127.0.0.1:0" });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(
      /^cloudpam: cannot connect to DATABASE_URL postgres:\/\/cloudpam:\*\*\*@127\.0\.0\.1:\d+\/postgres: password authentication failed\n$/,
    );
    oneLine(r, secret);
  });

  it("a host that refuses connections: one line naming DATABASE_URL, exit 3", async () => {
    const port = await freePort();
    const url = urlFor({ ...cluster, port }, "postgres");
    const r = cli(["serve"], { DATABASE_URL: url, ADDR: "127.0.0.1:0" });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^cloudpam: cannot connect to DATABASE_URL .*: connection refused/);
    oneLine(r, cluster.password);
  });

  it("a database that does not exist: one line, exit 3", () => {
    const r = cli(["serve"], { DATABASE_URL: urlFor(cluster, "no_such_db"), ADDR: "127.0.0.1:0" });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(
      /^cloudpam: cannot connect to DATABASE_URL .*no_such_db: the database does not exist\n$/,
    );
    oneLine(r, cluster.password);
  });
});
