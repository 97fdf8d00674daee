import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openConnection, openStore, type Store } from "../../src/db/store.js";
import { accounts, events } from "../../src/db/schema.js";
import {
  insertPrefix,
  liveChildren,
  rangeColumns,
  rowPrefix,
  type PrefixRow,
} from "../../src/db/prefixes.js";
import { listFreeBlocks } from "../../src/db/free-blocks.js";
import { seedPool } from "../../src/domain/placement.js";
import {
  allocate,
  listAllocations,
  previewAllocation,
  releaseAllocation,
  updateAllocation,
} from "../../src/domain/allocations.js";
import { reserve, unreserve } from "../../src/domain/reservations.js";
import { poolBlocks, poolUtilization } from "../../src/domain/blocks.js";
import { Conflict, Invalid, NotFound } from "../../src/domain/errors.js";
import { SYSTEM_ACTOR } from "../../src/domain/roles.js";
import { formatPrefix, parsePrefix, seedFreeBlocks } from "../../src/allocator/index.js";
import { toGlobalId } from "../../src/ids.js";

const caller = { actor: SYSTEM_ACTOR, requestId: "test" };
let dir: string;
let store: Store;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cloudpam-allocations-"));
  store = openStore({ dsn: join(dir, "db.sqlite") }); // migrations create the default scope (id 1)
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function pool(cidr: string, rules: Partial<PrefixRow> = {}): Promise<PrefixRow> {
  return store.write(async (db) => {
    const row = await insertPrefix(db, {
      kind: "pool",
      scopeId: 1,
      status: "ACTIVE",
      name: `pool-${cidr}`,
      ...rules,
      ...rangeColumns(parsePrefix(cidr)),
    });
    await seedPool(db, row);
    return row;
  });
}

let accountCounter = 0;
async function account(tier: string | null = "PRD"): Promise<number> {
  const n = ++accountCounter;
  return store.write(
    (db) =>
      db
        .insert(accounts)
        .values({ key: `aws:${String(n).padStart(12, "0")}`, provider: "AWS", name: `acct-${n}`, tier })
        .returning()
        .get().id,
  );
}

/** The persisted free blocks equal the free space computed from the live children. */
async function expectCanonical(p: PrefixRow) {
  await store.read(async (db) => {
    const expected = seedFreeBlocks(rowPrefix(p), (await liveChildren(db, p.id)).map(rowPrefix)).map(
      formatPrefix,
    );
    expect((await listFreeBlocks(db, p.id, rowPrefix(p).family)).map(formatPrefix)).toEqual(expected);
  });
}

