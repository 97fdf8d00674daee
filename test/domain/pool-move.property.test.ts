/**
 * Property: over two random hierarchies (two scopes, the same root range), every move is done or refused exactly
 * when the naive reference says it must be, and afterwards every pool's free blocks and utilisation equal a
 * fresh recomputation from its live children and every live prefix is in its parent's scope.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { containsPrefix, overlaps } from "../../src/allocator/index.js";
import { rowPrefix, type PrefixRow } from "../../src/db/prefixes.js";
import { openStore, type Store } from "../../src/db/store.js";
import { Conflict, Invalid } from "../../src/domain/errors.js";
import { movePool } from "../../src/domain/pool-lifecycle.js";
import { createPool } from "../../src/domain/pools.js";
import { reserve } from "../../src/domain/reservations.js";
import { SYSTEM_ACTOR } from "../../src/domain/roles.js";
import { createScope } from "../../src/domain/scopes.js";
import { assertHierarchyExact, poolIds, poolState } from "../helpers/hierarchy.js";

const caller = { actor: SYSTEM_ACTOR, requestId: "property" };

const build = fc.array(
  fc.record({ reservation: fc.boolean(), parent: fc.nat(), extra: fc.nat({ max: 3 }) }),
  { minLength: 1, maxLength: 20 },
);
const moves = fc.array(fc.record({ pool: fc.nat(), target: fc.nat() }), { minLength: 1, maxLength: 5 });

/** What the reference says moving `x` under `y` must do. */
async function expected(store: Store, x: PrefixRow, y: PrefixRow): Promise<"ok" | "conflict" | "invalid"> {
  const xr = rowPrefix(x);
  const yr = rowPrefix(y);
  if (y.id === x.id || y.id === x.parentId) return "invalid";
  if (y.scopeId === x.scopeId && containsPrefix(xr, yr)) return "invalid"; // a descendant
  if (!(containsPrefix(yr, xr) && xr.length > yr.length)) return "invalid";
  const { children } = await poolState(store, y.id);
  return children.some((c) => overlaps(rowPrefix(c), xr)) ? "conflict" : "ok";
}

describe("movePool over random hierarchies", () => {
  it("refuses exactly the invalid moves and keeps free blocks, utilisation and scopes exact", async () => {
    await fc.assert(
      fc.asyncProperty(build, moves, async (steps, changes) => {
        const dir = mkdtempSync(join(tmpdir(), "cloudpam-move-"));
        const store = openStore({ dsn: join(dir, "db.sqlite") });
        try {
          const a = await createScope(store, caller, { name: "a" });
          const b = await createScope(store, caller, { name: "b" });
          await createPool(store, caller, { name: "ra", cidr: "10.0.0.0/20", scopeId: a.id });
          await createPool(store, caller, { name: "rb", cidr: "10.0.0.0/20", scopeId: b.id });
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
            const x = (await poolState(store, ids[change.pool % ids.length]!)).row;
            const y = (await poolState(store, ids[change.target % ids.length]!)).row;
            const want = await expected(store, x, y);
            const got = await movePool(store, caller, x.id, { parentId: y.id }).then(
              (r) => {
                expect(r.pool.parentId).toBe(y.id);
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
