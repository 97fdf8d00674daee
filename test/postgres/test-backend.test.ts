/**
 * The test backend switch: under CLOUDPAM_TEST_BACKEND=postgres every test server runs on a fresh database of
 * the run's shared cluster (test/helpers/server.ts, pg-global-setup.ts); otherwise on a SQLite file.
 */
import { describe, expect, it } from "vitest";
import pg from "pg";
import { createTestDatabase, testBackend } from "../helpers/server.js";

describe.runIf(testBackend === "postgres")("the PostgreSQL test backend", () => {
  it("gives each server a database of its own on the shared cluster, and drops it", async () => {
    const [a, b] = [await createTestDatabase(), await createTestDatabase()];
    expect(a.url).not.toBe(b.url);
    for (const db of [a, b]) {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query<{ n: string }>(
        "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
      );
      expect(Number(rows[0]!.n)).toBe(0);
      await client.end();
      await db.drop();
    }
    const gone = new pg.Client({ connectionString: a.url });
    await expect(gone.connect()).rejects.toMatchObject({ code: "3D000" });
    await gone.end().catch(() => {});
  });
});

describe.runIf(testBackend === "sqlite")("the SQLite test backend", () => {
  it("is the default", () => {
    expect(process.env.CLOUDPAM_TEST_BACKEND ?? "sqlite").toBe("sqlite");
  });
});
