/**
 * nestedStore (src/db/store.ts: the savepoints CSV import and approvals write through) behaves the same on
 * SQLite and PostgreSQL, including nested stores opened inside one another on the same handle (an approval's
 * savepoint, then the approved operation's own): a failing inner write undoes only itself; a failing outer
 * write undoes everything since its own savepoint, the inner writes included. (Savepoint names once followed
 * the handle's depth on PostgreSQL, so the outer ROLLBACK TO went to the inner savepoint and kept the outer's
 * rows: an approval that failed kept its `change.approved` event.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asc } from "drizzle-orm";
import { postgresAvailability } from "../helpers/postgres.js";
import { bothBackends, type BothBackends } from "../helpers/both-backends.js";
import { nestedStore, type Db, type Store } from "../../src/db/store.js";
import { scopes } from "../../src/db/schema.js";

const availability = postgresAvailability();

const parent = { dsn: "test", onCommit: () => () => {}, ready: () => true } as unknown as Store;

async function exercise(db: Db): Promise<string[]> {
  const add = (name: string) => db.insert(scopes).values({ name });
  const outer = nestedStore(db, parent);
  // 1. The inner write fails and is caught: only it is undone.
  await outer.write(async () => {
    await add("kept-outer");
    const inner = nestedStore(db, parent);
    await inner
      .write(async () => {
        await add("undone-inner");
        throw new Error("inner");
      })
      .catch(() => undefined);
  });
  // 2. The inner write succeeds, then the outer fails: both are undone.
  await outer
    .write(async () => {
      await add("undone-outer");
      await outer.write(async () => add("undone-inner-ok"));
      await nestedStore(db, parent).write(async () => add("undone-other-inner"));
      throw new Error("outer");
    })
    .catch(() => undefined);
  // 3. The inner write fails, the outer rethrows (an approval whose operation is refused).
  await outer
    .write(async () => {
      await add("undone-approved");
      await outer.write(async () => {
        await add("undone-operation");
        throw new Error("refused");
      });
    })
    .catch(() => undefined);
  // 4. A database error inside a savepoint (unique violation) leaves the transaction usable.
  await outer.write(async () => add("kept-outer")).catch(() => undefined);
  await add("kept-after-error");
  return (await db.select({ name: scopes.name }).from(scopes).orderBy(asc(scopes.id))).map((r) => r.name);
}

describe.skipIf(!availability.available)("nestedStore on both backends", () => {
  let both: BothBackends;
  beforeAll(async () => {
    both = await bothBackends(availability.bin!);
  }, 60_000);
  afterAll(async () => {
    await both?.stop();
  });

  it("savepoints nested on one handle undo exactly their own writes, on SQLite and PostgreSQL", async () => {
    const { sqlite, pg } = await both.run(exercise);
    expect(sqlite).toEqual(["default", "kept-outer", "kept-after-error"]);
    expect(pg).toEqual(sqlite);
  });
});
