/** DATABASE_URL selects PostgreSQL; its password never reaches a log line or an error message. */
import { describe, expect, it } from "vitest";
import { ConfigError, describeConfig, loadConfig, redactUrl } from "../../src/config.js";
import { cli } from "../helpers/cli.js";

const SECRET = "s3cr3t-Pa55";

describe("database settings", () => {
  it("without DATABASE_URL: SQLite at SQLITE_DSN, pool defaults", () => {
    const c = loadConfig({ SQLITE_DSN: "/tmp/x.db" }, {});
    expect(c.database).toEqual({ url: null, poolSize: 10, statementTimeoutMs: 30_000 });
    expect(describeConfig(c)).toMatchObject({ backend: "sqlite", sqliteDsn: "/tmp/x.db" });
  });

  it("DATABASE_URL selects PostgreSQL with pool size and statement timeout", () => {
    const url = `postgres://app:${SECRET}@db.internal:5433/cloudpam?sslmode=require`;
    const c = loadConfig(
      {},
      { DATABASE_URL: url, DATABASE_POOL_SIZE: "25", DATABASE_STATEMENT_TIMEOUT_MS: "5000" },
    );
    expect(c.database).toEqual({ url, poolSize: 25, statementTimeoutMs: 5000 });
    const logged = JSON.stringify(describeConfig(c));
    expect(logged).not.toContain(SECRET);
    expect(describeConfig(c)).toMatchObject({
      backend: "postgres",
      databaseUrl: "postgres://app:***@db.internal:5433/cloudpam?sslmode=require",
      databasePoolSize: 25,
      databaseStatementTimeoutMs: 5000,
    });
    expect(describeConfig(c)).not.toHaveProperty("sqliteDsn");
    expect(loadConfig({}, { DATABASE_URL: "postgresql://h/db" }).database.url).toBe("postgresql://h/db");
  });

  it.each([
    ["mysql://u:" + SECRET + "@h/db", /postgres:\/\/ URL/],
    ["postgres://u:" + SECRET + "@/db", /host/],
    ["postgres://u:" + SECRET + "@h:5432", /names no database/],
    ["postgres://u:" + SECRET + "@h:5432/db?sslmode=sometimes", /sslmode/],
    ["not a url :" + SECRET + "@", /expected postgres:\/\//],
  ])("refuses %s naming the setting, without the password", (url, why) => {
    let error: unknown;
    try {
      loadConfig({}, { DATABASE_URL: url });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).setting).toBe("DATABASE_URL");
    expect((error as Error).message).toMatch(why);
    expect((error as Error).message).not.toContain(SECRET);
  });

  it.each([
    ["DATABASE_POOL_SIZE", "0"],
    ["DATABASE_POOL_SIZE", "ten"],
    ["DATABASE_STATEMENT_TIMEOUT_MS", "-1"],
  ])("refuses %s=%s", (name, value) => {
    expect(() => loadConfig({}, { [name]: value })).toThrow(new RegExp(`invalid setting ${name}`));
  });

  it("redactUrl hides only the password", () => {
    expect(redactUrl(`postgres://u:${SECRET}@h:1/d`)).toBe("postgres://u:***@h:1/d");
    expect(redactUrl("postgres://u@h/d")).toBe("postgres://u@h/d");
  });

  it("cloudpam serve with a malformed DATABASE_URL: one line naming the setting, exit 2", () => {
    const r = cli(["serve"], { DATABASE_URL: `postgres://u:${SECRET}@h:99999/db`, ADDR: "127.0.0.1:0" });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^cloudpam: invalid setting DATABASE_URL: /);
    expect(r.stderr + r.stdout).not.toContain(SECRET);
  });
});
