/** The batched range lookup of a sync must answer exactly like one indexed query per CIDR. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatPrefix, makePrefix, parsePrefix, type Prefix } from "../../src/allocator/index.js";
import { openStore, type Store } from "../../src/db/store.js";
import { defaultScope } from "../../src/db/scopes.js";
import { createAccount } from "../../src/domain/accounts.js";
import { createPool } from "../../src/domain/pools.js";
import { allocate } from "../../src/domain/allocations.js";
import { overlapLookup, overlappingInScope } from "../../src/domain/cloud-sync.js";
import { SYSTEM_ACTOR } from "../../src/domain/roles.js";

const SYSTEM = { actor: SYSTEM_ACTOR };
let dir: string;
let store: Store;

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cloudpam-lookup-"));
  store = openStore({ dsn: join(dir, "db.sqlite") });
  const a = await createAccount(store, SYSTEM, { key: "aws:111111111111", name: "a" });
  const b = await createAccount(store, SYSTEM, { key: "aws:222222222222", name: "b" });
  const pool = await createPool(store, SYSTEM, { cidr: "10.0.0.0/8", name: "p", status: "ACTIVE" });
  const v6 = await createPool(store, SYSTEM, { cidr: "fd00::/8", name: "p6", status: "ACTIVE" });
  const rand = rng(42);
  for (let i = 0; i < 300; i++) {
    const len = 16 + Math.floor(rand() * 13);
    const start = (10n << 24n) + BigInt(Math.floor(rand() * 2 ** 24));
    const p = makePrefix(4, start - (start % (1n << BigInt(32 - len))), len);
    await allocate(store, SYSTEM, {
      poolId: pool.id,
      accountId: rand() < 0.5 ? a.id : b.id,
      cidr: formatPrefix(p),
    }).catch(() => undefined);
  }
  for (let i = 0; i < 50; i++) {
    const len = 40 + Math.floor(rand() * 25);
    await allocate(store, SYSTEM, { poolId: v6.id, accountId: a.id, prefixLength: len }).catch(
      () => undefined,
    );
  }
});

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("overlapLookup", () => {
  it("answers every observed CIDR like a per-CIDR indexed query, for nested and sibling CIDRs of both families", async () => {
    const rand = rng(7);
    const observed: Prefix[] = [];
    for (let i = 0; i < 400; i++) {
      const len = 12 + Math.floor(rand() * 17);
      const start = (10n << 24n) + BigInt(Math.floor(rand() * 2 ** 24));
      observed.push(makePrefix(4, start - (start % (1n << BigInt(32 - len))), len));
    }
    observed.push(parsePrefix("fd00::/16"), parsePrefix("fd00::/56"), parsePrefix("172.31.0.0/16"));
    await store.read(async (db) => {
      const scopeId = (await defaultScope(db)).id;
      const lookup = await overlapLookup(db, scopeId, observed);
      let allocations = 0;
      for (const p of observed) {
        const ids = (xs: { id: number }[]) => xs.map((x) => x.id).sort((x, y) => x - y);
        const expected = await overlappingInScope(db, scopeId, p);
        const got = lookup(p);
        expect(ids(got), formatPrefix(p)).toEqual(ids(expected));
        // Containers first, shortest first.
        const lens = got.filter((x) => x.prefix.length <= p.length).map((x) => x.prefix.length);
        expect(lens).toEqual([...lens].sort((x, y) => x - y));
        allocations += got.filter((x) => x.kind === "allocation").length;
      }
      expect(allocations).toBeGreaterThan(100);
    });
  });
});
