import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type Store, type Db } from "../../src/db/store.js";
import {
  insertPrefix,
  liveChildren,
  rangeColumns,
  rowPrefix,
  type PrefixRow,
} from "../../src/db/prefixes.js";
import { listFreeBlocks } from "../../src/db/free-blocks.js";
import {
  assertTopLevelFree,
  occupyInPool,
  seedPool,
  takeNextInPool,
  vacateInPool,
} from "../../src/domain/placement.js";
import { Conflict } from "../../src/domain/errors.js";
import {
  AllocatorError,
  formatPrefix,
  parsePrefix,
  seedFreeBlocks,
  type Prefix,
} from "../../src/allocator/index.js";

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cloudpam-placement-"));
  store = openStore({ dsn: join(dir, "db.sqlite") });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function pool(db: Db, cidr: string, parent?: PrefixRow, name = cidr): Promise<PrefixRow> {
  const row = await insertPrefix(db, {
    kind: "pool",
    scopeId: 1,
    parentId: parent?.id ?? null,
    status: "ACTIVE",
    name,
    ...rangeColumns(parsePrefix(cidr)),
  });
  await seedPool(db, row);
  return row;
}

async function child(
  db: Db,
  parent: PrefixRow,
  cidr: string,
  kind: "allocation" | "reservation" = "allocation",
): Promise<PrefixRow> {
  const p = parsePrefix(cidr);
  await occupyInPool(db, parent, p);
  return await insertPrefix(db, {
    kind,
    scopeId: 1,
    parentId: parent.id,
    status: "ALLOCATED",
    name: `a-${cidr}`,
    ...rangeColumns(p),
  });
}

async function take(db: Db, parent: PrefixRow, length: number): Promise<string> {
  const p = await takeNextInPool(db, parent, length);
  await insertPrefix(db, {
    kind: "allocation",
    scopeId: 1,
    parentId: parent.id,
    status: "ALLOCATED",
    ...rangeColumns(p),
  });
  return formatPrefix(p);
}

/** The persisted free blocks always equal the free space computed from the children. */
async function expectCanonical(db: Db, p: PrefixRow) {
  const expected = seedFreeBlocks(rowPrefix(p), (await liveChildren(db, p.id)).map(rowPrefix)).map(
    formatPrefix,
  );
  expect((await listFreeBlocks(db, p.id, rowPrefix(p).family)).map(formatPrefix)).toEqual(expected);
}

describe("placement inside a pool", () => {
  it("takes the smallest free block that fits and keeps the free space canonical", async () => {
    await store.write(async (db) => {
      const p = await pool(db, "10.0.0.0/16");
      await child(db, p, "10.0.0.0/24");
      expect(await take(db, p, 25)).toBe("10.0.1.0/25");
      expect(await take(db, p, 24)).toBe("10.0.2.0/24");
      expect(await take(db, p, 26)).toBe("10.0.1.128/26");
      await expectCanonical(db, p);
    });
  });

  it("names the allocation in the way when an explicit CIDR is taken", async () => {
    await store.write(async (db) => {
      const p = await pool(db, "10.0.0.0/16", undefined, "prod");
      await child(db, p, "10.0.4.0/22");
      let err: unknown;
      try {
        await occupyInPool(db, p, parsePrefix("10.0.5.0/24"));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(Conflict);
      expect((err as Conflict).message).toBe(
        "10.0.5.0/24 overlaps allocation 'a-10.0.4.0/22' (10.0.4.0/22); the nearest free /24 is 10.0.3.0/24",
      );
      expect((err as Conflict).details.conflicting).toMatchObject({
        type: "Allocation",
        cidr: "10.0.4.0/22",
      });
    });
  });

  it("points at the child pool when a CIDR lies inside it", async () => {
    await store.write(async (db) => {
      const p = await pool(db, "10.0.0.0/8", undefined, "root");
      const c = await pool(db, "10.1.0.0/16", p, "use1");
      await occupyInPool(db, p, rowPrefix(c));
      await expect(occupyInPool(db, p, parsePrefix("10.1.2.0/24"))).rejects.toThrow(
        /10\.1\.2\.0\/24 overlaps pool 'use1' \(10\.1\.0\.0\/16\); to put it there, use that pool as the parent/,
      );
    });
  });

  it("merges buddies on release so the pool can hand out its largest block again", async () => {
    await store.write(async (db) => {
      const p = await pool(db, "10.0.0.0/22");
      const taken: Prefix[] = [];
      for (const l of [24, 24, 24, 24]) taken.push(await takeNextInPool(db, p, l));
      await expect(takeNextInPool(db, p, 24)).rejects.toThrow(AllocatorError);
      for (const t of taken) await vacateInPool(db, p, t);
      expect((await listFreeBlocks(db, p.id, 4)).map(formatPrefix)).toEqual(["10.0.0.0/22"]);
      expect(formatPrefix(await takeNextInPool(db, p, 22))).toBe("10.0.0.0/22");
    });
  });

  it("reports the largest free block when the pool is full for a size", async () => {
    await store.write(async (db) => {
      const p = await pool(db, "10.0.0.0/23");
      await child(db, p, "10.0.0.0/24");
      await child(db, p, "10.0.1.0/25");
      await expect(takeNextInPool(db, p, 24)).rejects.toThrow(
        /no free \/24 left in 10\.0\.0\.0\/23; the largest free block is 10\.0\.1\.128\/25/,
      );
    });
  });

  it("works the same for IPv6", async () => {
    await store.write(async (db) => {
      const p = await pool(db, "2001:db8::/32");
      expect(await take(db, p, 48)).toBe("2001:db8::/48");
      expect(await take(db, p, 64)).toBe("2001:db8:1::/64");
      await expectCanonical(db, p);
    });
  });
});

describe("top-level pools", () => {
  it("refuses a top-level pool inside, equal to, or around another live prefix", async () => {
    await store.write(async (db) => {
      await pool(db, "10.0.0.0/16", undefined, "a");
      await expect(assertTopLevelFree(db, 1, parsePrefix("10.0.1.0/24"))).rejects.toThrow(
        /lies inside pool 'a' \(10\.0\.0\.0\/16\)/,
      );
      await expect(assertTopLevelFree(db, 1, parsePrefix("10.0.0.0/16"))).rejects.toThrow(
        /already exists as pool 'a'/,
      );
      await expect(assertTopLevelFree(db, 1, parsePrefix("10.0.0.0/8"))).rejects.toThrow(
        /would contain pool 'a'/,
      );
      await expect(assertTopLevelFree(db, 1, parsePrefix("10.1.0.0/16"))).resolves.toBeUndefined();
      await expect(assertTopLevelFree(db, 1, parsePrefix("2001:db8::/32"))).resolves.toBeUndefined();
    });
  });
});
