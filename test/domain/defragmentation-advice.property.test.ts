/**
 * Property: `poolDefragmentationAdvice` over the database (a grouped count for the ranking, then per piece of
 * advice its blockers, a bounded part of the free space and the merge buddies) answers exactly what the previous
 * implementation answers from every child and the whole free set (test/allocator/defragmentation-reference.ts),
 * on random fragmented pools, for a given length and for the default one.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  comparePrefixes,
  defaultAdviceLength,
  formatPrefix,
  makePrefix,
  overlaps,
  type Prefix,
} from "../../src/allocator/index.js";
import { insertPrefix, rangeColumns } from "../../src/db/prefixes.js";
import { openStore } from "../../src/db/store.js";
import { poolDefragmentationAdvice } from "../../src/domain/blocks.js";
import { seedPool } from "../../src/domain/placement.js";
import { referenceDefragmentationAdvice } from "../allocator/defragmentation-reference.js";
import { referenceFreeBlocks } from "../allocator/reference-model.js";

const dir = mkdtempSync(join(tmpdir(), "cloudpam-defrag-"));
const store = openStore({ dsn: join(dir, "defrag.db") });
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

let pools = 0;
/** A new top-level /20 (its own range each run) holding `children` as child pools; returns its id and range. */
async function poolWith(children: (start: bigint) => Prefix[]) {
  const n = pools++;
  const parent = makePrefix(4, (10n << 24n) + (BigInt(n) << 12n), 20);
  const kids = children(parent.start);
  const id = await store.write(async (db) => {
    const pool = await insertPrefix(db, {
      kind: "pool",
      scopeId: 1,
      status: "ACTIVE",
      name: `p${n}`,
      ...rangeColumns(parent),
    });
    for (const [i, k] of kids.entries())
      await insertPrefix(db, {
        kind: "pool",
        scopeId: 1,
        parentId: pool.id,
        status: "ACTIVE",
        name: `c${n}-${i}`,
        ...rangeColumns(k),
      });
    await seedPool(db, pool);
    return pool.id;
  });
  return { id, parent, kids };
}

const children = fc.array(fc.record({ length: fc.integer({ min: 22, max: 32 }), slot: fc.nat(4095) }), {
  maxLength: 50,
});

function place(raw: { length: number; slot: number }[], base: bigint): Prefix[] {
  const out: Prefix[] = [];
  for (const { length, slot } of raw) {
    const size = 2 ** (32 - length);
    const c = makePrefix(4, base + BigInt(Math.floor(slot / size) * size), length);
    if (!out.some((o) => overlaps(o, c))) out.push(c);
  }
  return out.sort(comparePrefixes);
}

describe("poolDefragmentationAdvice over the database", () => {
  it("equals the whole-pool reference on random fragmented pools", async () => {
    await fc.assert(
      fc.asyncProperty(
        children,
        fc.option(fc.integer({ min: 20, max: 32 }), { nil: null }),
        fc.integer({ min: 1, max: 30 }),
        async (raw, length, first) => {
          const { id, parent, kids } = await poolWith((base) => place(raw, base));
          const free = referenceFreeBlocks(parent, kids);
          const got = await poolDefragmentationAdvice(store, id, { first, prefixLength: length }, 1000);
          const target = length ?? defaultAdviceLength(parent, kids, free);
          expect(got.prefixLength).toBe(target ?? null);
          const reference =
            target === undefined
              ? []
              : referenceDefragmentationAdvice(parent, kids, (k) => k, free, target, first);
          expect(
            got.advice.map((a) => ({
              block: formatPrefix(a.block),
              blockers: a.blockers.map((b) => b.record.cidr),
              addresses: a.addressesToMove,
              moves: a.moves?.map(formatPrefix),
              freed: formatPrefix(a.freed),
            })),
          ).toEqual(
            reference.map((a) => ({
              block: formatPrefix(a.block),
              blockers: a.blockers.map(formatPrefix),
              addresses: a.addressesToMove,
              moves: a.moves?.map(formatPrefix),
              freed: formatPrefix(a.freed),
            })),
          );
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);
});
