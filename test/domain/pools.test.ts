import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type Store } from "../../src/db/store.js";
import { listFreeBlocks } from "../../src/db/free-blocks.js";
import { insertPrefix, prefixById, rangeColumns } from "../../src/db/prefixes.js";
import { createPool, deletePool, updatePool } from "../../src/domain/pools.js";
import { occupyInPool } from "../../src/domain/placement.js";
import { Conflict, Invalid } from "../../src/domain/errors.js";
import { SYSTEM_ACTOR } from "../../src/domain/roles.js";
import { formatPrefix, parsePrefix } from "../../src/allocator/index.js";

const caller = { actor: SYSTEM_ACTOR, requestId: "test" };
let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cloudpam-pools-"));
  store = openStore({ dsn: join(dir, "db.sqlite") });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const free = (poolId: number) =>
  store.read(async (db) => (await listFreeBlocks(db, poolId, 4)).map(formatPrefix));

describe("pool rules", () => {
  it("seeds a new pool's free space and takes a child's range out of its parent", async () => {
    const root = await createPool(store, caller, { name: "root", cidr: "10.0.0.0/22" });
    const child = await createPool(store, caller, { name: "c", parentId: root.id, cidr: "10.0.1.0/24" });

    expect(await free(child.id)).toEqual(["10.0.1.0/24"]);
    expect(await free(root.id)).toEqual(["10.0.0.0/24", "10.0.2.0/23"]);
  });

  it("keeps the default child length within min and max", async () => {
    const err = await createPool(store, caller, {
      name: "r",
      cidr: "10.0.0.0/16",
      rules: { minChildPrefixLength: 20, maxChildPrefixLength: 24, defaultChildPrefixLength: 26 },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Invalid);
    expect((err as Invalid).details.field).toBe("rules.defaultChildPrefixLength");
  });

  it("merges a rules patch field by field and refuses tiers that do not exist", async () => {
    const p = await createPool(store, caller, {
      name: "r",
      cidr: "10.0.0.0/16",
      rules: { minChildPrefixLength: 20 },
    });
    const after = await updatePool(store, caller, p.id, { rules: { allowedTiers: ["PRD", "PRD", "DEV"] } });
    expect([after.rules.minChildPrefixLength, after.rules.allowedTiers]).toEqual([20, ["PRD", "DEV"]]);
    await expect(
      updatePool(store, caller, p.id, { rules: { allowedTiers: ["PROD"] } }),
    ).rejects.toBeInstanceOf(Invalid);
  });

  it("deletes a subtree with its allocations and the released history of its pools, leaving others' history", async () => {
    const root = await createPool(store, caller, { name: "root", cidr: "10.0.0.0/16" });
    const history = await store.write(
      async (db) =>
        await insertPrefix(db, {
          kind: "allocation",
          scopeId: 1,
          parentId: root.id,
          status: "RELEASED",
          releasedAt: "2026-01-01T00:00:00.000Z",
          ...rangeColumns(parsePrefix("10.0.1.0/24")),
        }),
    );
    const mid = await createPool(store, caller, { name: "mid", parentId: root.id, cidr: "10.0.0.0/20" });
    const inMid = await store.write(async (db) => {
      const parent = (await prefixById(db, mid.id))!;
      const p = parsePrefix("10.0.2.0/24");
      await occupyInPool(db, parent, p);
      return await insertPrefix(db, {
        kind: "allocation",
        scopeId: 1,
        parentId: mid.id,
        status: "ALLOCATED",
        ...rangeColumns(p),
      });
    });

    await expect(deletePool(store, caller, mid.id, false)).rejects.toBeInstanceOf(Conflict);
    const { removed } = await deletePool(store, caller, mid.id, true);

    expect(removed.map((r) => r.id)).toEqual([inMid.id]);
    expect(await store.read((db) => prefixById(db, history.id))).toBeDefined();
    expect(await free(root.id)).toEqual([root.cidr]);
  });
});
