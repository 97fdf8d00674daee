/**
 * Property: `allocateMany` through the database (the free-block table, one transaction) keeps packMany's
 * guarantee: on random small pools with existing allocations it succeeds exactly when some placement of the batch
 * exists (exhaustive search), and the free space it leaves, as block sizes largest first, is the best any
 * placement leaves; a refused batch writes nothing.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addressCount,
  comparePrefixes,
  makePrefix,
  overlaps,
  parsePrefix,
  type Prefix,
} from "../../src/allocator/index.js";
import { listFreeBlocks } from "../../src/db/free-blocks.js";
import { insertPrefix, rangeColumns } from "../../src/db/prefixes.js";
import { openStore } from "../../src/db/store.js";
import { createAccount } from "../../src/domain/accounts.js";
import { allocateMany } from "../../src/domain/allocations.js";
import { seedPool } from "../../src/domain/placement.js";
import { SYSTEM_ACTOR } from "../../src/domain/roles.js";
import { referenceFreeBlocks } from "../allocator/reference-model.js";

const caller = { actor: SYSTEM_ACTOR, requestId: "property" };
const dir = mkdtempSync(join(tmpdir(), "cloudpam-many-"));
const store = openStore({ dsn: join(dir, "many.db") });
let accountId = 0;
beforeAll(async () => {
  accountId = (await createAccount(store, caller, { key: "aws:000000000042", name: "prop", tier: "PRD" })).id;
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const sizes = (parent: Prefix, occupied: readonly Prefix[]) =>
  referenceFreeBlocks(parent, occupied)
    .map((b) => Number(addressCount(b)))
    .sort((a, b) => b - a);

function lexCompare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The best free space any placement of `lengths` leaves (undefined: none fits), by depth-first search. */
function bestByExhaustiveSearch(parent: Prefix, occupied: readonly Prefix[], lengths: readonly number[]) {
  let best: number[] | undefined;
  const placed: Prefix[] = [];
  const visit = (i: number): void => {
    if (i === lengths.length) {
      const s = sizes(parent, [...occupied, ...placed]);
      if (!best || lexCompare(s, best) > 0) best = s;
      return;
    }
    const size = addressCount({ family: 4, start: 0n, length: lengths[i]! });
    for (let start = parent.start; start + size <= parent.start + addressCount(parent); start += size) {
      const c: Prefix = { family: 4, start, length: lengths[i]! };
      if (occupied.some((o) => overlaps(o, c)) || placed.some((o) => overlaps(o, c))) continue;
      placed.push(c);
      visit(i + 1);
      placed.pop();
    }
  };
  visit(0);
  return best;
}

let pools = 0;

describe("allocateMany over the database", () => {
  it("fits whenever any placement fits and leaves the best free space (exhaustive search on /27 pools)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ length: fc.integer({ min: 28, max: 32 }), slot: fc.nat(31) }), { maxLength: 6 }),
        fc.array(fc.integer({ min: 28, max: 32 }), { minLength: 1, maxLength: 4 }),
        async (raw, lengths) => {
          const parent = makePrefix(4, parsePrefix("10.0.0.0/8").start + BigInt(pools++) * 32n, 27);
          const occupied: Prefix[] = [];
          for (const { length, slot } of raw) {
            const size = 2 ** (32 - length);
            const c = makePrefix(4, parent.start + BigInt((slot * size) % 32), length);
            if (!occupied.some((o) => overlaps(o, c))) occupied.push(c);
          }
          occupied.sort(comparePrefixes);
          const poolId = await store.write(async (db) => {
            const pool = await insertPrefix(db, {
              kind: "pool",
              scopeId: 1,
              status: "ACTIVE",
              name: `many-${pools}`,
              ...rangeColumns(parent),
            });
            for (const o of occupied)
              await insertPrefix(db, {
                kind: "allocation",
                scopeId: 1,
                parentId: pool.id,
                status: "ALLOCATED",
                accountId,
                ...rangeColumns(o),
              });
            await seedPool(db, pool);
            return pool.id;
          });
          const best = bestByExhaustiveSearch(parent, occupied, lengths);
          const requests = lengths.map((prefixLength) => ({ prefixLength, accountId }));
          if (best === undefined) {
            await expect(allocateMany(store, caller, { poolId, requests })).rejects.toThrow();
            const free = await store.read((db) => listFreeBlocks(db, poolId, 4));
            expect(sizes(parent, occupied)).toEqual(
              free.map((b) => Number(addressCount(b))).sort((a, b) => b - a),
            );
            return;
          }
          const placed = (await allocateMany(store, caller, { poolId, requests })).map((a) =>
            parsePrefix(a.cidr),
          );
          expect(placed.map((x) => x.length)).toEqual(lengths);
          expect(sizes(parent, [...occupied, ...placed])).toEqual(best);
          // The pool's stored free blocks are exactly what is left.
          const free = await store.read((db) => listFreeBlocks(db, poolId, 4));
          expect(free.map((b) => Number(addressCount(b))).sort((a, b) => b - a)).toEqual(best);
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);
});