describe("allocate", () => {
  it("takes the smallest free block that fits, lowest address first", async () => {
    const p = await pool("10.0.0.0/16");
    const a = await account();
    await allocate(store, caller, { poolId: p.id, accountId: a, cidr: "10.0.0.0/24" });
    const next = await allocate(store, caller, { poolId: p.id, accountId: a, prefixLength: 24 });
    expect(next.cidr).toBe("10.0.1.0/24");
    const small = await allocate(store, caller, { poolId: p.id, accountId: a, prefixLength: 26 });
    expect(small.cidr).toBe("10.0.2.0/26");
    await expectCanonical(p);
  });

  it("uses the pool's default child length when neither prefixLength nor cidr is given", async () => {
    const p = await pool("10.1.0.0/16", { defaultChildLen: 20 });
    const a = await allocate(store, caller, { poolId: p.id, accountId: await account() });
    expect(a.cidr).toBe("10.1.0.0/20");
  });

  it("refuses a length outside the pool's min/max child length, naming the allowed range", async () => {
    const p = await pool("10.2.0.0/16", { minChildLen: 20, maxChildLen: 24 });
    const err = await allocate(store, caller, {
      poolId: p.id,
      accountId: await account(),
      prefixLength: 26,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Invalid);
    expect((err as Invalid).details).toMatchObject({ field: "prefixLength", min: 20, max: 24 });
  });

  it("names the largest free block when the pool is full for the requested length", async () => {
    const p = await pool("10.3.0.0/23");
    const a = await account();
    await allocate(store, caller, { poolId: p.id, accountId: a, cidr: "10.3.0.0/24" });
    await allocate(store, caller, { poolId: p.id, accountId: a, cidr: "10.3.1.0/25" });
    const err = (await allocate(store, caller, { poolId: p.id, accountId: a, prefixLength: 24 }).catch(
      (e: unknown) => e,
    )) as Conflict;
    expect(err).toBeInstanceOf(Conflict);
    expect(err.message).toContain("10.3.1.128/25");
    expect(err.details).toMatchObject({ field: "prefixLength", largestFree: "10.3.1.128/25" });
  });

  it("refuses an account whose tier the pool does not allow", async () => {
    const p = await pool("10.4.0.0/16", { allowedTiers: JSON.stringify(["PRD"]) });
    const err = await allocate(store, caller, {
      poolId: p.id,
      accountId: await account("DEV"),
      prefixLength: 24,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Invalid);
    expect((err as Invalid).details).toMatchObject({
      field: "accountId",
      tier: "DEV",
      allowedTiers: ["PRD"],
    });
  });

  it("refuses PLANNED and DEPRECATED pools", async () => {
    const a = await account();
    for (const status of ["PLANNED", "DEPRECATED"]) {
      const p = await pool(status === "PLANNED" ? "10.5.0.0/16" : "10.6.0.0/16", { status });
      const err = await allocate(store, caller, { poolId: p.id, accountId: a, prefixLength: 24 }).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Conflict);
      expect((err as Conflict).details).toMatchObject({ field: "poolId", status });
    }
  });

  it("refuses a missing pool or account with NOT_FOUND naming the field", async () => {
    const p = await pool("10.7.0.0/16");
    const a = await account();
    await expect(
      allocate(store, caller, { poolId: 999, accountId: a, prefixLength: 24 }),
    ).rejects.toMatchObject({
      details: { field: "poolId" },
    });
    const err = await allocate(store, caller, { poolId: p.id, accountId: 999, prefixLength: 24 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NotFound);
    expect((err as NotFound).details.field).toBe("accountId");
  });

  it("returns the first result for a repeated idempotency key and refuses the key for another request", async () => {
    const p = await pool("10.8.0.0/16");
    const a = await account();
    const input = { poolId: p.id, accountId: a, prefixLength: 24, idempotencyKey: "k1", name: "web" };
    const first = await allocate(store, caller, input);
    const again = await allocate(store, caller, input);
    expect(again).toEqual(first);
    await expect(allocate(store, caller, { ...input, name: "db" })).rejects.toBeInstanceOf(Conflict);
    const count = await store.read(
      (db) =>
        db
          .select()
          .from(events)
          .all()
          .filter((e) => e.type === "allocation.created").length,
    );
    expect(count).toBe(1);
  });

  it("writes one allocation.created event whose v2 snapshot carries global ids", async () => {
    const p = await pool("10.9.0.0/16");
    const a = await account();
    const created = await allocate(store, caller, { poolId: p.id, accountId: a, prefixLength: 24 });
    const rows = await store.read((db) => db.select().from(events).all());
    expect(rows.map((e) => e.type)).toEqual(["allocation.created"]);
    expect(JSON.parse(rows[0]!.after!)).toMatchObject({
      id: toGlobalId("Allocation", created.id),
      poolId: toGlobalId("Pool", p.id),
      accountId: toGlobalId("Account", a),
    });
  });
});

describe("previewAllocation", () => {
  it("returns what allocate would return without writing", async () => {
    const p = await pool("10.10.0.0/16");
    const a = await account();
    const preview = await previewAllocation(store, { poolId: p.id, accountId: a, prefixLength: 22 });
    const made = await allocate(store, caller, { poolId: p.id, accountId: a, prefixLength: 22 });
    expect(preview.cidr).toBe(made.cidr);
    expect(preview.existing).toBeNull();
  });

  it("reports the conflict of an explicit CIDR that is taken", async () => {
    const p = await pool("10.11.0.0/16");
    const a = await account();
    const taken = await allocate(store, caller, {
      poolId: p.id,
      accountId: a,
      cidr: "10.11.0.0/24",
      name: "x",
    });
    const err = (await previewAllocation(store, { poolId: p.id, accountId: a, cidr: "10.11.0.0/25" }).catch(
      (e: unknown) => e,
    )) as Conflict;
    expect(err).toBeInstanceOf(Conflict);
    expect(err.details.conflicting).toMatchObject({ type: "Allocation", id: taken.id });
  });
});

describe("release, update, reserve", () => {
  it("frees the range on release and keeps the row as RELEASED", async () => {
    const p = await pool("10.12.0.0/16");
    const a = await account();
    const made = await allocate(store, caller, { poolId: p.id, accountId: a, prefixLength: 24 });
    const released = await releaseAllocation(store, caller, made.id);
    expect(released).toMatchObject({ status: "RELEASED", cidr: made.cidr });
    expect(released.releasedAt).not.toBeNull();
    await expectCanonical(p);
    const again = await allocate(store, caller, { poolId: p.id, accountId: a, prefixLength: 24 });
    expect(again.cidr).toBe(made.cidr);
    await expect(releaseAllocation(store, caller, made.id)).rejects.toBeInstanceOf(Conflict);
  });

  it("changes only the fields present and re-checks tiers for a new account", async () => {
    const p = await pool("10.13.0.0/16", { allowedTiers: JSON.stringify(["PRD"]) });
    const made = await allocate(store, caller, {
      poolId: p.id,
      accountId: await account(),
      prefixLength: 24,
      name: "web",
      description: "d",
      tags: { team: "net" },
    });
    const updated = await updateAllocation(store, caller, { id: made.id, name: "api" });
    expect(updated).toMatchObject({ name: "api", description: "d", tags: { team: "net" } });
    await expect(
      updateAllocation(store, caller, { id: made.id, accountId: await account("DEV") }),
    ).rejects.toBeInstanceOf(Invalid);
  });

  it("holds a range back from allocation until it is unreserved", async () => {
    const p = await pool("10.14.0.0/23");
    const a = await account();
    const r = await reserve(store, caller, { poolId: p.id, cidr: "10.14.0.0/24", reason: "future VPN" });
    expect(r.reason).toBe("future VPN");
    const made = await allocate(store, caller, { poolId: p.id, accountId: a, prefixLength: 24 });
    expect(made.cidr).toBe("10.14.1.0/24");
    await expect(
      allocate(store, caller, { poolId: p.id, accountId: a, prefixLength: 24 }),
    ).rejects.toBeInstanceOf(Conflict);
    await unreserve(store, caller, r.id);
    const after = await allocate(store, caller, { poolId: p.id, accountId: a, prefixLength: 24 });
    expect(after.cidr).toBe("10.14.0.0/24");
    await expectCanonical(p);
  });
});

describe("lists, blocks and utilisation", () => {
  it("pages a pool's allocations in address order, filtered by status", async () => {
    const p = await pool("10.15.0.0/16");
    const a = await account();
    const made = [];
    for (let i = 0; i < 5; i++)
      made.push(await allocate(store, caller, { poolId: p.id, accountId: a, prefixLength: 24 }));
    await releaseAllocation(store, caller, made[1]!.id);
    const live = await listAllocations(store, { poolId: p.id, status: "ALLOCATED" }, { first: 10 }, 500);
    expect(live.page.items.map((x) => x.cidr)).toEqual([0, 2, 3, 4].map((i) => `10.15.${i}.0/24`));
    const firstTwo = await listAllocations(store, { accountId: a }, { first: 2 }, 500);
    const rest = await listAllocations(
      store,
      { accountId: a },
      { first: 10, after: firstTwo.page.cursors[1] },
      500,
    );
    expect([...firstTwo.page.items, ...rest.page.items].map((x) => x.id)).toEqual(made.map((x) => x.id));
    expect(await live.count()).toBe(4);
  });

  it("shows blocks with their occupants and counts utilisation from counts", async () => {
    const p = await pool("10.16.0.0/22");
    const a = await account();
    const used = await allocate(store, caller, { poolId: p.id, accountId: a, cidr: "10.16.0.0/24" });
    await allocate(store, caller, { poolId: p.id, accountId: a, cidr: "10.16.1.0/26" });
    await reserve(store, caller, { poolId: p.id, cidr: "10.16.2.0/23".replace("2.0/23", "2.0/24") });
    const page = await poolBlocks(store, p.id, { prefixLength: 24, first: 10 }, 500);
    expect(
      page.blocks.map((b) => [b.cidr, b.status, b.occupants.map((o) => `${o.kind} ${o.record.cidr}`)]),
    ).toEqual([
      ["10.16.0.0/24", "USED", ["allocation 10.16.0.0/24"]],
      ["10.16.1.0/24", "PARTIAL", ["allocation 10.16.1.0/26"]],
      ["10.16.2.0/24", "USED", ["reservation 10.16.2.0/24"]],
      ["10.16.3.0/24", "FREE", []],
    ]);
    expect(page.blocks[0]!.occupants[0]!.record.id).toBe(used.id);
    expect(await page.count()).toBe(4n);
    const u = await poolUtilization(store, p.id);
    expect(u).toMatchObject({ total: 1024n, used: 320n, reserved: 256n, free: 448n });
    expect(u.largestFree && formatPrefix(u.largestFree)).toBe("10.16.3.0/24");
  });
});

describe("a write lock held by another process", () => {
  it("is waited out beyond busy_timeout: allocate retries BEGIN IMMEDIATE and succeeds", async () => {
    const p = await pool("10.30.0.0/16");
    const a = await account();
    const impatient = openStore({ dsn: join(dir, "db.sqlite"), busyTimeoutMs: 20 });
    const other = openConnection(join(dir, "db.sqlite"));
    try {
      other.exec("BEGIN IMMEDIATE");
      // Six attempts wait at least 6 × 20 ms on the lock itself; the other writer commits after 60 ms.
      setTimeout(() => other.exec("COMMIT"), 60);
      const made = await allocate(impatient, caller, { poolId: p.id, accountId: a, prefixLength: 24 });
      expect(made.cidr).toBe("10.30.0.0/24");
    } finally {
      if (other.inTransaction) other.exec("ROLLBACK");
      other.close();
      impatient.close();
    }
  });
});
