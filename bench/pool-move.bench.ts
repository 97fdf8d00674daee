/**
 * `movePool` of a pool holding 100 vs 100,000 reservations (seeded with direct SQL) back and forth between two
 * scopes whose roots are both 10.0.0.0/8, through the domain function on a real SQLite file. The checks and the
 * free-block changes are index seeks; re-scoping the subtree is one recursive walk and chunked UPDATEs, so the cost
 * grows with the subtree. Run with `npm run bench -- pool-move`.
 */
import "reflect-metadata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makePrefix } from "../src/allocator/index.js";
import { insertPrefix, rangeColumns } from "../src/db/prefixes.js";
import { insertScope } from "../src/db/scopes.js";
import { openStore, type Store } from "../src/db/store.js";
import { seedPool } from "../src/domain/placement.js";
import { movePool } from "../src/domain/pool-lifecycle.js";
import { SYSTEM_ACTOR } from "../src/domain/roles.js";
import { measure, report, type BenchResult } from "./harness.js";

const caller = { actor: SYSTEM_ACTOR, requestId: "bench" };

/** Roots 10.0.0.0/8 in scope 1 and a new scope; pool 10.0.0.0/12 with `children` /30s under the first. */
function seed(store: Store, children: number): Promise<{ x: number; roots: [number, number] }> {
  return store.write(async (db) => {
    const other = await insertScope(db, { name: "other" });
    const pool = async (
      p: ReturnType<typeof makePrefix>,
      scopeId: number,
      parentId: number | null,
      name: string,
    ) => insertPrefix(db, { kind: "pool", scopeId, parentId, status: "ACTIVE", name, ...rangeColumns(p) });
    const a = await pool(makePrefix(4, 10n << 24n, 8), 1, null, "a");
    const b = await pool(makePrefix(4, 10n << 24n, 8), other.id, null, "b");
    const x = await pool(makePrefix(4, 10n << 24n, 12), 1, a.id, "x");
    for (let i = 0; i < children; i++)
      await insertPrefix(db, {
        kind: "reservation",
        scopeId: 1,
        parentId: x.id,
        status: "ACTIVE",
        ...rangeColumns(makePrefix(4, (10n << 24n) + BigInt(i) * 4n, 30)),
      });
    await seedPool(db, x);
    await seedPool(db, a);
    await seedPool(db, b);
    return { x: x.id, roots: [a.id, b.id] };
  });
}

const results: BenchResult[] = [];
for (const [children, iterations] of [
  [100, 200],
  [100_000, 10],
] as const) {
  const dir = mkdtempSync(join(tmpdir(), "cloudpam-bench-move-"));
  const store = openStore({ dsn: join(dir, "bench.db") });
  try {
    const { x, roots } = await seed(store, children);
    let at = 0;
    const step = async () => {
      at = 1 - at;
      await movePool(store, caller, x, { parentId: roots[at]! });
    };
    results.push(
      await measure(`movePool across scopes @ ${children} children`, step, { iterations, warmup: 2 }),
    );
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
report(results);
