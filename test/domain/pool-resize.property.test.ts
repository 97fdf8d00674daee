/**
 * Property: over random hierarchies of pools and reservations, every resize either succeeds or is refused
 * exactly when the naive reference says it must be, and afterwards every pool's free blocks and utilisation
 * equal a fresh recomputation from its live children (test/allocator/reference-model.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  containsPrefix,
  formatPrefix,
  makePrefix,
  overlaps,
  type Prefix,
} from "../../src/allocator/index.js";
import { prefixesByIds, rowPrefix, type PrefixRow } from "../../src/db/prefixes.js";
import { openStore, type Store } from "../../src/db/store.js";
import { Conflict, Invalid } from "../../src/domain/errors.js";
import { resizePool } from "../../src/domain/pool-lifecycle.js";
import { createPool } from "../../src/domain/pools.js";
import { reserve } from "../../src/domain/reservations.js";
import { SYSTEM_ACTOR } from "../../src/domain/roles.js";
import { assertHierarchyExact, poolIds, poolState } from "../helpers/hierarchy.js";

const caller = { actor: SYSTEM_ACTOR, requestId: "property" };

const build = fc.array(
  fc.record({ reservation: fc.boolean(), parent: fc.nat(), extra: fc.nat({ max: 3 }) }),
  { minLength: 1, maxLength: 14 },
);
const resizes = fc.array(
  fc.record({
    pool: fc.nat(),
    delta: fc.integer({ min: -3, max: 3 }).filter((d) => d !== 0),
    index: fc.nat(),
  }),
  { minLength: 1, maxLength: 4 },
);

/** What the reference says a resize of `row` to `to` must do. */
async function expected(store: Store, row: PrefixRow, to: Prefix): Promise<"ok" | "conflict" | "invalid"> {
  const from = rowPrefix(row);
  if (to.length < from.length) {
    if (row.parentId === null) {
      const others = await store.read((db) =>
        db.$client
          .prepare<[number, number], { id: number }>(
            "SELECT id FROM prefixes WHERE scope_id = ? AND parent_id IS NULL AND released_at IS NULL AND id != ?",
          )
          .all(row.scopeId, row.id),
      );
      const ranges = await store.read(async (db) => {
        const rows = await prefixesByIds(
          db,
          others.map((o) => o.id),
        );
        return rows.map(rowPrefix);
      });
      return ranges.some((r) => overlaps(r, to)) ? "conflict" : "ok";
    }
    const { row: parent, children } = await poolState(store, row.parentId);
    if (to.length <= parent.prefixLen || !containsPrefix(rowPrefix(parent), to)) return "invalid";
    return children.some((c) => c.id !== row.id && overlaps(rowPrefix(c), to)) ? "conflict" : "ok";
  }
  const { children } = await poolState(store, row.id);
  return children.every((c) => containsPrefix(to, rowPrefix(c)) && c.prefixLen > to.length)
    ? "ok"
    : "conflict";
}

describe("resizePool over random hierarchies", () => {
  it("refuses exactly the invalid resizes and keeps free blocks and utilisation equal to a recomputation", async () => {
    await fc.assert(
      fc.asyncProperty(build, resizes, async (steps, changes) => {
        const dir = mkdtempSync(join(tmpdir(), "cloudpam-resize-"));
        const store = openStore({ dsn: join(dir, "db.sqlite") });
        try {
          await createPool(store, caller, { name: "root", cidr: "10.0.0.0/20" });
          for (const step of steps) {
            const ids = await poolIds(store);
            const parent = (await poolState(store, ids[step.parent % ids.length]!)).row;
            const length = Math.min(parent.prefixLen + 1 + step.extra, 28);
            if (length <= parent.prefixLen) continue;
            try {
              if (step.reservation) await reserve(store, caller, { poolId: parent.id, prefixLength: length });
              else await createPool(store, caller, { name: "p", parentId: parent.id, prefixLength: length });
            } catch (e) {
              if (!(e instanceof Conflict)) throw e;
            }
          }
          await assertHierarchyExact(store);
          for (const change of changes) {
            const ids = await poolIds(store);
            const row = (await poolState(store, ids[change.pool % ids.length]!)).row;
            const from = rowPrefix(row);
            const length = row.prefixLen + change.delta;
            if (length < 1 || length > 32) continue;
            const to =
              change.delta < 0
                ? makePrefix(4, from.start & ~((1n << BigInt(32 - length)) - 1n), length)
                : makePrefix(
                    4,
                    from.start + BigInt(change.index % 2 ** change.delta) * (1n << BigInt(32 - length)),
                    length,
                  );
            const want = await expected(store, row, to);
            const got = await resizePool(store, caller, row.id, formatPrefix(to)).then(
              (r) => {
                expect(r.pool.cidr).toBe(formatPrefix(to));
                return "ok";
              },
              (e: unknown) => {
                if (e instanceof Conflict) return "conflict";
                if (e instanceof Invalid) return "invalid";
                throw e;
              },
            );
            expect(got).toBe(want);
            await assertHierarchyExact(store);
          }
        } finally {
          store.close();
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 40 },
    );
  });
});
