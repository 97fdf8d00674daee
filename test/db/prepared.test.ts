/**
 * The prepared hot-path queries (#14) give the rows the unprepared drizzle queries gave: SQL defaults for
 * omitted columns, null kept as null, one prepared statement per column set, per connection.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parsePrefix } from "../../src/allocator/index.js";
import { accountById } from "../../src/db/accounts.js";
import { accountSummary, idempotencyKeyRow, insertIdempotencyKey } from "../../src/db/allocations.js";
import { appendEventRows } from "../../src/db/events.js";
import { insertPrefix, rangeColumns } from "../../src/db/prefixes.js";
import { accounts, prefixes } from "../../src/db/schema.js";
import { openStore, type Store } from "../../src/db/store.js";

let dir: string;
let store: Store;
let statements: string[];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cloudpam-prepared-"));
  statements = [];
  store = openStore({ dsn: join(dir, "db.sqlite"), onStatement: (s) => statements.push(s) });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("prepared inserts and selects", () => {
  it("fills SQL defaults for omitted columns and keeps explicit values, per column set", async () => {
    await store.write(async (db) => {
      const plain = await insertPrefix(db, {
        kind: "pool",
        scopeId: 1,
        status: "ACTIVE",
        ...rangeColumns(parsePrefix("10.0.0.0/8")),
      });
      expect(plain.tags).toBe("{}");
      expect(plain.name).toBeNull();
      expect(plain.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const named = await insertPrefix(db, {
        kind: "pool",
        scopeId: 1,
        status: "PLANNED",
        name: "named",
        tags: '{"a":"b"}',
        description: null,
        createdAt: "2020-01-01T00:00:00.000Z",
        ...rangeColumns(parsePrefix("192.168.0.0/16")),
      });
      expect(named).toMatchObject({
        name: "named",
        status: "PLANNED",
        tags: '{"a":"b"}',
        createdAt: "2020-01-01T00:00:00.000Z",
        description: null,
      });
      // The first shape again: its own statement, not the second's.
      const again = await insertPrefix(db, {
        kind: "pool",
        scopeId: 1,
        status: "ACTIVE",
        ...rangeColumns(parsePrefix("172.16.0.0/12")),
      });
      expect(again).toMatchObject({ cidr: "172.16.0.0/12", name: null, status: "ACTIVE", tags: "{}" });
      expect(
        db
          .select()
          .from(prefixes)
          .all()
          .map((r) => r.cidr),
      ).toEqual(["10.0.0.0/8", "192.168.0.0/16", "172.16.0.0/12"]);

      const account = db
        .insert(accounts)
        .values({ key: "aws:000000000001", provider: "AWS", name: "a", tier: "PRD" })
        .returning()
        .get();
      expect(await accountById(db, account.id)).toEqual(account);
      expect(await accountById(db, account.id + 1)).toBeUndefined();
      expect(await accountSummary(db, account.id)).toEqual({
        id: account.id,
        key: account.key,
        name: "a",
        tier: "PRD",
      });
      await insertIdempotencyKey(db, { key: "k", requestHash: "h", allocationId: plain.id });
      expect(await idempotencyKeyRow(db, "k")).toMatchObject({
        key: "k",
        requestHash: "h",
        allocationId: plain.id,
      });
      expect(await idempotencyKeyRow(db, "other")).toBeUndefined();
      const [event] = await appendEventRows(db, [
        { type: "t", actor: "a", subjectType: "Pool", subjectId: "1", before: null, after: "{}" },
      ]);
      expect(event).toMatchObject({ type: "t", before: null, after: "{}", requestId: null });
    });
    // Values are bound, never inlined: the insert SQL of a column set is the same text each time.
    const inserts = statements.filter((s) => s.startsWith('insert into "prefixes"'));
    expect(inserts).toHaveLength(3);
    expect(inserts[0]!.split(" values ")[0]).toBe(inserts[2]!.split(" values ")[0]);
  });
});
