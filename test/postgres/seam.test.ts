/**
 * The storage seam (`Store`) over PostgreSQL (`openPgSeam`): domain-style code gets a `Db`, one transaction
 * per write, commit listeners get the noted values (never for a rollback), and `nestedStore` writes are
 * savepoints of the outer transaction (a failed inner write rolls back only itself and its notes).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresAvailability, startPostgres, type PgCluster } from "../helpers/postgres.js";
import { openPgSeam } from "../../src/db/store.pg.js";
import { nestedStore, noteCommit, type Db, type Store } from "../../src/db/store.js";
import { pgHandle, isPg } from "../../src/db/dialect.js";
import { events } from "../../src/db/schema.pg.js";

const availability = postgresAvailability();

async function addEvent(db: Db, subjectId: string): Promise<number> {
  const [row] = await pgHandle(db)
    .insert(events)
    .values({ type: "test.event", actor: "test", subjectType: "Test", subjectId })
    .returning({ id: events.id });
  noteCommit(db, subjectId);
  return row!.id;
}

const subjects = async (store: Store) =>
  (await store.read((db) => pgHandle(db).select().from(events).orderBy(events.id))).map((r) => r.subjectId);

describe.skipIf(!availability.available)("the Store seam on PostgreSQL", () => {
  let cluster: PgCluster;
  let store: Store & { close(): Promise<void> };
  beforeAll(async () => {
    cluster = await startPostgres({ bin: availability.bin! });
    store = await openPgSeam({ url: await cluster.createDatabase() });
  }, 60_000);
  afterAll(async () => {
    await store?.close();
    await cluster?.destroy();
  });

  it("hands out PostgreSQL handles; commit listeners get the notes; a rollback commits and notifies nothing", async () => {
    const seen: unknown[][] = [];
    const off = store.onCommit((notes) => seen.push([...notes]));
    await store.write(async (db) => {
      expect(isPg(db)).toBe(true);
      await addEvent(db, "a");
      await addEvent(db, "b");
    });
    await expect(
      store.write(async (db) => {
        await addEvent(db, "lost");
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    off();
    expect(seen).toEqual([["a", "b"]]);
    expect(await subjects(store)).toEqual(["a", "b"]);
    expect(store.ready()).toBe(true);
    expect(store.externalVersion).toBeUndefined();
  });

  it("nestedStore: each inner write is a savepoint; a failing one rolls back alone, with its notes", async () => {
    const seen: unknown[][] = [];
    const off = store.onCommit((notes) => seen.push([...notes]));
    await store.write(async (db) => {
      const nested = nestedStore(db, store);
      await nested.write((inner) => addEvent(inner, "n1"));
      await expect(
        nested.write(async (inner) => {
          await addEvent(inner, "n2-rolled-back");
          throw new Error("row failed");
        }),
      ).rejects.toThrow("row failed");
      // The outer transaction still works after the rolled-back savepoint, and reads see its own writes.
      await nested.write((inner) => addEvent(inner, "n3"));
      const inside = await nested.read((d) => pgHandle(d).select().from(events));
      expect(inside.map((r) => r.subjectId)).toContain("n3");
    });
    off();
    expect(seen).toEqual([["n1", "n3"]]);
    expect(await subjects(store)).toEqual(["a", "b", "n1", "n3"]);
  });

  it("nestedStore: an outer savepoint that fails undoes everything inside it, also after an inner one failed (an approval around its operation)", async () => {
    const seen: unknown[][] = [];
    const off = store.onCommit((notes) => seen.push([...notes]));
    await store.write(async (db) => {
      const nested = nestedStore(db, store);
      await expect(
        nested.write(async (outer) => {
          await addEvent(outer, "approved-rolled-back");
          // The operation's own writes: savepoints inside the first one; the second fails, and so does the first.
          await nested.write((inner) => addEvent(inner, "inner-rolled-back"));
          await nested.write(async (other) => {
            await addEvent(other, "other-rolled-back");
            throw new Error("target changed");
          });
        }),
      ).rejects.toThrow("target changed");
      await addEvent(db, "failed");
    });
    off();
    expect(seen).toEqual([["failed"]]);
    expect(await subjects(store)).toEqual(["a", "b", "n1", "n3", "failed"]);
  });
});
