/**
 * The event hub takes this process's committed events from the commit itself (#14) instead of reading them
 * back, and still delivers every event once, in id order: events committed by another connection in between,
 * rolled-back transactions and rolled-back savepoints included.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nestedStore, openStore, type Store } from "../../src/db/store.js";
import { EventHub } from "../../src/domain/event-hub.js";
import { allEventsFilter, appendEvent, type EventRecord } from "../../src/domain/events.js";
import { SYSTEM_ACTOR } from "../../src/domain/roles.js";
import { createLogger } from "../../src/logger.js";

let dir: string;
let store: Store;
let other: Store;
let hub: EventHub;
let statements: string[];
const caller = { actor: SYSTEM_ACTOR };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "cloudpam-hub-handoff-"));
  statements = [];
  store = openStore({ dsn: join(dir, "db.sqlite"), onStatement: (s) => statements.push(s) });
  other = openStore({ dsn: join(dir, "db.sqlite") });
  // A long poll, so that only commits (and explicit reads) move the hub.
  hub = new EventHub(store, createLogger("silent"), { pollIntervalMs: 60_000 });
  await hub.start();
});
afterEach(async () => {
  await hub.stop();
  other.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const append = (s: Store, subjectId: number) =>
  s.write((db) =>
    appendEvent(db, caller, {
      type: "scope.created",
      subjectType: "Scope",
      subjectId,
      after: { id: subjectId },
    }),
  );
const reads = () => statements.filter((s) => /^select .* from "events"/.test(s)).length;

async function take(stream: AsyncIterator<unknown>, n: number): Promise<number[]> {
  const ids: number[] = [];
  while (ids.length < n) ids.push(((await stream.next()).value as EventRecord).id);
  return ids;
}

describe("event hub hand-off", () => {
  it("streams local commits without reading the events back, with the snapshots as stored", async () => {
    const stream = await hub.subscribe(allEventsFilter(null), null, "test");
    const before = reads();
    const rows = [await append(store, 1), await append(store, 2), await append(store, 3)];
    const got: EventRecord[] = [];
    for (let i = 0; i < 3; i++) got.push((await stream.next()).value as EventRecord);
    expect(got.map((e) => e.id)).toEqual(rows.map((r) => r.id));
    expect(reads()).toBe(before);
    expect(got[1]).toMatchObject({
      type: "scope.created",
      subjectType: "Scope",
      subjectId: "2",
      actor: rows[1]!.actor,
      createdAt: rows[1]!.createdAt,
    });
    expect(got[1]!.after).toMatchObject({ v: 2 });
    await stream.return?.();
  });

  it("reads the log when another connection committed in between: nothing lost, id order kept", async () => {
    const stream = await hub.subscribe(allEventsFilter(null), null, "test");
    const a = await append(store, 1);
    const b = await append(other, 2); // another process: the hub has not seen it
    const c = await append(store, 3); // not head + 1: the hub reads b and c from the table
    expect(await take(stream, 3)).toEqual([a.id, b.id, c.id]);
    const d = await append(store, 4);
    expect(await take(stream, 1)).toEqual([d.id]);
    await stream.return?.();
  });

  it("forgets events of a rolled-back transaction and of a rolled-back savepoint", async () => {
    const stream = await hub.subscribe(allEventsFilter(null), null, "test");
    await expect(
      store.write((db) => {
        appendEvent(db, caller, { type: "scope.created", subjectType: "Scope", subjectId: 9 });
        throw new Error("no");
      }),
    ).rejects.toThrow("no");
    const kept = await store.write(async (db) => {
      const nested = nestedStore(db, store);
      await nested
        .write((inner) => {
          appendEvent(inner, caller, { type: "scope.created", subjectType: "Scope", subjectId: 8 });
          throw new Error("inner");
        })
        .catch(() => undefined);
      return nested.write((inner) =>
        appendEvent(inner, caller, { type: "scope.created", subjectType: "Scope", subjectId: 7 }),
      );
    });
    const next = await append(store, 6);
    const ids = await take(stream, 2);
    expect(ids).toEqual([kept.id, next.id]);
    const events = await take(stream, 0);
    expect(events).toEqual([]);
    await hub.refresh(); // a read of the table finds nothing the stream missed
    const late = await append(store, 5);
    expect(await take(stream, 1)).toEqual([late.id]);
    await stream.return?.();
  });
});
